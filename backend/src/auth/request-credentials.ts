import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { AppConfig } from '../config/app-config';

/* Reading credentials, origin, client address and scheme off a request: shared by the REST guard and the WebSocket handshake. */

export const SESSION_COOKIE = 'chatstream_session';

export interface PresentedCredentials {
  token: string;
  via: 'cookie' | 'bearer';
}

/** The bearer token when there is an `Authorization: Bearer` header, else the session cookie; undefined for neither. */
export function presentedCredentials(headers: IncomingHttpHeaders): PresentedCredentials | undefined {
  const authorization = headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match) return { token: match[1], via: 'bearer' };
  }
  const token = cookieValue(headers.cookie, SESSION_COOKIE);
  return token ? { token, via: 'cookie' } : undefined;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const pair of header.split(';')) {
    const at = pair.indexOf('=');
    if (at < 0 || pair.slice(0, at).trim() !== name) continue;
    const value = pair.slice(at + 1).trim();
    return value.length > 0 ? value : undefined;
  }
  return undefined;
}

/** The last value of a header a proxy appends to (`a, b, c` -> `c`): the one our own proxy wrote. */
function lastForwarded(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value.join(',') : value;
  const last = text?.split(',').pop()?.trim();
  return last ? last : undefined;
}

/** The client's address: the socket's peer, or (TRUST_PROXY) what the proxy in front put last in X-Forwarded-For. */
export function clientAddress(request: IncomingMessage, config: AppConfig): string {
  const forwarded = config.trustProxy ? lastForwarded(request.headers['x-forwarded-for']) : undefined;
  const address = forwarded ?? request.socket.remoteAddress ?? 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/** `https` or `http`: of the connection, or (TRUST_PROXY) what X-Forwarded-Proto says. */
export function requestScheme(request: IncomingMessage, config: AppConfig): 'http' | 'https' {
  if (config.trustProxy) {
    const proto = lastForwarded(request.headers['x-forwarded-proto'])?.toLowerCase();
    if (proto === 'https' || proto === 'http') return proto;
  }
  return (request.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
}

/**
 * True when the request's Origin is the server's own (the scheme and Host of
 * the request) or listed in ALLOWED_ORIGINS. A request without Origin is not.
 */
export function isAllowedOrigin(request: IncomingMessage, config: AppConfig): boolean {
  const origin = normalizeOrigin(request.headers.origin);
  if (origin === undefined) return false;
  if (config.allowedOrigins.includes(origin)) return true;
  const host = request.headers.host;
  return host !== undefined && normalizeOrigin(`${requestScheme(request, config)}://${host}`) === origin;
}

function normalizeOrigin(value: string | undefined): string | undefined {
  if (!value || value === 'null') return undefined;
  try {
    const url = new URL(value);
    return url.origin === 'null' ? undefined : url.origin;
  } catch {
    return undefined;
  }
}

/** Whether the session cookie gets `Secure` on this request (COOKIE_SECURE). */
export function secureCookie(request: IncomingMessage, config: AppConfig): boolean {
  return config.cookieSecure === 'auto' ? requestScheme(request, config) === 'https' : config.cookieSecure;
}

/** The Set-Cookie value of a session (`maxAgeSeconds` 0 clears it). */
export function sessionCookieHeader(token: string, maxAgeSeconds: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${token}; Max-Age=${maxAgeSeconds}; Path=/; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}
