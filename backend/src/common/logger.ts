import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import { inspect } from 'node:util';
import { LONE_SURROGATE } from '@chatstream/protocol';

/**
 * Characters that must not reach a log raw: C0 and C1 controls and DEL (a
 * newline forges a log line, an escape sequence rewrites the terminal),
 * Unicode line and paragraph separators (line breaks to some viewers),
 * bidirectional controls (reorder what is shown) and unpaired surrogates
 * (not encodable: `grep` calls the file binary).
 */
const UNSAFE = new RegExp(`[\\u0000-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069]|${LONE_SURROGATE}`, 'g');

/** `text` with every unsafe character written as `\xNN` (up to U+00FF) or `\uNNNN`. */
export function escapeLogText(text: string): string {
  return text.replace(UNSAFE, (char) => {
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * Nest's console logger, with every message escaped: ids, names and reasons
 * that came from a client are written as one line of printable text, however
 * they are logged. Colours (Nest's, not a client's) stay when `colors` is on.
 * Stack traces keep their line breaks, but each line is escaped and any line
 * that does not start with white space is indented, so no part of a stack can
 * pass for a log line of its own.
 */
export class EscapingConsoleLogger extends ConsoleLogger {
  protected override stringifyMessage(message: unknown, logLevel: LogLevel): string {
    if (typeof message === 'function') return super.stringifyMessage(message, logLevel);
    const text = typeof message === 'string' ? message : inspect(message, { colors: false, breakLength: Infinity, compact: true });
    return this.colorize(escapeLogText(text), logLevel);
  }

  protected override formatContext(context: string): string {
    return super.formatContext(escapeLogText(context));
  }

  protected override printStackTrace(stack: string): void {
    if (!stack) return;
    const lines = stack.split('\n').map((line, i) => {
      const escaped = escapeLogText(line);
      return i === 0 || /^\s/.test(escaped) ? escaped : `    ${escaped}`;
    });
    super.printStackTrace(lines.join('\n'));
  }
}
