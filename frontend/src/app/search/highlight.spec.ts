import { excerpt, splitHighlights } from './highlight';

const render = (parts: ReturnType<typeof splitHighlights>) => parts.map((p) => (p.mark ? `[${p.text}]` : p.text)).join('');

describe('splitHighlights', () => {
  test('marks each range and keeps the text between', () => {
    expect(render(splitHighlights('the deployment is done', [[4, 9], [18, 22]]))).toBe('the [deplo]yment is [done]');
  });

  test('ranges in any order, overlapping or touching, merge into one mark', () => {
    const parts = splitHighlights('abcdefgh', [[4, 6], [1, 3], [2, 4]]);
    expect(render(parts)).toBe('a[bcdef]gh');
  });

  test('offsets out of the content are clamped; empty and inverted ranges dropped', () => {
    expect(render(splitHighlights('café', [[-3, 2], [3, 99], [2, 2], [3, 1]]))).toBe('[ca]f[é]');
  });

  test('no highlights: the content as one plain run; markup in it stays text', () => {
    expect(splitHighlights('<b>hi</b>', [])).toEqual([{ text: '<b>hi</b>', mark: false }]);
  });

  test('the whole content joined back is the content, unchanged', () => {
    const content = 'emoji 🎉 then word';
    expect(splitHighlights(content, [[9, 13], [14, 18]]).map((p) => p.text).join('')).toBe(content);
  });
});

describe('excerpt', () => {
  test('short content is shown whole', () => {
    expect(excerpt('short one', [[0, 5]])).toEqual({ content: 'short one', highlights: [[0, 5]] });
  });

  test('long content is cut around the first match, with … and the offsets moved along', () => {
    const content = `${'x'.repeat(300)} needle ${'y'.repeat(300)}`;
    const cut = excerpt(content, [[301, 307]], 100, 20);
    expect(cut.content.startsWith('…')).toBe(true);
    expect(cut.content.endsWith('…')).toBe(true);
    expect(cut.content.length).toBe(102);
    const [[start, end]] = cut.highlights;
    expect(cut.content.slice(start, end)).toBe('needle');
  });

  test('a match beyond the cut is dropped, one across it is shortened', () => {
    const content = 'a'.repeat(50) + 'bbbbbb' + 'c'.repeat(200) + 'dd';
    const cut = excerpt(content, [[50, 56], [256, 258]], 60, 0);
    expect(cut.highlights.map(([s, e]) => cut.content.slice(s, e))).toEqual(['bbbbbb']);
  });
});
