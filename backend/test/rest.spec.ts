import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RoomMessageFrame, ServerFrame } from '@chatstream/protocol';
import { Client, sleep, TestServer } from './harness';

/* The REST rows of the wire contract (shared/protocol-contract.md), each with its success and error cases. */

let counter = 0;
/** A fresh name for a room or user id, unique within the run. */
const unique = (prefix: string): string => `${prefix}-${Date.now().toString(36)}-${++counter}`;

/** ISO-8601 UTC, as the contract wants for `timestamp`. */
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|\+00:00)$/;
/** Characters that need no escaping in a URL path segment (RFC 3986 unreserved). */
const URL_SAFE = /^[A-Za-z0-9._~-]+$/;

/** The answer is a 4xx with Nest's body `{statusCode, message, error}`. */
function expectError(response: { status: number; body: any }, status: number): void {
  expect({ status: response.status, body: response.body }).toEqual({
    status,
    body: expect.objectContaining({ statusCode: status, error: expect.any(String) }),
  });
  const { message } = response.body;
  const isText = typeof message === 'string' && message.length > 0;
  const isList = Array.isArray(message) && message.length > 0 && message.every((line: unknown) => typeof line === 'string');
  expect(isText || isList).toBe(true);
}

async function createRoom(server: TestServer, name = unique('Room')): Promise<{ id: string; name: string }> {
  const response = await server.http('POST', '/api/rooms', { name });
  expect(response.status).toBe(201);
  return response.body.room;
}

/** Sends join_room and waits for this user's own join frame; fails on an error frame. */
async function joinRoom(client: Client, room: string, userId: string): Promise<void> {
  client.send({ type: 'join_room', content: room });
  const frame = await client.next((f) => (f.type === 'join' && f.room === room && f.user_id === userId) || f.type === 'error');
  expect(frame).toMatchObject({ type: 'join', room, user_id: userId });
}

async function leaveRoom(client: Client, room: string, userId: string): Promise<void> {
  client.send({ type: 'leave_room', content: room });
  const frame = await client.next((f) => (f.type === 'leave' && f.room === room && f.user_id === userId) || f.type === 'error');
  expect(frame).toMatchObject({ type: 'leave', room, user_id: userId });
}

/** A connected user that is a member of the room. */
async function member(server: TestServer, room: string, level: 1 | 2 = 1, userId = unique('user')): Promise<{ client: Client; userId: string }> {
  const client = await server.connect(userId, `${userId}-name`, level);
  await joinRoom(client, room, userId);
  return { client, userId };
}

async function userCount(server: TestServer, roomId: string): Promise<number | undefined> {
  const { body } = await server.http('GET', '/api/rooms');
  return body.rooms.find((room: { id: string }) => room.id === roomId)?.user_count;
}

async function onlineUser(server: TestServer, userId: string): Promise<any> {
  const { body } = await server.http('GET', '/api/users');
  return body.users.find((user: { id: string }) => user.id === userId);
}

/** Polls until `check` answers true (a server sees a socket close a little after the client does). */
async function eventually(check: () => Promise<boolean>, ms = 3000): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(25);
  }
}

/** Posts `count` messages to the room as `sender`; answers their ids in order. */
async function postMany(server: TestServer, room: string, sender: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 1; i <= count; i++) {
    const response = await server.http('POST', '/api/messages', { content: `m${i}`, sender: 'Poster', sender_id: sender, room });
    expect(response.status).toBe(201);
    ids.push(response.body.id);
  }
  return ids;
}

const contents = (messages: Array<{ content: string }>): string[] => messages.map((message) => message.content);
const range = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => `m${from + i}`);

