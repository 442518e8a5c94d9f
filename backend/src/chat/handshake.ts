import { isSafeName, MAX_NAME_LENGTH, PROTOCOL_LEVEL_2, unsafeNameMessage, type ProtocolLevel } from '@chatstream/protocol';
import type { IncomingMessage } from 'node:http';

export const WS_PATH = '/api/ws';

export interface Handshake {
  userId: string;
  username: string;
  level: ProtocolLevel;
}

/** Reads `?user_id=&username=[&protocol=2]`; returns the reason when they are unusable. */
export function parseHandshake(url: string | undefined): Handshake | string {
  const parsed = new URL(url ?? '/', 'http://localhost');
  // URLSearchParams turns bad percent-encoding (an encoded lone surrogate) into U+FFFD; refuse it instead.
  if (!isStrictlyEncoded(parsed.search)) return 'the query string is not valid percent-encoded UTF-8';
  const query = parsed.searchParams;
  const userId = query.get('user_id');
  const username = query.get('username');
  const protocol = query.get('protocol');
  if (!userId || userId.length > MAX_NAME_LENGTH) return `user_id must be 1-${MAX_NAME_LENGTH} characters`;
  if (!username || username.length > MAX_NAME_LENGTH) return `username must be 1-${MAX_NAME_LENGTH} characters`;
  if (!isSafeName(userId)) return unsafeNameMessage('user_id');
  if (!isSafeName(username)) return unsafeNameMessage('username');
  if (protocol !== null && protocol !== '1' && protocol !== PROTOCOL_LEVEL_2) return 'protocol must be 1 or 2';
  return { userId, username, level: protocol === PROTOCOL_LEVEL_2 ? 2 : 1 };
}

function isStrictlyEncoded(search: string): boolean {
  try {
    decodeURIComponent(search.replace(/\+/g, ' '));
    return true;
  } catch {
    return false;
  }
}

/** `ws` verifyClient: a bad handshake is refused with HTTP 400 before the upgrade. */
export function verifyHandshake(
  info: { req: IncomingMessage },
  done: (ok: boolean, code?: number, reason?: string) => void,
): void {
  const handshake = parseHandshake(info.req.url);
  if (typeof handshake === 'string') done(false, 400, handshake);
  else done(true);
}
