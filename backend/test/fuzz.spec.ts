import fc from 'fast-check';
import WebSocket from 'ws';
import { Client, TestServer } from './harness';
import { type AnyFrame, createRoom, uid } from './ws-helpers';

/*
 * Property-based fuzzing of every edge against the real app: REST bodies
 * (JSON values, hostile strings, raw bytes) to each POST route, query strings
 * (history, the WebSocket handshake) and frames. Whatever arrives, the server
 * never answers 5xx, never crashes, reads back exactly what it accepted, and
 * a socket that got an error frame still works.
 *
 * FUZZ_RUNS sets the runs per property (npm test: a few dozen; `npm run fuzz`: thousands).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
const params = { numRuns: RUNS, verbose: 1 as const };
jest.setTimeout(30_000 + RUNS * 600);

/** Characters that break naive code: controls, bidi, separators, surrogate halves, URL and JSON syntax. */
const tricky = fc.constantFrom(
  '\u0000', '\u0007', '\n', '\r', '\t', '\u000b', '\u001b', '\u007f', '\u0085', '\u009b', '\u200e', '\u202e', '\u2066', '\u2069',
  '\u2028', '\ufeff', '\ufffd', '\ud800', '\udbff', '\udc00', '\udfff', '🎉', '👩‍💻', ' ', 'a', 'Z', 'é', 'ß', '"', "'", '\\', '%', '&', '=', '+',
  '/', '?', '#', '.', '..', '__proto__', 'constructor', '{', '[', '<script>', "'; DROP TABLE rooms; --",
);
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));
/** Any string: any code points, lone surrogates included, biased towards the tricky ones. */
const anyText = (maxLength = 80) =>
  fc.oneof(
    fc.string({ unit: fc.oneof(tricky, codeUnit), maxLength }),
    fc.string({ unit: 'binary', maxLength }),
    fc.string({ maxLength }),
  );
const content = fc.oneof({ weight: 5, arbitrary: anyText(120) }, { weight: 1, arbitrary: fc.constantFrom('x'.repeat(4000), 'y'.repeat(4001), ' \n\t ') });
const deep = fc.integer({ min: 1, max: 3000 }).map((levels) => JSON.parse('['.repeat(levels) + ']'.repeat(levels)) as unknown);
const anyJson = fc.oneof(fc.jsonValue(), deep, fc.dictionary(anyText(20), fc.jsonValue(), { maxKeys: 30 }));

/** A raw body: hostile JSON text, any string, or any bytes. */
const anyBody = fc.oneof(
  anyJson.map((value) => JSON.stringify(value) as string | Uint8Array),
  anyText(200),
  fc.uint8Array({ maxLength: 300 }),
);