describe('GET /api/rooms', () => {
  let server: TestServer;
  beforeAll(async () => (server = await TestServer.start()));
  afterAll(() => server.close());

  it('answers 200 {rooms} where every room has id, name, description, user_count and created_at', async () => {
    await createRoom(server);
    const response = await server.http('GET', '/api/rooms');
    expect(response.status).toBe(200);
    expect(Array.isArray(response.body.rooms)).toBe(true);
    expect(response.body.rooms.length).toBeGreaterThanOrEqual(2);
    for (const room of response.body.rooms) {
      expect(room).toEqual(
        expect.objectContaining({
          id: expect.any(String),
          name: expect.any(String),
          description: expect.any(String),
          user_count: expect.any(Number),
          created_at: expect.any(String),
        }),
      );
      expect(Number.isInteger(room.user_count) && room.user_count >= 0).toBe(true);
      expect(Number.isNaN(Date.parse(room.created_at))).toBe(false);
    }
  });

  it('always lists the room general named "General Chat"', async () => {
    const { body } = await server.http('GET', '/api/rooms');
    expect(body.rooms).toContainEqual(expect.objectContaining({ id: 'general', name: 'General Chat' }));
  });

  it('lists a room created over REST with user_count 0', async () => {
    const room = await createRoom(server);
    const { body } = await server.http('GET', '/api/rooms');
    expect(body.rooms).toContainEqual(expect.objectContaining({ id: room.id, name: room.name, user_count: 0 }));
  });

  it('counts a user that joins over WebSocket and stops counting it when it leaves', async () => {
    const room = await createRoom(server);
    const first = await member(server, room.id);
    expect(await userCount(server, room.id)).toBe(1);
    const second = await member(server, room.id, 2);
    expect(await userCount(server, room.id)).toBe(2);
    await leaveRoom(first.client, room.id, first.userId);
    expect(await userCount(server, room.id)).toBe(1);
    await leaveRoom(second.client, room.id, second.userId);
    expect(await userCount(server, room.id)).toBe(0);
    await first.client.close();
    await second.client.close();
  });

  it('stops counting a seed-level user in its old room when it joins another room', async () => {
    const a = await createRoom(server);
    const b = await createRoom(server);
    const { client, userId } = await member(server, a.id);
    expect(await userCount(server, a.id)).toBe(1);
    await joinRoom(client, b.id, userId);
    expect(await userCount(server, a.id)).toBe(0);
    expect(await userCount(server, b.id)).toBe(1);
    await client.close();
  });

  it('counts a user with two connections in one room once', async () => {
    const room = await createRoom(server);
    const userId = unique('twice');
    const one = await server.connect(userId, 'Twice', 2);
    const two = await server.connect(userId, 'Twice', 2);
    await joinRoom(one, room.id, userId);
    await joinRoom(two, room.id, userId);
    expect(await userCount(server, room.id)).toBe(1);
    await one.close();
    await two.close();
  });
});

