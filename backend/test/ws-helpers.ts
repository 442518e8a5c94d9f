import type { ServerFrame } from '@chatstream/protocol';
import type { AppConfig } from '../src/config/app-config';
import { tryUpgrade } from './accounts';
import { TestServer, type Client } from './harness';

/* Small helpers shared by the WebSocket integration specs (ws-*.spec.ts). */

/** A frame with its fields reachable without narrowing (specs compare them against expectations). */
export type AnyFrame = ServerFrame & Record<string, any>;

let counter = 0;
/** A user id / room name unique within the run (well under 64 characters). */
export function uid(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}

/** ISO-8601 in UTC (`Z` or `+00:00`). */
export const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|\+00:00)$/;

export function expectIsoUtc(timestamp: unknown): void {
  expect(typeof timestamp).toBe('string');
  expect(timestamp).toMatch(ISO_UTC);
  expect(Number.isNaN(Date.parse(timestamp as string))).toBe(false);
}

export function expectId(id: unknown): void {
  expect(typeof id).toBe('string');
  expect((id as string).length).toBeGreaterThan(0);
}

/** Creates a room over REST; answers its id. */
export async function createRoom(server: TestServer, prefix = 'room'): Promise<string> {
  const name = uid(prefix);
  const response = await server.http('POST', '/api/rooms', { name });
  if (response.status !== 201) throw new Error(`could not create room ${name}: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.room.id as string;
}

/** `user_count` of a room from `GET /api/rooms`. */
export async function userCount(server: TestServer, roomId: string): Promise<number | undefined> {
  const response = await server.http('GET', '/api/rooms');
  const room = (response.body.rooms as Array<{ id: string; user_count: number }>).find((r) => r.id === roomId);
  return room?.user_count;
}

/** `GET /api/rooms/:id/messages?limit=` messages. */
export async function history(server: TestServer, roomId: string, limit: number): Promise<AnyFrame[]> {
  const response = await server.http('GET', `/api/rooms/${encodeURIComponent(roomId)}/messages?limit=${limit}`);
  if (response.status !== 200) throw new Error(`history of ${roomId}: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.messages as AnyFrame[];
}

// ---- frame matchers -----------------------------------------------------------

const f = (frame: ServerFrame): AnyFrame => frame as AnyFrame;

export const isText =
  (room: string, content?: string) =>
  (frame: ServerFrame): boolean =>
    frame.type === 'text' && f(frame).room === room && (content === undefined || frame.content === content);

export const isPrivate =
  (content?: string) =>
  (frame: ServerFrame): boolean =>
    frame.type === 'private' && (content === undefined || frame.content === content);

export const isJoin =
  (room: string, userId?: string) =>
  (frame: ServerFrame): boolean =>
    frame.type === 'join' && f(frame).room === room && (userId === undefined || f(frame).user_id === userId);

export const isLeave =
  (room: string, userId?: string) =>
  (frame: ServerFrame): boolean =>
    frame.type === 'leave' && f(frame).room === room && (userId === undefined || f(frame).user_id === userId);

export const isPresence =
  (userId?: string, content?: 'online' | 'offline') =>
  (frame: ServerFrame): boolean =>
    frame.type === 'presence' && (userId === undefined || f(frame).user_id === userId) && (content === undefined || frame.content === content);

/** Frames of `room` (messages, join, leave). */
export const inRoom =
  (room: string) =>
  (frame: ServerFrame): boolean =>
    (frame.type === 'text' || frame.type === 'join' || frame.type === 'leave') && f(frame).room === room;

/** Every frame the client received so far that matches. */
export function received(client: Client, match: (frame: ServerFrame) => boolean): AnyFrame[] {
  return client.frames.filter(match) as AnyFrame[];
}

/** Sends a room message and waits for the sender's own copy (its acknowledgement). */
export async function say(client: Client, room: string, content: string): Promise<AnyFrame> {
  client.send({ type: 'text', content, room });
  return client.next<AnyFrame>((frame) => isText(room, content)(frame) || frame.type === 'error');
}

// ---- handshake ----------------------------------------------------------------

/**
 * Opens `/api/ws` with the given raw query string and reports what happened:
 * `http <status>` when the upgrade was refused, `close <code>` when the socket
 * opened and was closed before any frame, `open` when a frame arrived.
 */
export function handshake(server: TestServer, query: string): Promise<string> {
  return tryUpgrade(server.port, {}, query);
}

/** The query string of a handshake with these parameters (undefined ones left out). */
export function query(params: Record<string, string | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) search.set(key, value);
  return search.toString();
}

/**
 * One real server per describe block, handed to `onStart`, and a `connect`
 * whose clients are closed after each test (`level` defaults to `defaultLevel`).
 */
export function serverPerSuite(defaultLevel: 1 | 2, onStart: (server: TestServer) => void, overrides: Partial<AppConfig> = {}) {
  let server: TestServer;
  const clients: Client[] = [];
  beforeAll(async () => onStart((server = await TestServer.start(overrides))));
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });
  afterAll(() => server.close());
  return async function connect(userId: string, username = userId, level: 1 | 2 = defaultLevel): Promise<Client> {
    const client = await server.connect(userId, username, level);
    clients.push(client);
    return client;
  };
}
