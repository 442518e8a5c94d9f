import WebSocket from 'ws';
import { Client } from './harness';

/* Accounts-mode helpers over real HTTP and ws, shared by TestServer, server processes and the specs. */

/** What identifies a signed-in client: the token (as a bearer or in the cookie). */
export interface Credentials {
  user: { id: string; username: string };
  token: string;
  /** `chatstream_session=<token>`, as a browser would send it. */
  cookie: string;
}

export interface RequestOptions {
  body?: unknown;
  /** Send the token as `Authorization: Bearer`. */
  bearer?: string;
  /** Send a `Cookie` header. */
  cookie?: string;
  origin?: string;
  headers?: Record<string, string>;
}

export interface Answer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** One REST call with the given credentials; the body is parsed JSON when it is JSON. */
export async function request<T = any>(baseUrl: string, method: string, path: string, options: RequestOptions = {}): Promise<Answer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers['content-type'] ??= 'application/json';
  if (options.bearer !== undefined) headers.authorization = `Bearer ${options.bearer}`;
  if (options.cookie !== undefined) headers.cookie = options.cookie;
  if (options.origin !== undefined) headers.origin = options.origin;
  const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const response = await fetch(baseUrl + path, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed as T, headers: response.headers };
}

/** The `chatstream_session=…` pair of a Set-Cookie header (what a browser sends back). */
export function sessionCookie(headers: Headers): string | undefined {
  const line = headers.getSetCookie().find((value) => value.startsWith('chatstream_session='));
  return line?.split(';')[0];
}

async function signIn(baseUrl: string, path: string, username: string, password: string, expected: number): Promise<Credentials> {
  const answer = await request(baseUrl, 'POST', path, { body: { username, password } });
  if (answer.status !== expected) throw new Error(`${path} ${username}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return { user: answer.body.user, token: answer.body.token, cookie: sessionCookie(answer.headers) ?? '' };
}

export const register = (baseUrl: string, username: string, password: string): Promise<Credentials> =>
  signIn(baseUrl, '/api/auth/register', username, password, 201);

export const login = (baseUrl: string, username: string, password: string): Promise<Credentials> =>
  signIn(baseUrl, '/api/auth/login', username, password, 200);

export interface ConnectOptions {
  level?: 1 | 2;
  /** How to send the credentials (default: the bearer header). */
  via?: 'bearer' | 'cookie';
  origin?: string;
  /** Extra query parameters (e.g. a spoofed user_id). */
  query?: Record<string, string>;
}

/** Opens `/api/ws` with credentials; resolves once the welcome frame arrived. */
export async function connectWith(port: number, credentials: Pick<Credentials, 'token' | 'cookie'>, options: ConnectOptions = {}): Promise<Client> {
  const query = new URLSearchParams(options.query);
  if ((options.level ?? 2) === 2) query.set('protocol', '2');
  const headers: Record<string, string> = {};
  if (options.via === 'cookie') headers.cookie = credentials.cookie;
  else headers.authorization = `Bearer ${credentials.token}`;
  const client = new Client(new WebSocket(`ws://127.0.0.1:${port}/api/ws?${query}`, { headers, origin: options.origin }));
  await client.next((frame) => frame.type === 'system');
  return client;
}

/**
 * Tries an upgrade and reports what happened: `http <status>` when refused,
 * `close <code>` when closed before any frame, `open` when a frame arrived.
 */
export function tryUpgrade(port: number, headers: Record<string, string>, query = ''): Promise<string> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/api/ws${query ? `?${query}` : ''}`, { headers });
    let done = false;
    const finish = (outcome: string): void => {
      if (done) return;
      done = true;
      resolve(outcome);
      if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) socket.terminate();
    };
    socket.on('error', (error) => finish(`error ${error.message}`));
    socket.on('unexpected-response', (_request, response) => {
      response.resume();
      finish(`http ${response.statusCode}`);
    });
    socket.on('message', () => finish('open'));
    socket.on('close', (code) => finish(`close ${code}`));
  });
}

let counter = 0;
/** A fresh valid username (3–32 of letters, digits, `.`, `_`, `-`). */
export function username(prefix = 'user'): string {
  counter += 1;
  return `${prefix}_${counter}_${Math.random().toString(36).slice(2, 7)}`.slice(0, 32);
}

export const PASSWORD = 'correct horse battery';