describe('POST /api/rooms', () => {
  let server: TestServer;
  beforeAll(async () => (server = await TestServer.start()));
  afterAll(() => server.close());

  it('answers 201 {room} with the name, the description and user_count 0', async () => {
    const name = unique('Created');
    const response = await server.http('POST', '/api/rooms', { name, description: 'About things' });
    expect(response.status).toBe(201);
    expect(response.body.room).toEqual(
      expect.objectContaining({ id: expect.any(String), name, description: 'About things', user_count: 0, created_at: expect.any(String) }),
    );
    expect(Number.isNaN(Date.parse(response.body.room.created_at))).toBe(false);
  });

  it('accepts a room without description and answers a string description', async () => {
    const response = await server.http('POST', '/api/rooms', { name: unique('NoDescription') });
    expect(response.status).toBe(201);
    expect(typeof response.body.room.description).toBe('string');
  });

  it('gives a URL-safe id even to a name with spaces, slashes and accents', async () => {
    const name = `Café / Ünïcode ?#&% ${unique('x')}`;
    const response = await server.http('POST', '/api/rooms', { name });
    expect(response.status).toBe(201);
    const { id } = response.body.room;
    expect(id).toMatch(URL_SAFE);
    expect(await server.http('GET', `/api/rooms/${id}/messages`)).toEqual({ status: 200, body: { messages: [] } });
  });

  it('gives distinct ids to two names that differ only in punctuation', async () => {
    const base = unique('same');
    const first = await createRoom(server, `${base} x`);
    const second = await createRoom(server, `${base}-x`);
    expect(first.id).not.toBe(second.id);
    expect(second.id).toMatch(URL_SAFE);
  });

  it('does not make anyone a member: the creator must join', async () => {
    const room = await createRoom(server);
    expect(await userCount(server, room.id)).toBe(0);
    // Nobody may post to it over REST before joining.
    const post = await server.http('POST', '/api/messages', { content: 'hi', sender: 'Creator', sender_id: unique('creator'), room: room.id });
    expectError(post, 403);
  });

  it('accepts a 64-character name', async () => {
    const name = unique('long').padEnd(64, 'n');
    const response = await server.http('POST', '/api/rooms', { name });
    expect(response.status).toBe(201);
    expect(response.body.room.name).toBe(name);
  });

  it('a body without name gets 400', async () => {
    expectError(await server.http('POST', '/api/rooms', { description: 'no name' }), 400);
  });

  it('no body at all gets 400', async () => {
    expectError(await server.http('POST', '/api/rooms'), 400);
  });

  it('an empty name gets 400', async () => {
    expectError(await server.http('POST', '/api/rooms', { name: '' }), 400);
  });

  it('a whitespace-only name gets 400', async () => {
    expectError(await server.http('POST', '/api/rooms', { name: ' \t\n ' }), 400);
  });

  it('a 65-character name gets 400', async () => {
    const name = unique('toolong').padEnd(65, 'n');
    expectError(await server.http('POST', '/api/rooms', { name }), 400);
    const { body } = await server.http('GET', '/api/rooms');
    expect(body.rooms.map((room: { name: string }) => room.name)).not.toContain(name);
  });

  it('a numeric name gets 400', async () => {
    expectError(await server.http('POST', '/api/rooms', { name: 12345 }), 400);
  });

  it('a null name gets 400', async () => {
    expectError(await server.http('POST', '/api/rooms', { name: null }), 400);
  });

  it('a name that is a list of strings gets 400', async () => {
    expectError(await server.http('POST', '/api/rooms', { name: [unique('list')] }), 400);
  });

  it('a numeric description gets 400', async () => {
    expectError(await server.http('POST', '/api/rooms', { name: unique('NumDescription'), description: 42 }), 400);
  });

  it('an object description gets 400', async () => {
    expectError(await server.http('POST', '/api/rooms', { name: unique('ObjDescription'), description: { text: 'x' } }), 400);
  });

  it('an unknown field gets 400 and creates nothing', async () => {
    const name = unique('Unknown');
    expectError(await server.http('POST', '/api/rooms', { name, owner: 'someone' }), 400);
    const { body } = await server.http('GET', '/api/rooms');
    expect(body.rooms.map((room: { name: string }) => room.name)).not.toContain(name);
  });

  it('a body that is a JSON array gets 400', async () => {
    expectError(await server.http('POST', '/api/rooms', [{ name: unique('InArray') }]), 400);
  });

  it('a body that is a JSON string gets 400', async () => {
    expectError(await server.http('POST', '/api/rooms', JSON.stringify(unique('AsString'))), 400);
  });

  it('a body that is a JSON number gets 400', async () => {
    expectError(await server.http('POST', '/api/rooms', '42'), 400);
  });

  it('a body that is JSON null gets 400', async () => {
    expectError(await server.http('POST', '/api/rooms', 'null'), 400);
  });

  it('a body that is not valid JSON gets 400', async () => {
    expectError(await server.http('POST', '/api/rooms', '{"name": "broken'), 400);
  });

  it('a duplicate name gets 409', async () => {
    const name = unique('Dup');
    await createRoom(server, name);
    expectError(await server.http('POST', '/api/rooms', { name }), 409);
  });

  it('a duplicate name in other case gets 409', async () => {
    const name = unique('MixedCase');
    await createRoom(server, name);
    expectError(await server.http('POST', '/api/rooms', { name: name.toUpperCase() }), 409);
    expectError(await server.http('POST', '/api/rooms', { name: name.toLowerCase() }), 409);
    const { body } = await server.http('GET', '/api/rooms');
    const same = body.rooms.filter((room: { name: string }) => room.name.toLowerCase() === name.toLowerCase());
    expect(same).toHaveLength(1);
  });

  it('"general chat" gets 409 because General Chat exists', async () => {
    expectError(await server.http('POST', '/api/rooms', { name: 'general chat' }), 409);
  });
});

