import { MAX_SUGGESTIONS, insertMention, mentionAt, roomMentionables, suggestNames } from './mention-suggest';

describe('mentionAt: the "@name" being typed at the caret', () => {
  it('finds "@" and the name typed so far, at the start or after a space or punctuation', () => {
    expect(mentionAt('@al', 3)).toEqual({ start: 0, end: 3, prefix: 'al' });
    expect(mentionAt('hi @', 4)).toEqual({ start: 3, end: 4, prefix: '' });
    expect(mentionAt('thanks (@bo', 11)).toEqual({ start: 8, end: 11, prefix: 'bo' });
  });

  it('is nothing inside an address or a word, after a space, or with the caret before the "@"', () => {
    expect(mentionAt('mail bob@exa', 12)).toBeNull();
    expect(mentionAt('@alice ', 7)).toBeNull();
    expect(mentionAt('say @alice', 3)).toBeNull();
    expect(mentionAt('no at sign', 10)).toBeNull();
  });

  it('with the caret inside a name, covers the whole name', () => {
    expect(mentionAt('hey @alice, lunch?', 7)).toEqual({ start: 4, end: 10, prefix: 'al' });
  });
});

describe('suggestNames: who fits the typed prefix', () => {
  const members = ['bob', 'alice', 'Albert', 'carol', 'alice', 'ALINA'];

  it('keeps names starting with the prefix, whatever the case, each once, alphabetically', () => {
    expect(suggestNames(members, 'al')).toEqual(['Albert', 'alice', 'ALINA']);
    expect(suggestNames(members, 'ALI')).toEqual(['alice', 'ALINA']);
  });

  it('an empty prefix lists everyone; nobody fits a prefix no name starts with', () => {
    expect(suggestNames(members, '')).toEqual(['Albert', 'alice', 'ALINA', 'bob', 'carol']);
    expect(suggestNames(members, 'lic')).toEqual([]);
  });

  it(`shows at most ${MAX_SUGGESTIONS}`, () => {
    const many = Array.from({ length: 20 }, (_, i) => `user${String(i).padStart(2, '0')}`);
    expect(suggestNames(many, 'user')).toEqual(many.slice(0, MAX_SUGGESTIONS));
  });
});

describe('insertMention: the text once a name is chosen', () => {
  it('replaces the typed prefix with "@name " and puts the caret after the space', () => {
    const text = 'hey @al';
    expect(insertMention(text, mentionAt(text, 7)!, 'alice')).toEqual({ text: 'hey @alice ', caret: 11 });
  });

  it('replaces a whole name the caret was in, without doubling the space after it', () => {
    const text = 'hey @alxx lunch?';
    expect(insertMention(text, mentionAt(text, 7)!, 'alice')).toEqual({ text: 'hey @alice lunch?', caret: 11 });
  });
});

describe('roomMentionables: who "@" offers in a room', () => {
  it('the senders and joiners of the log and everyone online, each once, never oneself', () => {
    const lines = [
      { type: 'text', sender: 'alice', sender_id: 'a' },
      { type: 'join', sender: 'System', sender_id: '', user_id: 'c', username: 'carol' },
      { type: 'text', sender: 'me', sender_id: 'me' },
      { type: 'text', sender: 'alice', sender_id: 'a' },
    ];
    const online = [
      { id: 'me', username: 'me' },
      { id: 'd', username: 'dave' },
      { id: 'a', username: 'alice' },
    ];
    expect(roomMentionables(lines, online, 'me').sort()).toEqual(['alice', 'carol', 'dave']);
  });
});