describe('fuzzing the edges', () => {
  let server: TestServer;
  let room: string;
  /** A user who is a member of `room`, on a level-2 socket, watching what is delivered. */
  let member: Client;
  const memberId = uid('fuzz-member');

  beforeAll(async () => {
    server = await TestServer.start();
    room = await createRoom(server, 'fuzz');
    member = await server.connect(memberId, 'Fuzz Member', 2);
    await member.join(room);
  });
  afterAll(async () => {
    await member.close();
    await server.close();
  });

  async function send(method: string, path: string, body?: string | Uint8Array): Promise<{ status: number; json: any }> {
    const response = await fetch(server.url + path, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, json };
  }

  /** Never a 5xx; every 4xx in Nest's shape. */
  function expectClientOrSuccess(response: { status: number; json: any }): void {
    expect(response.status).toBeLessThan(500);
    if (response.status >= 400) expect(response.json).toEqual(expect.objectContaining({ statusCode: response.status, error: expect.any(String) }));
  }

  it.each(['/api/rooms', '/api/messages'])('any body to POST %s gets a 2xx or a 4xx, never a 5xx', async (path) => {
    await fc.assert(
      fc.asyncProperty(anyBody, async (body) => expectClientOrSuccess(await send('POST', path, body))),
      params,
    );
  });

  it('a room name the server accepts is read back exactly as stored (trimmed)', async () => {
    await fc.assert(
      fc.asyncProperty(anyText(50), fc.option(anyText(100), { nil: undefined }), async (text, description) => {
        // A unique tail, so that a name taken by an earlier run (409) does not hide the read-back.
        const name = `${text} ${uid('n')}`;
        const created = await send('POST', '/api/rooms', JSON.stringify({ name, description }));
        expectClientOrSuccess(created);
        if (created.status !== 201) return;
        expect(created.json.room.name).toBe(name.trim());
        expect(created.json.room.description).toBe((description ?? '').trim());
        const listed = (await send('GET', '/api/rooms')).json.rooms.find((r: { id: string }) => r.id === created.json.room.id);
        expect(listed).toEqual(created.json.room);
        expect(listed.name.isWellFormed()).toBe(true);
      }),
      params,
    );
  });

  it('a message the server accepts over REST is delivered and read back with exactly its content', async () => {
    await fc.assert(
      fc.asyncProperty(content, async (text) => {
        const posted = await send('POST', '/api/messages', JSON.stringify({ content: text, sender: 'Fuzz Member', sender_id: memberId, room }));
        expectClientOrSuccess(posted);
        if (posted.status !== 201) return;
        const delivered = await member.next<AnyFrame>((f) => f.type === 'text' && (f as AnyFrame).id === posted.json.id);
        expect(delivered.content).toBe(text);
        const page = (await send('GET', `/api/rooms/${encodeURIComponent(room)}/messages?limit=5`)).json.messages as AnyFrame[];
        expect(page.find((m) => m.id === posted.json.id)?.content).toBe(text);
      }),
      params,
    );
  });

  it('any history query string and room id get a 2xx or a 4xx', async () => {
    const id = fc.oneof(fc.constant(room), fc.constant('general'), anyText(40));
    const queryString = fc.oneof(
      fc.record({ limit: fc.option(anyText(10)), before: fc.option(anyText(40)), after: fc.option(anyText(10)) }).map((q) => {
        const search = new URLSearchParams();
        for (const [key, value] of Object.entries(q)) if (value !== null) search.set(key, value);
        return search.toString();
      }),
      fc.string({ unit: fc.constantFrom('a', '=', '&', '%', '2', 'F', '+', '[', ']', 'limit', 'before', 'é'), maxLength: 40 }),
    );
    await fc.assert(
      fc.asyncProperty(id, queryString, async (roomId, search) => {
        const path = `/api/rooms/${encodeURIComponent(roomId.isWellFormed() ? roomId : roomId.toWellFormed())}/messages?${search}`;
        expectClientOrSuccess(await send('GET', path));
      }),
      params,
    );
  });

  it('any handshake is refused with 400 or accepted, and an accepted user is listed exactly as given', async () => {
    // Raw percent-encoding, valid or not (%ED%A0%80 is a lone surrogate in generalized UTF-8).
    const raw = fc.string({ unit: fc.constantFrom('%', 'E', 'D', 'A', '0', '8', 'F', 'f', 'C', '+', '&', '=', 'a', 'z', '_', '.', '~', '-'), maxLength: 30 });
    const queryString = fc.oneof(
      fc.record({ user_id: fc.option(anyText(70)), username: fc.option(anyText(70)), protocol: fc.option(fc.constantFrom('1', '2', '3', '', '02')) }).map((q) => {
        const search = new URLSearchParams();
        for (const [key, value] of Object.entries(q)) if (value !== null) search.set(key, value);
        return search.toString();
      }),
      fc.tuple(raw, raw).map(([userId, username]) => `user_id=${userId}&username=${username}`),
    );
    await fc.assert(
      fc.asyncProperty(queryString, async (search) => {
        const outcome = await openSocket(`ws://127.0.0.1:${server.port}/api/ws?${search}`);
        if (outcome.status !== undefined) {
          expect(outcome.status).toBe(400);
          return;
        }
        const expected = new URLSearchParams(search);
        const users = (await send('GET', '/api/users')).json.users as Array<{ id: string; username: string }>;
        expect(users).toContainEqual(expect.objectContaining({ id: expected.get('user_id'), username: expected.get('username') }));
        await outcome.client?.close();
      }),
      params,
    );
  });

  it.each([1, 2] as const)('any frame at level %i gets an error frame or is handled, and the socket keeps working', async (level) => {
    const userId = uid('fuzz-frames');
    const client = await server.connect(userId, 'Fuzzer', level);
    let check = 0;
    const frameLike = fc.record(
      {
        type: fc.oneof(fc.constantFrom('text', 'join_room', 'leave_room'), anyText(10)),
        content: fc.oneof(content, fc.jsonValue()),
        room: fc.oneof(fc.constant(room), fc.constant('general'), anyText(70), fc.jsonValue()),
        recipient: fc.oneof(fc.constant(userId), anyText(70)),
        extra: anyJson,
      },
      { requiredKeys: ['type'] },
    );
    const message = fc.record({ type: fc.constant('text'), room: fc.constant(room), content, extra: fc.option(anyJson, { nil: undefined }) });
    const frame = fc.oneof(
      message.map((value) => JSON.stringify(value)),
      frameLike.map((value) => JSON.stringify(value)),
      anyJson.map((value) => JSON.stringify(value)),
      anyText(200),
    );
    await client.join(room);
    await fc.assert(
      fc.asyncProperty(frame, async (text) => {
        const mine = client.frames.length;
        const theirs = member.frames.length;
        client.send(text);
        // A private message to oneself needs no membership, so it works whatever the fuzzed frame joined or left.
        const probe = `probe-${++check}`;
        client.send({ type: 'text', content: probe, recipient: userId });
        await client.next((f) => f.type === 'private' && f.content === probe, 5000);
        expect(client.closed).toBeUndefined();
        const parsed = safeParse(text) as { type?: unknown; content?: unknown; room?: unknown; recipient?: unknown } | undefined;
        if (parsed?.type !== 'text' || parsed.room !== room || typeof parsed.content !== 'string' || 'recipient' in parsed) return;
        // A room message: refused with an error frame, or delivered to the other member with exactly its content.
        const refused = () => client.frames.slice(mine).some((f) => f.type === 'error');
        const delivered = () => member.frames.slice(theirs).some((f) => f.type === 'text' && (f as AnyFrame).sender_id === userId);
        for (let waited = 0; !refused() && !delivered() && waited < 3000; waited += 10) await new Promise((r) => setTimeout(r, 10));
        if (refused()) return;
        const copy = member.frames.slice(theirs).find((f) => f.type === 'text' && (f as AnyFrame).sender_id === userId);
        expect((copy as AnyFrame | undefined)?.content).toBe(parsed.content);
      }),
      params,
    );
    await client.close();
  });

  it('the server is still healthy after all of it', async () => {
    expect((await send('GET', '/api/health')).status).toBe(200);
    expect((await send('POST', '/api/rooms', JSON.stringify({ name: uid('after-fuzz') }))).status).toBe(201);
  });
});

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Opens a WebSocket: the refusal's HTTP status, or the client once the welcome frame arrived. */
function openSocket(url: string): Promise<{ status?: number; client?: Client }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const client = new Client(socket);
    socket.on('unexpected-response', (request, response) => {
      response.resume();
      request.destroy();
      resolve({ status: response.statusCode });
    });
    client.next((f) => f.type === 'system').then(() => resolve({ client }), reject);
  });
}