describe('GET /api/rooms/:id/messages', () => {
  let server: TestServer;
  beforeAll(async () => (server = await TestServer.start()));
  afterAll(() => server.close());

  it('answers 200 {messages: []} for a room without messages', async () => {
    const room = await createRoom(server);
    expect(await server.http('GET', `/api/rooms/${room.id}/messages`)).toEqual({ status: 200, body: { messages: [] } });
  });

  it('answers the messages oldest first, each shaped like a room message frame', async () => {
    const room = await createRoom(server);
    const { client, userId } = await member(server, room.id);
    const ids = await postMany(server, room.id, userId, 3);
    const response = await server.http('GET', `/api/rooms/${room.id}/messages`);
    expect(response.status).toBe(200);
    expect(response.body.messages.map((message: { id: string }) => message.id)).toEqual(ids);
    expect(response.body.messages[0]).toEqual(
      expect.objectContaining({ id: ids[0], type: 'text', content: 'm1', sender: 'Poster', sender_id: userId, room: room.id }),
    );
    for (const message of response.body.messages) expect(message.timestamp).toMatch(ISO_UTC);
    await client.close();
  });

  it('lists a message sent over WebSocket with the id and timestamp it was delivered with', async () => {
    const room = await createRoom(server);
    const { client, userId } = await member(server, room.id);
    client.send({ type: 'text', content: 'over the socket', room: room.id });
    const frame = await client.next<RoomMessageFrame>((f) => f.type === 'text' && f.room === room.id);
    const { body } = await server.http('GET', `/api/rooms/${room.id}/messages`);
    expect(body.messages).toEqual([
      expect.objectContaining({ id: frame.id, timestamp: (frame as any).timestamp, content: 'over the socket', sender_id: userId, room: room.id }),
    ]);
    await client.close();
  });

  it('answers the newest 50 messages when no limit is given', async () => {
    const room = await createRoom(server);
    const { client, userId } = await member(server, room.id);
    await postMany(server, room.id, userId, 55);
    const { status, body } = await server.http('GET', `/api/rooms/${room.id}/messages`);
    expect(status).toBe(200);
    expect(contents(body.messages)).toEqual(range(6, 55));
    await client.close();
  });

  describe('with limit', () => {
    let roomId: string;
    let ids: string[];
    let client: Client;
    beforeAll(async () => {
      roomId = (await createRoom(server)).id;
      const joined = await member(server, roomId);
      client = joined.client;
      ids = await postMany(server, roomId, joined.userId, 205);
    });
    afterAll(() => client.close());

    it('limit=1 answers only the newest message', async () => {
      const { status, body } = await server.http('GET', `/api/rooms/${roomId}/messages?limit=1`);
      expect(status).toBe(200);
      expect(body.messages.map((message: { id: string }) => message.id)).toEqual([ids[204]]);
    });

    it('limit=7 answers the newest 7 messages oldest first', async () => {
      const { body } = await server.http('GET', `/api/rooms/${roomId}/messages?limit=7`);
      expect(contents(body.messages)).toEqual(range(199, 205));
    });

    it('limit=200 answers the newest 200 messages', async () => {
      const { status, body } = await server.http('GET', `/api/rooms/${roomId}/messages?limit=200`);
      expect(status).toBe(200);
      expect(contents(body.messages)).toEqual(range(6, 205));
    });

    it.each(['0', '201', 'abc', '1.5', '-1'])('limit=%s gets 400', async (limit) => {
      expectError(await server.http('GET', `/api/rooms/${roomId}/messages?limit=${limit}`), 400);
    });
  });

  it('before=<id> answers the messages older than that message, newest `limit` of them', async () => {
    const room = await createRoom(server);
    const { client, userId } = await member(server, room.id);
    const ids = await postMany(server, room.id, userId, 10);
    const { status, body } = await server.http('GET', `/api/rooms/${room.id}/messages?before=${ids[7]}&limit=3`);
    expect(status).toBe(200);
    expect(contents(body.messages)).toEqual(['m5', 'm6', 'm7']);
    const all = await server.http('GET', `/api/rooms/${room.id}/messages?before=${ids[7]}`);
    expect(contents(all.body.messages)).toEqual(range(1, 7));
    await client.close();
  });

  it('before=<oldest id> answers no messages', async () => {
    const room = await createRoom(server);
    const { client, userId } = await member(server, room.id);
    const ids = await postMany(server, room.id, userId, 2);
    expect(await server.http('GET', `/api/rooms/${room.id}/messages?before=${ids[0]}`)).toEqual({ status: 200, body: { messages: [] } });
    await client.close();
  });

  it('paging with before walks the whole history once, in order', async () => {
    const room = await createRoom(server);
    const { client, userId } = await member(server, room.id);
    // Half over REST, half over the socket.
    const ids = await postMany(server, room.id, userId, 6);
    for (let i = 7; i <= 12; i++) {
      client.send({ type: 'text', content: `m${i}`, room: room.id });
      ids.push((await client.next<RoomMessageFrame>((f) => f.type === 'text' && f.room === room.id && f.content === `m${i}`)).id);
    }
    const seen: string[] = [];
    let query = 'limit=5';
    for (let page = 0; page < 10; page++) {
      const { status, body } = await server.http('GET', `/api/rooms/${room.id}/messages?${query}`);
      expect(status).toBe(200);
      if (body.messages.length === 0) break;
      expect(body.messages.length).toBeLessThanOrEqual(5);
      seen.unshift(...body.messages.map((message: { id: string }) => message.id));
      query = `limit=5&before=${body.messages[0].id}`;
    }
    expect(seen).toEqual(ids);
    await client.close();
  });

  it('an unknown before gets 400', async () => {
    const room = await createRoom(server);
    const { client, userId } = await member(server, room.id);
    await postMany(server, room.id, userId, 2);
    expectError(await server.http('GET', `/api/rooms/${room.id}/messages?before=no-such-message`), 400);
    await client.close();
  });

  it('an unknown room gets 404', async () => {
    expectError(await server.http('GET', `/api/rooms/${unique('nowhere')}/messages`), 404);
  });
});

