import { fold, highlights, matchesAll, queryWords, selectiveWords } from './search-words';

describe('search words', () => {
  const marked = (content: string, words: string[]) => highlights(content, words).map(([s, e]) => content.slice(s, e));

  it('folds case and accents, composed or not', () => {
    expect(fold('Café')).toBe('cafe');
    expect(fold('cafe\u0301')).toBe('cafe');
    expect(fold('ÉCOLE Søren Łódź')).toBe('ecole soren lodz');
  });

  it('takes the words of a query and nothing of its punctuation or operators', () => {
    expect(queryWords('"deploy" * NEAR(x) -y z: Café café')).toEqual(['deploy', 'near', 'x', 'y', 'z', 'cafe']);
    expect(queryWords('"*:- ()')).toEqual([]);
    expect(selectiveWords(queryWords('dep deploy cafe Café c'))).toEqual(['deploy', 'cafe']);
  });

  it('highlights every word of the content that a query word begins, case and accents aside', () => {
    expect(marked('Deployment of the DEPLOY tool, redeploy later', ['deplo'])).toEqual(['Deployment', 'DEPLOY']);
    expect(marked('meet at the café or the cafeteria', ['cafe'])).toEqual(['café', 'cafeteria']);
  });

  it('gives UTF-16 offsets, as JavaScript indexes strings', () => {
    const content = '🎉🎉 party time';
    expect(highlights(content, ['party'])).toEqual([[5, 10]]);
    expect(content.slice(5, 10)).toBe('party');
  });

  it('matches only when every word begins some word', () => {
    expect(matchesAll('red apple pie', ['pie', 're'])).toBe(true);
    expect(matchesAll('red apple', ['pie', 're'])).toBe(false);
    expect(matchesAll('redeploy', ['deploy'])).toBe(false);
  });
});
