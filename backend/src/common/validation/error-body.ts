import type { ErrorResponse } from '@chatstream/protocol';
import { STATUS_CODES } from 'node:http';

/** Largest 4xx body, in bytes: an answer never amplifies a bad request. */
export const MAX_ERROR_BODY_BYTES = 4096;
/** Most entries in a 4xx body's `message` list. */
export const MAX_ERROR_MESSAGES = 10;
/** Longest single message (they may quote what the client sent). */
const MAX_MESSAGE_CHARS = 300;

/**
 * A 4xx body in Nest's shape `{statusCode, message, error}`, bounded: at most
 * `MAX_ERROR_MESSAGES` messages of at most `MAX_MESSAGE_CHARS` characters,
 * at most `MAX_ERROR_BODY_BYTES` in all. `response` is what an HttpException
 * carries: Nest's object, or a bare string.
 */
export function boundedErrorBody(statusCode: number, response: unknown): ErrorResponse {
  const fields = typeof response === 'object' && response !== null ? (response as Record<string, unknown>) : { message: response };
  const error = typeof fields.error === 'string' ? cut(fields.error) : (STATUS_CODES[statusCode] ?? 'Error');
  const raw = fields.message ?? STATUS_CODES[statusCode] ?? 'Error';
  if (!Array.isArray(raw)) return { statusCode, message: cut(String(raw)), error };
  const message = raw.slice(0, MAX_ERROR_MESSAGES).map((entry) => cut(String(entry)));
  const body = { statusCode, message, error };
  while (message.length > 1 && Buffer.byteLength(JSON.stringify(body)) > MAX_ERROR_BODY_BYTES) message.pop();
  return body;
}

/** At most `MAX_MESSAGE_CHARS` characters, never splitting a surrogate pair. */
function cut(text: string): string {
  if (text.length <= MAX_MESSAGE_CHARS) return text;
  let end = MAX_MESSAGE_CHARS - 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}