describe('GET /api/users', () => {
  let server: TestServer;
  beforeAll(async () => (server = await TestServer.start()));
  afterAll(() => server.close());

  it('answers 200 {users} listing a connected user with id and username', async () => {
    const userId = unique('online');
    const client = await server.connect(userId, 'Online Person');
    const response = await server.http('GET', '/api/users');
    expect(response.status).toBe(200);
    expect(Array.isArray(response.body.users)).toBe(true);
    expect(response.body.users).toContainEqual(expect.objectContaining({ id: userId, username: 'Online Person' }));
    await client.close();
  });

  it('does not list a user that never connected', async () => {
    expect(await onlineUser(server, unique('never'))).toBeUndefined();
  });

  it('gives a seed-level user that joined a room that room', async () => {
    const room = await createRoom(server);
    const { client, userId } = await member(server, room.id, 1);
    expect(await onlineUser(server, userId)).toEqual(expect.objectContaining({ id: userId, room: room.id }));
    await client.close();
  });

  it('follows a seed-level user to the room it joins next', async () => {
    const a = await createRoom(server);
    const b = await createRoom(server);
    const { client, userId } = await member(server, a.id, 1);
    await joinRoom(client, b.id, userId);
    expect((await onlineUser(server, userId))?.room).toBe(b.id);
    await client.close();
  });

  it('gives no room to a seed-level user that joined none', async () => {
    const userId = unique('roomless');
    const client = await server.connect(userId, 'Roomless', 1);
    const user = await onlineUser(server, userId);
    expect(user).toBeDefined();
    expect(user).not.toHaveProperty('room');
    await client.close();
  });

  it('gives no room to a seed-level user that left its room', async () => {
    const room = await createRoom(server);
    const { client, userId } = await member(server, room.id, 1);
    await leaveRoom(client, room.id, userId);
    const user = await onlineUser(server, userId);
    expect(user).toBeDefined();
    expect(user).not.toHaveProperty('room');
    await client.close();
  });

  it('gives no room to a protocol-2 user, whatever it joined', async () => {
    const room = await createRoom(server);
    const { client, userId } = await member(server, room.id, 2);
    const user = await onlineUser(server, userId);
    expect(user).toBeDefined();
    expect(user).not.toHaveProperty('room');
    await client.close();
  });

  it('lists a user with two connections once, until its last connection closes', async () => {
    const userId = unique('tabs');
    const one = await server.connect(userId, 'Tabs');
    const two = await server.connect(userId, 'Tabs');
    const listed = (await server.http('GET', '/api/users')).body.users.filter((user: { id: string }) => user.id === userId);
    expect(listed).toHaveLength(1);
    await one.close();
    // Give the server time to notice the first close: the user must stay listed.
    await sleep(200);
    expect(await onlineUser(server, userId)).toBeDefined();
    await two.close();
    expect(await eventually(async () => (await onlineUser(server, userId)) === undefined)).toBe(true);
  });
});

