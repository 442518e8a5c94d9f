import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** The markers around a generated section: `<!-- name:begin -->` … `<!-- name:end -->`. */
export const markers = (name: string): { begin: string; end: string } => ({ begin: `<!-- ${name}:begin -->`, end: `<!-- ${name}:end -->` });

/** The suite's own section. */
export const BEGIN = markers('bench').begin;
export const END = markers('bench').end;

/**
 * Puts `generated` between the markers `name` of `existing`, leaving
 * everything outside them as it was (others write their own sections in the
 * same file). Without the markers, the section is appended at the end, under
 * `heading` when given.
 */
export function replaceBetweenMarkers(existing: string | undefined, generated: string, name = 'bench', heading?: string): string {
  const { begin: open, end: close } = markers(name);
  const block = `${open}\n${generated.trim()}\n${close}`;
  const titled = heading ? `## ${heading}\n\n${block}` : block;
  if (existing === undefined || existing.trim() === '') return `# Benchmarks\n\n${titled}\n`;
  const begin = existing.indexOf(open);
  const end = existing.indexOf(close, begin + open.length);
  if (begin >= 0 && end >= 0) return existing.slice(0, begin) + block + existing.slice(end + close.length);
  if (begin >= 0 || existing.includes(close)) {
    // One marker without the other: replacing could swallow someone else's section.
    throw new Error(`only one of ${open} and ${close} is in the file; put both back (or neither) by hand`);
  }
  return `${existing.replace(/\s*$/, '')}\n\n${titled}\n`;
}

/** replaceBetweenMarkers on a file. */
export function writeBetweenMarkers(file: string, generated: string, name = 'bench', heading?: string): void {
  const existing = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  writeFileSync(file, replaceBetweenMarkers(existing, generated, name, heading));
}
