import { TestServer, isError, type Client } from './harness';
import { type AnyFrame, createRoom, isText, say, uid, serverPerSuite } from './ws-helpers';

interface Context {
  /** A room the sender and a watcher are members of. */
  room: string;
  /** A room that exists; the sender is not a member. */
  otherRoom: string;
}

/** What a bad frame is, and how to send it. */
const BAD_FRAMES: Array<[string, (ctx: Context) => unknown]> = [
  ['invalid JSON', () => '{"type":"text","content":'],
  ['a JSON array', ({ room }) => JSON.stringify([{ type: 'text', content: 'in an array', room }])],
  ['a JSON number', () => '42'],
  ['a JSON string', () => '"text"'],
  ['JSON null', () => 'null'],
  ['an unknown type', ({ room }) => ({ type: 'shout', content: 'unknown type', room })],
  ['a missing type', ({ room }) => ({ content: 'missing type', room })],
  ['content that is not a string', ({ room }) => ({ type: 'text', content: 42, room })],
  ['a room that is not a string', () => ({ type: 'text', content: 'room as a number', room: 7 })],
  ['join_room without a room id', () => ({ type: 'join_room' })],
  ['empty content', ({ room }) => ({ type: 'text', content: '', room })],
  ['whitespace-only content', ({ room }) => ({ type: 'text', content: ' \t\n  ', room })],
  ['4001-character content', ({ room }) => ({ type: 'text', content: 'x'.repeat(4001), room })],
  ['join_room of an unknown room', () => ({ type: 'join_room', content: 'no-such-room-' + uid('r') })],
  ['text to an unknown room', () => ({ type: 'text', content: 'to nowhere', room: 'no-such-room-' + uid('r') })],
  ['text to a room not joined', ({ otherRoom }) => ({ type: 'text', content: 'not a member', room: otherRoom })],
  ['leave_room of a room not joined', ({ otherRoom }) => ({ type: 'leave_room', content: otherRoom })],
  ['text to an unknown recipient', () => ({ type: 'text', content: 'to nobody', recipient: 'never-connected-' + uid('u') })],
];

describe('WebSocket error frames', () => {
  let server: TestServer;
  const connect = serverPerSuite(2, (started) => (server = started));

  describe.each([
    ['seed level', 1 as const],
    ['level 2', 2 as const],
  ])('at %s', (_name, level) => {
    it.each(BAD_FRAMES)(
      'answers %s with an error frame, delivers nothing, and the socket keeps working',
      async (_case, build) => {
        const room = await createRoom(server, 'err');
        const otherRoom = await createRoom(server, 'err-other');
        const sender = await connect(uid('sender'), 'Sam', level);
        const watcher = await connect(uid('watcher'), 'Walt', 2);
        const outsider = await connect(uid('outsider'), 'Olive', 2);
        await sender.join(room);
        await watcher.join(room);
        await outsider.join(otherRoom);

        sender.send(build({ room, otherRoom }));
        const error = await sender.next<AnyFrame>(isError);
        expect(error).toEqual({ type: 'error', content: expect.any(String) });
        expect(error.content.length).toBeGreaterThan(0);

        // The same socket still works: a valid message is delivered to the sender and the other member.
        const ack = await say(sender, room, 'valid after error');
        expect(ack).toMatchObject({ type: 'text', content: 'valid after error', room });
        await watcher.next(isText(room, 'valid after error'));
        expect(sender.closed).toBeUndefined();

        // Nothing of the bad frame reached anyone: only the valid message came through.
        expect(watcher.frames.filter((frame) => frame.type === 'text')).toEqual([ack]);
        expect(watcher.frames.filter((frame) => frame.type === 'private')).toEqual([]);
        await say(outsider, otherRoom, 'outsider marker');
        expect(outsider.frames.filter((frame) => frame.type === 'text').map((frame) => frame.content)).toEqual(['outsider marker']);
      },
    );
  });

  it('accepts content of exactly 4000 characters', async () => {
    const room = await createRoom(server, 'err-4000');
    const sender = await connect(uid('sender'), 'Sam');
    await sender.join(room);
    const content = 'y'.repeat(4000);
    expect(await say(sender, room, content)).toMatchObject({ type: 'text', content, room });
  });

  describe('oversized and binary frames', () => {
    it('refuses a 1 MiB frame (close 1009 or an error frame) and never delivers it; other clients keep chatting', async () => {
      const room = await createRoom(server, 'err-big');
      const sender = await connect(uid('sender'), 'Sam');
      const watcher = await connect(uid('watcher'), 'Walt');
      await sender.join(room);
      await watcher.join(room);

      const huge = 'z'.repeat(1024 * 1024);
      sender.send({ type: 'text', content: huge, room });
      const outcome = await sender.next((frame) => isError(frame) || isText(room)(frame), 5000).then(
        (frame) => `frame ${frame.type}`,
        () => `closed ${sender.closed?.code}`,
      );
      expect(['closed 1009', 'frame error']).toContain(outcome);

      // A new client can connect and chat with the watcher.
      const newcomer = await connect(uid('newcomer'), 'Nora');
      await newcomer.join(room);
      const ack = await say(newcomer, room, 'after the big frame');
      expect(ack).toMatchObject({ type: 'text', content: 'after the big frame' });
      await watcher.next(isText(room, 'after the big frame'));
      expect(watcher.frames.filter((frame) => frame.type === 'text').map((frame) => frame.content)).toEqual(['after the big frame']);
    });

    it('answers a binary frame with an error frame, delivers nothing, and the socket keeps working', async () => {
      const room = await createRoom(server, 'err-binary');
      const sender = await connect(uid('sender'), 'Sam');
      const watcher = await connect(uid('watcher'), 'Walt');
      await sender.join(room);
      await watcher.join(room);

      sender.socket.send(Buffer.from(JSON.stringify({ type: 'text', content: 'in binary', room })), { binary: true });
      expect(await sender.next(isError)).toEqual({ type: 'error', content: expect.any(String) });
      const ack = await say(sender, room, 'text after binary');
      expect(ack).toMatchObject({ type: 'text', content: 'text after binary' });
      await watcher.next(isText(room, 'text after binary'));
      expect(watcher.frames.filter((frame) => frame.type === 'text')).toEqual([ack]);
    });

    it('still serves new clients after an oversized and a binary frame', async () => {
      const room = await createRoom(server, 'err-after');
      const big = await connect(uid('big'), 'Bea');
      const bin = await connect(uid('bin'), 'Ben');
      await big.join(room);
      await bin.join(room);
      big.send({ type: 'text', content: 'q'.repeat(1024 * 1024), room });
      bin.socket.send(Buffer.from([0, 1, 2, 3]), { binary: true });
      await bin.next(isError);
      await big.next(isError).catch(() => undefined); // closed with 1009, or an error frame

      const carol = await connect(uid('carol'), 'Carol');
      const dave = await connect(uid('dave'), 'Dave', 1);
      await carol.join(room);
      await dave.join(room);
      const ack = await say(carol, room, 'still serving');
      expect(ack).toMatchObject({ type: 'text', content: 'still serving' });
      expect(await dave.next<AnyFrame>(isText(room, 'still serving'))).toMatchObject({ sender: 'Carol' });
      expect((await server.http('GET', '/api/health')).status).toBe(200);
    });
  });
});
