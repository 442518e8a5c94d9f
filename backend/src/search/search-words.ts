/**
 * The words of a query and where they match, as both search indexes see
 * them: a word is a run of letters, digits and combining marks; case and
 * accents do not count (SQLite's `unicode61 remove_diacritics 2`,
 * PostgreSQL's `unaccent`); a query word matches every word it begins.
 */

const WORD = /[\p{L}\p{N}\p{M}]+/gu;
/** Letters with a stroke have no decomposition to strip, but both indexes fold them. */
const STROKES: Record<string, string> = { ø: 'o', ł: 'l', đ: 'd', ħ: 'h', ŧ: 't', ƀ: 'b' };
const STROKED = /[øłđħŧƀ]/g;

/** Lower case, accents and other combining marks removed. */
export function fold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(STROKED, (c) => STROKES[c]);
}

/**
 * The query's words, folded, each once, in order. Everything else in the
 * query (quotes, `*`, `-`, `:`, parentheses) separates words and is never
 * syntax; a query of no word finds nothing.
 */
export function queryWords(q: string): string[] {
  const words: string[] = [];
  for (const [raw] of q.matchAll(WORD)) {
    const word = fold(raw);
    if (word && !words.includes(word)) words.push(word);
  }
  return words;
}

/**
 * The words the index needs: one that begins another word of the query is
 * left out, since whatever the longer one matches it matches too ("dep
 * deploy" finds what "deploy" finds), so the index reads one prefix less.
 */
export function selectiveWords(words: readonly string[]): string[] {
  return words.filter((word) => !words.some((other) => other !== word && other.startsWith(word)));
}

/**
 * Where the query's words match in `content`: `[start, end)` of each word
 * of the content that one of them begins, in UTF-16 code units (JavaScript
 * string indexes), in order.
 */
export function highlights(content: string, words: readonly string[]): Array<[number, number]> {
  const found: Array<[number, number]> = [];
  for (const match of content.matchAll(WORD)) {
    const folded = fold(match[0]);
    if (words.some((word) => folded.startsWith(word))) found.push([match.index, match.index + match[0].length]);
  }
  return found;
}

/** Every query word begins a word of `content` (the rule both indexes apply; search reads the newest messages with it). */
export function matchesAll(content: string, words: readonly string[]): boolean {
  // Most messages lack a word altogether: a substring test of the folded text rejects them before any tokenizing.
  const folded = ASCII.test(content) ? content.toLowerCase() : fold(content);
  if (!words.every((word) => folded.includes(word))) return false;
  const tokens = folded.match(WORD) ?? [];
  return words.every((word) => tokens.some((token) => token.startsWith(word)));
}

const ASCII = /^[\x00-\x7f]*$/;
