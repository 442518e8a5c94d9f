import { isSafeName, MAX_NAME_LENGTH, PROTOCOL_LEVEL_2, unsafeNameMessage, type ProtocolLevel } from '@chatstream/protocol';
import type { IncomingMessage } from 'node:http';

export const WS_PATH = '/api/ws';

export interface Handshake {
  userId: string;
  username: string;
  level: ProtocolLevel;
}

/** AUTH=open: reads `?user_id=&username=[&protocol=2]`; returns the reason when they are unusable. */
export function parseHandshake(url: string | undefined): Handshake | string {
  const parsed = new URL(url ?? '/', 'http://localhost');
  // URLSearchParams turns bad percent-encoding (an encoded lone surrogate) into U+FFFD; refuse it instead.
  if (!isStrictlyEncoded(parsed.search)) return 'the query string is not valid percent-encoded UTF-8';
  const query = parsed.searchParams;
  const userId = query.get('user_id');
  const username = query.get('username');
  if (!userId || userId.length > MAX_NAME_LENGTH) return `user_id must be 1-${MAX_NAME_LENGTH} characters`;
  if (!username || username.length > MAX_NAME_LENGTH) return `username must be 1-${MAX_NAME_LENGTH} characters`;
  if (!isSafeName(userId)) return unsafeNameMessage('user_id');
  if (!isSafeName(username)) return unsafeNameMessage('username');
  const level = parseLevel(query);
  return typeof level === 'string' ? level : { userId, username, level };
}

/** Accounts mode: only `protocol` counts (the session says who connects; user_id and username are ignored). */
export function parseLevel(query: URLSearchParams | string | undefined): ProtocolLevel | string {
  const params = query instanceof URLSearchParams ? query : new URL(query ?? '/', 'http://localhost').searchParams;
  const protocol = params.get('protocol');
  if (protocol !== null && protocol !== '1' && protocol !== PROTOCOL_LEVEL_2) return 'protocol must be 1 or 2';
  return protocol === PROTOCOL_LEVEL_2 ? 2 : 1;
}

function isStrictlyEncoded(search: string): boolean {
  try {
    decodeURIComponent(search.replace(/\+/g, ' '));
    return true;
  } catch {
    return false;
  }
}

export type VerifyClient = (info: { req: IncomingMessage }, done: (ok: boolean, code?: number, reason?: string) => void) => void;

/** `ws` verifyClient of AUTH=open: a bad handshake is refused with HTTP 400 before the upgrade. */
export const verifyHandshake: VerifyClient = (info, done) => {
  const handshake = parseHandshake(info.req.url);
  if (typeof handshake === 'string') done(false, 400, handshake);
  else done(true);
};
