import type { ServerFrame } from '@chatstream/protocol';
import { isError, type Client, TestServer } from './harness';
import { type AnyFrame, createRoom, handshake, history, isText, say, serverPerSuite, uid } from './ws-helpers';

/*
 * The contract's "Ordering and limits" lines (Characters, Shape) at every
 * edge: REST bodies, path parameters, the WebSocket handshake and frames.
 */

/** Characters no id or name may hold. */
const FORBIDDEN_IN_NAMES: Array<[string, string]> = [
  ['NUL', '\u0000'],
  ['bell', '\u0007'],
  ['a line feed', '\n'],
  ['a tab', '\t'],
  ['an ANSI escape', '\u001b[31m'],
  ['DEL', '\u007f'],
  ['the C1 control NEL', '\u0085'],
  ['U+200E left-to-right mark', '\u200e'],
  ['U+200F right-to-left mark', '\u200f'],
  ['U+202A left-to-right embedding', '\u202a'],
  ['U+202E right-to-left override', '\u202e'],
  ['U+2066 left-to-right isolate', '\u2066'],
  ['U+2069 pop directional isolate', '\u2069'],
  ['a lone high surrogate', '\ud800'],
  ['a lone low surrogate', '\udc00'],
  ['a low surrogate before a high one', '\udc00\ud800'],
];

/** Characters content may not hold (line breaks, tabs and bidirectional text are content). */
const FORBIDDEN_IN_CONTENT: Array<[string, string]> = [
  ['NUL', '\u0000'],
  ['bell', '\u0007'],
  ['backspace', '\b'],
  ['a vertical tab', '\u000b'],
  ['an ANSI escape', '\u001b[2J'],
  ['DEL', '\u007f'],
  ['the C1 control CSI', '\u009b'],
  ['a lone high surrogate', '\ud83d'],
  ['a lone low surrogate', '\ude00'],
];

const ALLOWED_IN_NAMES: Array<[string, string]> = [
  ['accents', 'Zoë Ångström'],
  ['an emoji (a surrogate pair)', 'party 🎉'],
  ['right-to-left script', 'مرحبا'],
  ['a zero-width joiner inside an emoji', '👩‍💻'],
];

const ALLOWED_IN_CONTENT: Array<[string, string]> = [
  ['line breaks', 'first line\nsecond line\r\nthird'],
  ['tabs', 'col1\tcol2'],
  ['a right-to-left override (bidirectional text is content)', 'abc \u202e def'],
  ['emoji', 'ship it 🚀🎉'],
];

/** `text` with `marker` in the middle, so that the marker is neither leading nor trailing whitespace. */
const around = (marker: string): string => `a${marker}b`;

/**
 * Percent-encodes a query value; a lone surrogate (which `encodeURIComponent`
 * refuses) becomes its generalized UTF-8 bytes, as a hostile client would send it.
 */
function encodeRaw(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    const next = value.charCodeAt(i + 1);
    if (code >= 0xd800 && code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      out += encodeURIComponent(value.slice(i, i + 2));
      i++;
    } else if (code >= 0xd800 && code <= 0xdfff) {
      out += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    } else out += encodeURIComponent(value[i]);
  }
  return out;
}

/** Raw HTTP answer: status, body text and its size in bytes. */
async function raw(server: TestServer, method: string, path: string, body?: string): Promise<{ status: number; text: string; bytes: number; json: any }> {
  const response = await fetch(server.url + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body,
  });
  const bytes = Buffer.from(await response.arrayBuffer());
  const text = bytes.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, text, bytes: bytes.length, json };
}

function expectNestError(response: { status: number; json: any }, status: number): void {
  expect(response.status).toBe(status);
  expect(response.json).toEqual({ statusCode: status, message: expect.anything(), error: expect.any(String) });
}

const nestedArrays = (levels: number): string => '['.repeat(levels) + ']'.repeat(levels);
const nestedObjects = (levels: number, leaf = '1'): string => '{"a":'.repeat(levels) + leaf + '}'.repeat(levels);