describe('POST /api/messages', () => {
  let server: TestServer;
  beforeAll(async () => (server = await TestServer.start()));
  afterAll(() => server.close());

  /** A room with a sending member (seed level) and a listening member (level 2). */
  async function roomWithMembers(): Promise<{ room: string; sender: { client: Client; userId: string }; listener: { client: Client; userId: string } }> {
    const room = (await createRoom(server)).id;
    const sender = await member(server, room, 1);
    const listener = await member(server, room, 2);
    return { room, sender, listener };
  }

  async function closeAll(...clients: Client[]): Promise<void> {
    for (const client of clients) await client.close();
  }

  it('answers 201 {message: "Message sent successfully", id, timestamp}', async () => {
    const { room, sender, listener } = await roomWithMembers();
    const response = await server.http('POST', '/api/messages', { content: 'hello', sender: 'Sender', sender_id: sender.userId, room });
    expect(response).toEqual({
      status: 201,
      body: expect.objectContaining({ message: 'Message sent successfully', id: expect.any(String), timestamp: expect.any(String) }),
    });
    expect(response.body.id.length).toBeGreaterThan(0);
    expect(response.body.timestamp).toMatch(ISO_UTC);
    await closeAll(sender.client, listener.client);
  });

  it('delivers the message to the room members over WebSocket with the same id and timestamp', async () => {
    const { room, sender, listener } = await roomWithMembers();
    const response = await server.http('POST', '/api/messages', { content: 'via rest', sender: 'Rest Sender', sender_id: sender.userId, room });
    expect(response.status).toBe(201);
    const expected = {
      id: response.body.id,
      type: 'text',
      content: 'via rest',
      sender: 'Rest Sender',
      sender_id: sender.userId,
      room,
      timestamp: response.body.timestamp,
    };
    expect(await listener.client.next((f) => f.type === 'text' && f.room === room)).toEqual(expect.objectContaining(expected));
    // The sender's own socket gets it too, as if it had sent it there.
    expect(await sender.client.next((f) => f.type === 'text' && f.room === room)).toEqual(expect.objectContaining(expected));
    await closeAll(sender.client, listener.client);
  });

  it('does not deliver a room message to a connected user outside the room', async () => {
    const { room, sender, listener } = await roomWithMembers();
    const outsiderId = unique('outsider');
    const outsider = await server.connect(outsiderId, 'Outsider', 2);
    const response = await server.http('POST', '/api/messages', { content: 'members only', sender: 'S', sender_id: sender.userId, room });
    expect(response.status).toBe(201);
    await listener.client.next((f) => f.type === 'text' && f.id === response.body.id);
    expect(await outsider.quietFor(200, (f) => f.type === 'text')).toEqual([]);
    await closeAll(sender.client, listener.client, outsider);
  });

  it('accepts type "text" explicitly', async () => {
    const { room, sender, listener } = await roomWithMembers();
    const response = await server.http('POST', '/api/messages', { type: 'text', content: 'typed', sender: 'S', sender_id: sender.userId, room });
    expect(response.status).toBe(201);
    await closeAll(sender.client, listener.client);
  });

  it('accepts content of exactly 4000 characters', async () => {
    const { room, sender, listener } = await roomWithMembers();
    const content = 'c'.repeat(4000);
    const response = await server.http('POST', '/api/messages', { content, sender: 'S', sender_id: sender.userId, room });
    expect(response.status).toBe(201);
    expect((await listener.client.next((f) => f.type === 'text' && f.room === room)) as any).toMatchObject({ content });
    await closeAll(sender.client, listener.client);
  });

  it('accepts a protocol-2 member whose connections are all closed (membership outlives the socket)', async () => {
    const { room, sender, listener } = await roomWithMembers();
    const offlineId = unique('offline-member');
    const offline = await server.connect(offlineId, 'Offline', 2);
    await joinRoom(offline, room, offlineId);
    await offline.close();
    const response = await server.http('POST', '/api/messages', { content: 'from afar', sender: 'Offline', sender_id: offlineId, room });
    expect(response.status).toBe(201);
    expect(await listener.client.next((f) => f.type === 'text' && f.room === room)).toMatchObject({ id: response.body.id, sender_id: offlineId });
    await closeAll(sender.client, listener.client);
  });

  it('stores the message in the room history with the same id and timestamp', async () => {
    const { room, sender, listener } = await roomWithMembers();
    const response = await server.http('POST', '/api/messages', { content: 'kept', sender: 'S', sender_id: sender.userId, room });
    const { body } = await server.http('GET', `/api/rooms/${room}/messages`);
    expect(body.messages).toEqual([
      expect.objectContaining({ id: response.body.id, timestamp: response.body.timestamp, content: 'kept', sender_id: sender.userId }),
    ]);
    await closeAll(sender.client, listener.client);
  });

  it('delivers a private message (recipient) to the recipient and to the sender with the same id and timestamp', async () => {
    const senderId = unique('psender');
    const recipientId = unique('precipient');
    const senderClient = await server.connect(senderId, 'PSender', 1);
    const recipient = await server.connect(recipientId, 'PRecipient', 1);
    const recipientTab = await server.connect(recipientId, 'PRecipient', 2);
    const response = await server.http('POST', '/api/messages', { content: 'psst', sender: 'PSender', sender_id: senderId, recipient: recipientId });
    expect(response.status).toBe(201);
    expect(response.body).toEqual(expect.objectContaining({ message: 'Message sent successfully', id: expect.any(String) }));
    const expected = {
      id: response.body.id,
      type: 'private',
      content: 'psst',
      sender: 'PSender',
      sender_id: senderId,
      recipient: recipientId,
      timestamp: response.body.timestamp,
    };
    const isIt = (f: ServerFrame) => f.type === 'private' && f.id === response.body.id;
    expect(await recipient.next(isIt)).toEqual(expect.objectContaining(expected));
    expect(await recipientTab.next(isIt)).toEqual(expect.objectContaining(expected));
    expect(await senderClient.next(isIt)).toEqual(expect.objectContaining(expected));
    await closeAll(senderClient, recipient, recipientTab);
  });

  it('accepts a private message to a known user that is offline', async () => {
    const recipientId = unique('gone');
    const gone = await server.connect(recipientId, 'Gone');
    await gone.close();
    const response = await server.http('POST', '/api/messages', { content: 'later', sender: 'S', sender_id: unique('s'), recipient: recipientId });
    expect(response.status).toBe(201);
  });

  describe('bad bodies', () => {
    let room: string;
    let sender: { client: Client; userId: string };
    let recipientId: string;
    let recipient: Client;
    beforeAll(async () => {
      room = (await createRoom(server)).id;
      sender = await member(server, room, 1);
      recipientId = unique('known');
      recipient = await server.connect(recipientId, 'Known');
    });
    afterAll(async () => {
      await sender.client.close();
      await recipient.close();
    });

    const valid = () => ({ content: 'fine', sender: 'Sender', sender_id: sender.userId, room });

    it('the valid body these cases start from gets 201', async () => {
      expect((await server.http('POST', '/api/messages', valid())).status).toBe(201);
    });

    it('a missing sender gets 400', async () => {
      const { sender: _, ...body } = valid();
      expectError(await server.http('POST', '/api/messages', body), 400);
    });

    it('a missing sender_id gets 400', async () => {
      const { sender_id: _, ...body } = valid();
      expectError(await server.http('POST', '/api/messages', body), 400);
    });

    it('a missing content gets 400', async () => {
      const { content: _, ...body } = valid();
      expectError(await server.http('POST', '/api/messages', body), 400);
    });

    it('both room and recipient get 400', async () => {
      expectError(await server.http('POST', '/api/messages', { ...valid(), recipient: recipientId }), 400);
    });

    it('neither room nor recipient gets 400', async () => {
      const { room: _, ...body } = valid();
      expectError(await server.http('POST', '/api/messages', body), 400);
    });

    it('empty content gets 400', async () => {
      expectError(await server.http('POST', '/api/messages', { ...valid(), content: '' }), 400);
    });

    it('whitespace-only content gets 400', async () => {
      expectError(await server.http('POST', '/api/messages', { ...valid(), content: '  \n\t ' }), 400);
    });

    it('content of 4001 characters gets 400', async () => {
      expectError(await server.http('POST', '/api/messages', { ...valid(), content: 'c'.repeat(4001) }), 400);
    });

    it('a non-string content gets 400', async () => {
      expectError(await server.http('POST', '/api/messages', { ...valid(), content: 42 }), 400);
    });

    it.each(['private', 'join_room', 'TEXT'])('type "%s" gets 400', async (type) => {
      expectError(await server.http('POST', '/api/messages', { ...valid(), type }), 400);
    });

    it('none of the refused messages reached the room or its history', async () => {
      const { body } = await server.http('GET', `/api/rooms/${room}/messages?limit=200`);
      expect(contents(body.messages)).toEqual(['fine']);
    });

    it('an unknown room gets 404', async () => {
      expectError(await server.http('POST', '/api/messages', { ...valid(), room: unique('no-room') }), 404);
    });

    it('an unknown recipient (a user that never connected) gets 404', async () => {
      const { room: _, ...body } = valid();
      expectError(await server.http('POST', '/api/messages', { ...body, recipient: unique('never-connected') }), 404);
    });

    it('a sender connected but not a member of the room gets 403', async () => {
      const outsiderId = unique('nonmember');
      const outsider = await server.connect(outsiderId, 'Nonmember');
      expectError(await server.http('POST', '/api/messages', { ...valid(), sender_id: outsiderId }), 403);
      await outsider.close();
    });

    it('a sender that left the room gets 403', async () => {
      const leaverId = unique('leaver');
      const leaver = await server.connect(leaverId, 'Leaver', 2);
      await joinRoom(leaver, room, leaverId);
      await leaveRoom(leaver, room, leaverId);
      expectError(await server.http('POST', '/api/messages', { ...valid(), sender_id: leaverId }), 403);
      await leaver.close();
    });
  });
});

