/** A run of a search result's content: plain, or a match (shown as `<mark>`). */
export interface Segment {
  text: string;
  mark: boolean;
}

/**
 * Cuts `content` into plain and marked runs at the server's `highlights`
 * (`[start, end)` offsets). Offsets are clamped to the content; overlapping
 * or touching ranges merge; empty or inverted ones are dropped. The template
 * renders the runs as text nodes, so nothing in `content` is ever HTML.
 */
export function splitHighlights(content: string, highlights: ReadonlyArray<readonly [number, number]>): Segment[] {
  const ranges = highlights
    .map(([start, end]) => [clamp(start, content.length), clamp(end, content.length)] as const)
    .filter(([start, end]) => end > start)
    .sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const [start, end] of ranges) {
    const last = merged.at(-1);
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  const segments: Segment[] = [];
  let at = 0;
  for (const [start, end] of merged) {
    if (start > at) segments.push({ text: content.slice(at, start), mark: false });
    segments.push({ text: content.slice(start, end), mark: true });
    at = end;
  }
  if (at < content.length || segments.length === 0) segments.push({ text: content.slice(at), mark: false });
  return segments;
}

/**
 * At most `max` characters of a long result around its first match (with
 * "…" where text was cut), the highlights moved to match.
 */
export function excerpt(
  content: string,
  highlights: ReadonlyArray<readonly [number, number]>,
  max = 200,
  before = 40,
): { content: string; highlights: Array<[number, number]> } {
  const all = highlights.map(([start, end]) => [start, end] as [number, number]);
  if (content.length <= max) return { content, highlights: all };
  const first = Math.min(...all.map(([start]) => start), content.length);
  let from = Math.max(0, Math.min(first - before, content.length - max));
  // Never cut a surrogate pair in two.
  if (from > 0 && isLowSurrogate(content.charCodeAt(from))) from--;
  let to = Math.min(content.length, from + max);
  if (to < content.length && isLowSurrogate(content.charCodeAt(to))) to++;
  const head = from > 0 ? '…' : '';
  const tail = to < content.length ? '…' : '';
  const shift = head.length - from;
  return {
    content: head + content.slice(from, to) + tail,
    highlights: all
      .map(([start, end]) => [Math.max(start, from) + shift, Math.min(end, to) + shift] as [number, number])
      .filter(([start, end]) => end > start),
  };
}

function clamp(value: number, length: number): number {
  return Number.isFinite(value) ? Math.min(Math.max(0, Math.trunc(value)), length) : 0;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