describe('input limits', () => {
  let server: TestServer;
  const connect = serverPerSuite(2, (started) => (server = started));

  /** A member of a fresh room, and a second member watching it. */
  async function roomWithWatcher(): Promise<{ room: string; sender: Client; watcher: Client; senderId: string }> {
    const room = await createRoom(server, 'limits');
    const senderId = uid('sender');
    const sender = await connect(senderId, 'Sender');
    const watcher = await connect(uid('watcher'), 'Watcher');
    await sender.join(room);
    await watcher.join(room);
    return { room, sender, watcher, senderId };
  }

  /** The error frame a bad frame earns, then proof the socket still works and the watcher got only the valid message. */
  async function expectRefusedFrame(ctx: { room: string; sender: Client; watcher: Client }, frame: unknown): Promise<AnyFrame> {
    ctx.sender.send(frame);
    const error = await ctx.sender.next<AnyFrame>(isError);
    expect(error).toEqual({ type: 'error', content: expect.any(String) });
    const ack = await say(ctx.sender, ctx.room, 'valid after the refusal');
    expect(ack).toMatchObject({ type: 'text', content: 'valid after the refusal' });
    await ctx.watcher.next(isText(ctx.room, 'valid after the refusal'));
    const delivered = ctx.watcher.frames.filter((f: ServerFrame) => f.type === 'text' && f.content !== 'valid after the refusal');
    expect(delivered).toEqual([]);
    return error;
  }

  describe('Shape: nesting deeper than 16 levels', () => {
    it.each([
      ['POST /api/rooms', 'arrays', '/api/rooms', () => nestedArrays(45_000)],
      ['POST /api/rooms', 'objects', '/api/rooms', () => nestedObjects(15_000)],
      ['POST /api/messages', 'arrays', '/api/messages', () => nestedArrays(45_000)],
      ['POST /api/messages', 'objects', '/api/messages', () => nestedObjects(15_000)],
    ])('%s with a 90 KB body of nested %s answers 400, and the server keeps serving', async (_route, _kind, path, build) => {
      const body = build();
      expect(body.length).toBeGreaterThan(85_000);
      const response = await raw(server, 'POST', path, body);
      expectNestError(response, 400);
      expect(response.json.message).toBe('body is nested deeper than 16 levels');
      expect((await server.http('GET', '/api/health')).status).toBe(200);
      expect((await server.http('POST', '/api/rooms', { name: uid('after-nesting') })).status).toBe(201);
    });

    it('a nested field 17 levels deep is refused for its depth; 16 levels deep passes the shape check', async () => {
      const name = uid('depth');
      // The body object is level 1, so `extra` holding 15 nested objects makes 16 levels, 16 of them 17.
      const deep = await raw(server, 'POST', '/api/rooms', `{"name":"${name}","extra":${nestedObjects(15, '{}')}}`);
      expectNestError(deep, 400);
      expect(deep.json.message).toBe('body is nested deeper than 16 levels');
      const deepest = await raw(server, 'POST', '/api/rooms', `{"name":"${name}","extra":${nestedObjects(14, '{}')}}`);
      expectNestError(deepest, 400);
      expect(deepest.json.message).toEqual(['property extra should not exist']);
    });

    it('a frame with a 30,000-level nested extra field gets an error frame and is not delivered; the socket stays usable', async () => {
      const ctx = await roomWithWatcher();
      const frame = `{"type":"text","content":"deep","room":"${ctx.room}","extra":${nestedArrays(30_000)}}`;
      const error = await expectRefusedFrame(ctx, frame);
      expect(error.content).toBe('frame is nested deeper than 16 levels');
      expect((await history(server, ctx.room, 10)).map((m) => m.content)).toEqual(['valid after the refusal']);
    });

    it('a frame with an extra field 16 levels deep is accepted, the field dropped', async () => {
      const ctx = await roomWithWatcher();
      ctx.sender.send(`{"type":"text","content":"fifteen","room":"${ctx.room}","extra":${nestedObjects(14, '{}')}}`);
      const ack = await ctx.sender.next<AnyFrame>((f) => isText(ctx.room, 'fifteen')(f) || isError(f));
      expect(ack).toMatchObject({ type: 'text', content: 'fifteen' });
      expect(ack).not.toHaveProperty('extra');
    });

    it('a frame with __proto__ and constructor fields is handled like any frame with unknown fields: delivered, the fields dropped', async () => {
      const ctx = await roomWithWatcher();
      ctx.sender.send(`{"type":"text","content":"proto","room":"${ctx.room}","__proto__":{"content":5,"room":"elsewhere"},"constructor":{"prototype":{"x":1}}}`);
      const ack = await ctx.sender.next<AnyFrame>((f) => isText(ctx.room, 'proto')(f) || isError(f));
      expect(ack).toMatchObject({ type: 'text', content: 'proto', room: ctx.room });
      await ctx.watcher.next(isText(ctx.room, 'proto'));
    });

    it('a frame with a 17-level nested field gets an error frame', async () => {
      const ctx = await roomWithWatcher();
      const error = await expectRefusedFrame(ctx, `{"type":"text","content":"x","room":"${ctx.room}","extra":${nestedObjects(15, '{}')}}`);
      expect(error.content).toBe('frame is nested deeper than 16 levels');
    });
  });

  describe('Shape: a 4xx body is at most 4 KiB with at most 10 messages', () => {
    it('10,000 unknown keys in a ~100 KB body get a 400 of at most 4 KiB', async () => {
      const body = JSON.stringify(Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, 1])));
      expect(body.length).toBeGreaterThan(80_000);
      for (const path of ['/api/rooms', '/api/messages']) {
        const response = await raw(server, 'POST', path, body);
        expectNestError(response, 400);
        expect(response.bytes).toBeLessThanOrEqual(4096);
      }
    });

    it('hundreds of long unknown keys get at most 10 messages, each cut short, in at most 4 KiB', async () => {
      const body = JSON.stringify({ name: uid('keys'), ...Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`${i}-${'k'.repeat(150)}`, 1])) });
      const response = await raw(server, 'POST', '/api/rooms', body);
      expectNestError(response, 400);
      expect(response.bytes).toBeLessThanOrEqual(4096);
      expect(response.json.message.length).toBeGreaterThan(0);
      expect(response.json.message.length).toBeLessThanOrEqual(10);
      expect(response.json.message[0]).toMatch(/^property 0-k+/);
    });

    it('an unknown key of 60,000 characters is not echoed whole', async () => {
      const response = await raw(server, 'POST', '/api/rooms', JSON.stringify({ name: uid('key'), ['x'.repeat(60_000)]: 1 }));
      expectNestError(response, 400);
      expect(response.bytes).toBeLessThanOrEqual(4096);
    });

    it('a 404 for a very long unknown path is at most 4 KiB', async () => {
      const response = await raw(server, 'GET', `/api/${'n'.repeat(12_000)}`);
      expectNestError(response, 404);
      expect(response.bytes).toBeLessThanOrEqual(4096);
    });

    it('a body over the size limit gets 413 in the same shape', async () => {
      const response = await raw(server, 'POST', '/api/rooms', JSON.stringify({ name: 'x'.repeat(200_000) }));
      expectNestError(response, 413);
    });
  });

  describe('Characters: ids and names', () => {
    describe.each(FORBIDDEN_IN_NAMES)('%s', (_name, marker) => {
      const bad = around(marker);

      it('in user_id: the upgrade is refused with 400 and the user is not listed', async () => {
        expect(await handshake(server, `user_id=${encodeRaw(bad)}&username=ok`)).toBe('http 400');
        const { body } = await server.http('GET', '/api/users');
        expect(body.users.filter((u: { id: string }) => u.id === bad)).toEqual([]);
      });

      it('in username: the upgrade is refused with 400 and the user is not listed', async () => {
        const userId = uid('user');
        expect(await handshake(server, `user_id=${userId}&username=${encodeRaw(bad)}`)).toBe('http 400');
        const { body } = await server.http('GET', '/api/users');
        expect(body.users.filter((u: { id: string }) => u.id === userId)).toEqual([]);
      });

      it('in POST /api/messages sender_id or sender: 400 and nothing stored', async () => {
        const ctx = await roomWithWatcher();
        for (const fields of [{ sender_id: bad, sender: 'Ok' }, { sender_id: ctx.senderId, sender: bad }]) {
          const response = await raw(server, 'POST', '/api/messages', JSON.stringify({ content: 'hi', room: ctx.room, ...fields }));
          expectNestError(response, 400);
        }
        expect(await history(server, ctx.room, 10)).toEqual([]);
      });

      it('in a room id: join_room and text frames get error frames; POST /api/messages and history get 400', async () => {
        const ctx = await roomWithWatcher();
        await expectRefusedFrame(ctx, { type: 'join_room', content: bad });
        await expectRefusedFrame(ctx, { type: 'text', content: 'to a bad room', room: bad });
        const post = await raw(server, 'POST', '/api/messages', JSON.stringify({ content: 'hi', sender: 'S', sender_id: ctx.senderId, room: bad }));
        expectNestError(post, 400);
        expectNestError(await raw(server, 'GET', `/api/rooms/${encodeRaw(bad)}/messages`), 400);
      });

      it('in a recipient: the text frame gets an error frame; POST /api/messages gets 400', async () => {
        const ctx = await roomWithWatcher();
        await expectRefusedFrame(ctx, { type: 'text', content: 'private', recipient: bad });
        const post = await raw(server, 'POST', '/api/messages', JSON.stringify({ content: 'hi', sender: 'S', sender_id: ctx.senderId, recipient: bad }));
        expectNestError(post, 400);
      });

      it('in a room name: POST /api/rooms gets 400 and no room is made', async () => {
        const before = (await server.http('GET', '/api/rooms')).body.rooms.length;
        expectNestError(await raw(server, 'POST', '/api/rooms', JSON.stringify({ name: `${uid('room')}${bad}` })), 400);
        expect((await server.http('GET', '/api/rooms')).body.rooms.length).toBe(before);
      });
    });

    it.each(ALLOWED_IN_NAMES)('a user id, username and room name with %s are accepted and read back unchanged', async (_name, text) => {
      const userId = `${uid('u')} ${text}`;
      const client = await connect(userId, text);
      const users = (await server.http('GET', '/api/users')).body.users;
      expect(users).toContainEqual(expect.objectContaining({ id: userId, username: text }));
      const created = await server.http('POST', '/api/rooms', { name: `${text} ${uid('r')}` });
      expect(created.status).toBe(201);
      const listed = (await server.http('GET', '/api/rooms')).body.rooms.find((r: { id: string }) => r.id === created.body.room.id);
      expect(listed.name).toBe(created.body.room.name);
      await client.join(created.body.room.id);
    });
  });

  describe('Characters: content', () => {
    it.each(FORBIDDEN_IN_CONTENT)('%s in content: the frame gets an error frame, POST /api/messages gets 400, nothing stored', async (_name, marker) => {
      const ctx = await roomWithWatcher();
      const error = await expectRefusedFrame(ctx, { type: 'text', content: around(marker), room: ctx.room });
      expect(error.content).toMatch(/content must not contain control characters/);
      const post = await raw(server, 'POST', '/api/messages', JSON.stringify({ content: around(marker), sender: 'S', sender_id: ctx.senderId, room: ctx.room }));
      expectNestError(post, 400);
      expect((await history(server, ctx.room, 10)).map((m) => m.content)).toEqual(['valid after the refusal']);
    });

    it.each(ALLOWED_IN_CONTENT)('content with %s is delivered and stored unchanged', async (_name, content) => {
      const ctx = await roomWithWatcher();
      expect(await say(ctx.sender, ctx.room, content)).toMatchObject({ type: 'text', content });
      await ctx.watcher.next(isText(ctx.room, content));
      const post = await server.http('POST', '/api/messages', { content, sender: 'S', sender_id: ctx.senderId, room: ctx.room });
      expect(post.status).toBe(201);
      expect((await history(server, ctx.room, 10)).map((m) => m.content)).toEqual([content, content]);
    });

    it('a room description with a control character is refused; one with line breaks is kept', async () => {
      expectNestError(await raw(server, 'POST', '/api/rooms', JSON.stringify({ name: uid('d'), description: 'bell\u0007' })), 400);
      const ok = await server.http('POST', '/api/rooms', { name: uid('d'), description: 'two\nlines' });
      expect(ok.status).toBe(201);
      expect(ok.body.room.description).toBe('two\nlines');
    });
  });
});
