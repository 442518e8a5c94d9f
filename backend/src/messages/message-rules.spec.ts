import { checkEmoji, mentionsIn } from './message-rules';

describe('reaction emoji', () => {
  it.each(['👍', '👍🏽', '👨‍👩‍👧', '🇫🇷', '1️⃣', '❤️', ':tada:', ':+1:', ':a_b-c:'])('accepts %s', (emoji) => {
    expect(checkEmoji(emoji)).toBe(emoji);
  });

  it.each(['', 'a', 'ok', '👍👍', '👍 ', ':Tada:', '::', ':a b:', `:${'x'.repeat(33)}:`, 'é', '1', '<script>'])('refuses %j with 400', (emoji) => {
    expect(() => checkEmoji(emoji)).toThrow(expect.objectContaining({ status: 400 }));
  });
});

describe('mentions', () => {
  const known = new Map([
    ['ann', ['id-ann']],
    ['bob.smith', ['id-bob']],
  ]);
  const lookup = (name: string) => known.get(name.toLowerCase());

  it('resolves @username of known users, any case, once each', () => {
    expect(mentionsIn('@ann and @ANN and @bob.smith', lookup)).toEqual(['id-ann', 'id-bob']);
  });

  it('a trailing full stop ends the sentence, not the name', () => {
    expect(mentionsIn('thanks @ann.', lookup)).toEqual(['id-ann']);
  });

  it('names nobody for unknown names, addresses and text without @', () => {
    expect(mentionsIn('@ghost mail ann@ann.example plain ann', lookup)).toEqual([]);
  });
});