describe('health and API documentation', () => {
  let server: TestServer;
  beforeAll(async () => (server = await TestServer.start()));
  afterAll(() => server.close());

  it('GET /api/health answers 200 {"status":"ok"}', async () => {
    expect(await server.http('GET', '/api/health')).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('GET /api/docs answers 200 with an HTML page (Swagger UI)', async () => {
    const response = await fetch(`${server.url}/api/docs`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect((await response.text()).toLowerCase()).toContain('swagger');
  });

  it('GET /api/docs-json is an OpenAPI document whose paths include every REST route', async () => {
    const { status, body } = await server.http('GET', '/api/docs-json');
    expect(status).toBe(200);
    expect(typeof body.openapi).toBe('string');
    expect(body.openapi).toMatch(/^3\./);
    const paths = body.paths ?? {};
    const methods = (path: string): string[] => Object.keys(paths[path] ?? {});
    expect(methods('/api/rooms')).toEqual(expect.arrayContaining(['get', 'post']));
    expect(methods('/api/rooms/{id}/messages')).toEqual(expect.arrayContaining(['get']));
    expect(methods('/api/users')).toEqual(expect.arrayContaining(['get']));
    expect(methods('/api/messages')).toEqual(expect.arrayContaining(['post']));
    expect(methods('/api/health')).toEqual(expect.arrayContaining(['get']));
  });

  it('an unknown /api path gets a JSON 404, not the web app', async () => {
    expectError(await server.http('GET', `/api/${unique('nothing')}`), 404);
  });
});

describe('the web app at /', () => {
  const marker = `chatstream-spa-${Date.now()}`;
  let dir: string;
  let server: TestServer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'chatstream-web-'));
    writeFileSync(join(dir, 'index.html'), `<!doctype html><html><head><title>ChatStream</title></head><body>${marker}</body></html>`);
    writeFileSync(join(dir, 'main-abc.js'), 'console.log("app")');
    // A file where an API route lives must never shadow the route.
    mkdirSync(join(dir, 'api'));
    writeFileSync(join(dir, 'api', 'health'), 'not the API');
    server = await TestServer.start({ staticDir: dir });
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('GET / answers 200 with the HTML page of the web app', async () => {
    const response = await fetch(`${server.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect(await response.text()).toContain(marker);
  });

  it('serves the app\'s files with caching headers, and any other page path gets index.html', async () => {
    const script = await fetch(`${server.url}/main-abc.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect(script.headers.get('cache-control')).toMatch(/max-age=3600/);
    expect(await script.text()).toBe('console.log("app")');
    const deepLink = await fetch(`${server.url}/rooms/general`);
    expect(deepLink.status).toBe(200);
    expect(await deepLink.text()).toContain(marker);
  });

  it('the API is still served next to the web app', async () => {
    expect(await server.http('GET', '/api/health')).toEqual({ status: 200, body: { status: 'ok' } });
    const { status, body } = await server.http('GET', '/api/rooms');
    expect(status).toBe(200);
    expect(body.rooms).toContainEqual(expect.objectContaining({ id: 'general' }));
  });
});
