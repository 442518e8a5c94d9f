import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export const BEGIN = '<!-- bench:begin -->';
export const END = '<!-- bench:end -->';

/**
 * Puts `generated` between the markers of `existing`, leaving everything
 * outside them as it was (others write their own sections in the same
 * file). Without markers, they are appended at the end.
 */
export function replaceBetweenMarkers(existing: string | undefined, generated: string): string {
  const block = `${BEGIN}\n${generated.trim()}\n${END}`;
  if (existing === undefined || existing.trim() === '') return `# Benchmarks\n\n${block}\n`;
  const begin = existing.indexOf(BEGIN);
  const end = existing.indexOf(END, begin + BEGIN.length);
  if (begin >= 0 && end >= 0) return existing.slice(0, begin) + block + existing.slice(end + END.length);
  if (begin >= 0 || existing.includes(END)) {
    // One marker without the other: replacing could swallow someone else's section.
    throw new Error(`only one of ${BEGIN} and ${END} is in the file; put both back (or neither) by hand`);
  }
  return `${existing.replace(/\s*$/, '')}\n\n${block}\n`;
}

export function writeBetweenMarkers(file: string, generated: string): void {
  const existing = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  writeFileSync(file, replaceBetweenMarkers(existing, generated));
}

/**
 * Puts `body` between `<!-- name:begin -->` and `<!-- name:end -->` in the
 * file (a section one standalone bench owns), or appends the section under
 * `heading` when the markers are not there yet.
 */
export function writeSection(file: string, name: string, heading: string, body: string): void {
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const doc = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const section = `${begin}\n${body}\n${end}`;
  const from = doc.indexOf(begin);
  const to = doc.indexOf(end, from);
  writeFileSync(
    file,
    from >= 0 && to >= 0 ? doc.slice(0, from) + section + doc.slice(to + end.length) : `${doc.trimEnd()}\n\n## ${heading}\n\n${section}\n`,
  );
}
