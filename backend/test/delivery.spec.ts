import { TestServer, isError, type Client } from './harness';
import { type AnyFrame, createRoom, isPrivate, isText, received, serverPerSuite, uid } from './ws-helpers';

/* "Delivery guarantees": seq, after=, client_id. */

/** A room with `members` joined at level 2; answers the room id and the clients. */
async function roomWith(connect: (user: string) => Promise<Client>, server: TestServer, members: number): Promise<{ room: string; clients: Client[] }> {
  const room = await createRoom(server, 'dg');
  const clients: Client[] = [];
  for (let i = 0; i < members; i++) {
    const client = await connect(uid(`m${i}`));
    await client.join(room);
    clients.push(client);
  }
  return { room, clients };
}

const page = (server: TestServer, room: string, query: string) => server.http('GET', `/api/rooms/${encodeURIComponent(room)}/messages?${query}`);

describe('seq: the n-th message stored in a room has seq n', () => {
  let server: TestServer;
  const connect = serverPerSuite(2, (started) => (server = started));

  it('live frames and history carry seq 1, 2, 3, … without gaps, per room', async () => {
    const { room, clients } = await roomWith(connect, server, 2);
    const other = await createRoom(server, 'dg-other');
    await clients[0].join(other);
    for (let i = 0; i < 5; i++) clients[i % 2].send({ type: 'text', content: `n${i}`, room });
    clients[0].send({ type: 'text', content: 'elsewhere', room: other });
    const live = await clients[1].collect<AnyFrame>(5, isText(room));
    expect(live.map((f) => f.seq)).toEqual([1, 2, 3, 4, 5]);
    expect((await clients[0].next<AnyFrame>(isText(other))).seq).toBe(1);
    const history = (await page(server, room, 'limit=10')).body.messages as AnyFrame[];
    expect(history.map((m) => [m.id, m.seq])).toEqual(live.map((f) => [f.id, f.seq]));
  });

  it('join and leave frames take no seq', async () => {
    const { room, clients } = await roomWith(connect, server, 1);
    const late = await connect(uid('late'));
    await late.join(room);
    clients[0].send({ type: 'text', content: 'after a join', room });
    expect((await clients[0].next<AnyFrame>(isText(room))).seq).toBe(1);
    expect(received(clients[0], (f) => f.type === 'join').every((f) => f.seq === undefined)).toBe(true);
  });

  it('POST /api/messages answers the seq of a room message, and none for a private one', async () => {
    const { room, clients } = await roomWith(connect, server, 1);
    const sender = clients[0].frames.find((f) => f.type === 'join') as AnyFrame;
    const body = { content: 'over rest', sender: 'X', sender_id: sender.user_id, room };
    const posted = await server.http('POST', '/api/messages', body);
    expect(posted.status).toBe(201);
    expect(posted.body.seq).toBe(1);
    expect(await clients[0].next<AnyFrame>(isText(room))).toMatchObject({ id: posted.body.id, seq: 1 });
    const dm = await server.http('POST', '/api/messages', { content: 'dm', sender: 'X', sender_id: sender.user_id, recipient: sender.user_id });
    expect(dm.status).toBe(201);
    expect(dm.body.seq).toBeUndefined();
  });

  it('a seed-level connection gets seq on the history replayed after its join', async () => {
    const { room, clients } = await roomWith(connect, server, 1);
    clients[0].send({ type: 'text', content: 'before the seed user', room });
    await clients[0].next(isText(room));
    const seed = await connect(uid('seed'), 'Seed', 1);
    await seed.join(room);
    expect(await seed.next<AnyFrame>(isText(room))).toMatchObject({ content: 'before the seed user', seq: 1 });
  });
});

describe('GET /api/rooms/:id/messages?after=<seq>', () => {
  let server: TestServer;
  let room: string;
  const connect = serverPerSuite(2, (started) => (server = started));

  beforeAll(async () => {
    room = await createRoom(server, 'after');
    const sender = await server.connect(uid('after-sender'), 'S', 2);
    await sender.join(room);
    for (let i = 1; i <= 12; i++) sender.send({ type: 'text', content: `a${i}`, room });
    await sender.collect(12, isText(room));
    await sender.close();
  });
  const seqs = async (query: string) => {
    const response = await page(server, room, query);
    expect(response.status).toBe(200);
    return (response.body.messages as AnyFrame[]).map((m) => m.seq);
  };

  it('after=0 answers from the first message, oldest first', async () => {
    expect(await seqs('after=0&limit=3')).toEqual([1, 2, 3]);
  });

  it('after=<seq> answers the oldest limit messages with a greater seq (default limit 50)', async () => {
    expect(await seqs('after=4&limit=5')).toEqual([5, 6, 7, 8, 9]);
    expect(await seqs('after=4')).toEqual([5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('paging with after walks the whole history once, in order', async () => {
    const all: number[] = [];
    let last = 0;
    for (;;) {
      const next = await seqs(`after=${last}&limit=5`);
      if (next.length === 0) break;
      all.push(...next);
      last = next[next.length - 1];
    }
    expect(all).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });

  it('after=<last seq> and beyond answer no messages', async () => {
    expect(await seqs('after=12')).toEqual([]);
    expect(await seqs('after=13')).toEqual([]);
    expect(await seqs('after=99999999999999999999')).toEqual([]);
  });

  it.each(['-1', '1.5', 'abc', '', '1e3', ' 3'])('after=%p gets 400', async (value) => {
    const response = await page(server, room, `after=${encodeURIComponent(value)}`);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
  });

  it('before and after together get 400', async () => {
    const [first] = (await page(server, room, 'limit=1')).body.messages as AnyFrame[];
    const response = await page(server, room, `after=1&before=${first.id}`);
    expect(response.status).toBe(400);
  });

  it('a bad limit with after still gets 400', async () => {
    expect((await page(server, room, 'after=1&limit=0')).status).toBe(400);
  });

  it('an unknown room gets 404', async () => {
    expect((await page(server, 'no-such-room', 'after=0')).status).toBe(404);
  });

  it('keeps working after more messages arrive', async () => {
    const late = await connect(uid('after-late'));
    await late.join(room);
    late.send({ type: 'text', content: 'a13', room });
    await late.next(isText(room, 'a13'));
    const [frame] = (await page(server, room, 'after=12')).body.messages as AnyFrame[];
    expect(frame).toMatchObject({ content: 'a13', seq: 13 });
  });
});

describe.each([
  ['SQLite', {}],
  ['memory storage', { storage: 'memory' as const }],
])('client_id on %s: a repeat is never stored or delivered twice', (_storage, overrides) => {
  let server: TestServer;
  const connect = serverPerSuite(2, (started) => (server = started), overrides);

  it('is echoed on the frames of a room message and a private message', async () => {
    const { room, clients } = await roomWith(connect, server, 2);
    clients[0].send({ type: 'text', content: 'keyed', room, client_id: 'k-1' });
    expect(await clients[1].next<AnyFrame>(isText(room))).toMatchObject({ content: 'keyed', client_id: 'k-1' });
    const history = (await page(server, room, 'limit=5')).body.messages as AnyFrame[];
    expect(history[0]).toMatchObject({ client_id: 'k-1' });
    const bobId = (clients[1].frames.find((f) => f.type === 'join') as AnyFrame).user_id;
    clients[0].send({ type: 'text', content: 'keyed dm', recipient: bobId, client_id: 'k-2' });
    expect(await clients[1].next<AnyFrame>(isPrivate('keyed dm'))).toMatchObject({ client_id: 'k-2' });
  });

  it('a frame without client_id has none', async () => {
    const { room, clients } = await roomWith(connect, server, 1);
    clients[0].send({ type: 'text', content: 'plain', room });
    expect((await clients[0].next<AnyFrame>(isText(room))).client_id).toBeUndefined();
  });

  it('a repeated frame gives the sender the stored frame again (same id, seq, timestamp) and no one else anything', async () => {
    const { room, clients } = await roomWith(connect, server, 2);
    const [ann, bob] = clients;
    const annId = (ann.frames.find((f) => f.type === 'join') as AnyFrame).user_id;
    const otherTab = await connect(annId);
    ann.send({ type: 'text', content: 'once', room, client_id: 'rep-1' });
    const first = await ann.next<AnyFrame>(isText(room));
    await bob.next(isText(room));
    await otherTab.next(isText(room));
    ann.send({ type: 'text', content: 'once', room, client_id: 'rep-1' });
    const again = await ann.next<AnyFrame>((f) => isText(room)(f) || isError(f));
    expect(again).toEqual(first);
    expect(await bob.quietFor(300, isText(room))).toEqual([]);
    expect(await otherTab.quietFor(0, isText(room))).toEqual([]);
    const history = (await page(server, room, 'limit=10')).body.messages as AnyFrame[];
    expect(history.map((m) => m.id)).toEqual([first.id]);
  });

  it('a repeat from a new connection (after a reconnect) is answered with the stored frame', async () => {
    const { room, clients } = await roomWith(connect, server, 1);
    const annId = (clients[0].frames.find((f) => f.type === 'join') as AnyFrame).user_id;
    clients[0].send({ type: 'text', content: 'before the cut', room, client_id: 'rec-1' });
    const first = await clients[0].next<AnyFrame>(isText(room));
    await clients[0].close();
    const again = await connect(annId);
    again.send({ type: 'text', content: 'before the cut', room, client_id: 'rec-1' });
    expect(await again.next<AnyFrame>((f) => isText(room)(f) || isError(f))).toEqual(first);
  });

  it('a repeat with other content, room or recipient gets an error frame and changes nothing', async () => {
    const { room, clients } = await roomWith(connect, server, 2);
    const [ann, bob] = clients;
    const other = await createRoom(server, 'dg-diff');
    await ann.join(other);
    const bobId = (bob.frames.find((f) => f.type === 'join') as AnyFrame).user_id;
    ann.send({ type: 'text', content: 'original', room, client_id: 'diff-1' });
    const stored = await ann.next<AnyFrame>(isText(room));
    for (const repeat of [
      { content: 'changed', room },
      { content: 'original', room: other },
      { content: 'original', recipient: bobId },
    ]) {
      ann.send({ type: 'text', ...repeat, client_id: 'diff-1' });
      const answer = await ann.next<AnyFrame>((f) => f.type === 'error' || f.type === 'text' || f.type === 'private');
      expect(answer).toMatchObject({ type: 'error', content: expect.stringContaining('client_id') });
    }
    expect(await bob.quietFor(200, (f) => f.type === 'text' && f.id !== stored.id)).toEqual([]);
    expect(((await page(server, room, 'limit=10')).body.messages as AnyFrame[]).map((m) => m.id)).toEqual([stored.id]);
    expect((await page(server, other, 'limit=10')).body.messages).toEqual([]);
    // The connection stays usable.
    ann.send({ type: 'text', content: 'next one', room, client_id: 'diff-2' });
    expect(await ann.next<AnyFrame>(isText(room))).toMatchObject({ content: 'next one', seq: 2 });
  });

  it('two connections of one user sending the same client_id at once store one message; each gets it, the others once', async () => {
    const { room, clients } = await roomWith(connect, server, 2);
    const [ann, bob] = clients;
    const annId = (ann.frames.find((f) => f.type === 'join') as AnyFrame).user_id;
    const tab = await connect(annId);
    for (let round = 0; round < 10; round++) {
      const frame = { type: 'text', content: `twin ${round}`, room, client_id: `twin-${round}` };
      ann.send(frame);
      tab.send(frame);
    }
    const annSaw = await ann.collect<AnyFrame>(10, isText(room));
    const tabSaw = await tab.collect<AnyFrame>(10, isText(room));
    const bobSaw = await bob.collect<AnyFrame>(10, isText(room));
    expect(bobSaw.map((f) => f.seq)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    expect(new Set(bobSaw.map((f) => f.client_id)).size).toBe(10);
    expect(await bob.quietFor(300, isText(room))).toEqual([]);
    for (const saw of [annSaw, tabSaw]) expect(new Set(saw.map((f) => f.id))).toEqual(new Set(bobSaw.map((f) => f.id)));
    const history = (await page(server, room, 'limit=50')).body.messages as AnyFrame[];
    expect(history.map((m) => m.id)).toEqual(bobSaw.map((f) => f.id));
  });

  it('the same client_id from two users is two messages', async () => {
    const { room, clients } = await roomWith(connect, server, 2);
    clients[0].send({ type: 'text', content: 'mine', room, client_id: 'same' });
    await clients[0].next(isText(room, 'mine'));
    clients[1].send({ type: 'text', content: 'mine too', room, client_id: 'same' });
    expect(await clients[1].next<AnyFrame>((f) => isText(room, 'mine too')(f) || isError(f))).toMatchObject({ type: 'text', seq: 2 });
  });

  it.each([
    ['empty', ''],
    ['65 characters', 'x'.repeat(65)],
    ['a number', 7],
  ])('a client_id that is %s gets an error frame and is not stored', async (_what, clientId) => {
    const { room, clients } = await roomWith(connect, server, 1);
    clients[0].send({ type: 'text', content: 'bad key', room, client_id: clientId });
    expect(await clients[0].next<AnyFrame>((f) => f.type === 'error' || isText(room)(f))).toMatchObject({
      type: 'error',
      content: expect.stringContaining('client_id'),
    });
    expect((await page(server, room, 'limit=5')).body.messages).toEqual([]);
  });

  it('a 64-character client_id is accepted', async () => {
    const { room, clients } = await roomWith(connect, server, 1);
    clients[0].send({ type: 'text', content: 'long key', room, client_id: 'k'.repeat(64) });
    expect(await clients[0].next<AnyFrame>((f) => isText(room)(f) || isError(f))).toMatchObject({ client_id: 'k'.repeat(64) });
  });
});

describe('client_id over POST /api/messages', () => {
  let server: TestServer;
  const connect = serverPerSuite(2, (started) => (server = started));

  async function member() {
    const room = await createRoom(server, 'rest-cid');
    const userId = uid('poster');
    const socket = await connect(userId);
    await socket.join(room);
    const watcher = await connect(uid('watcher'));
    await watcher.join(room);
    return { room, userId, socket, watcher };
  }

  it('a repeat answers 201 with the stored id, seq and timestamp, and is not delivered again', async () => {
    const { room, userId, socket, watcher } = await member();
    const body = { content: 'rest once', sender: 'P', sender_id: userId, room, client_id: 'r-1' };
    const first = await server.http('POST', '/api/messages', body);
    expect(first.status).toBe(201);
    expect(await watcher.next<AnyFrame>(isText(room))).toMatchObject({ id: first.body.id, client_id: 'r-1', seq: 1 });
    await socket.next(isText(room));
    const again = await server.http('POST', '/api/messages', body);
    expect(again.status).toBe(201);
    expect(again.body).toEqual({ message: 'Message sent successfully', id: first.body.id, seq: 1, timestamp: first.body.timestamp });
    expect(await watcher.quietFor(300, isText(room))).toEqual([]);
    expect(await socket.quietFor(0, isText(room))).toEqual([]);
  });

  it('a REST repeat of a message sent over the socket answers the socket message', async () => {
    const { room, userId, socket } = await member();
    socket.send({ type: 'text', content: 'socket first', room, client_id: 'mixed-1' });
    const sent = await socket.next<AnyFrame>(isText(room));
    const again = await server.http('POST', '/api/messages', { content: 'socket first', sender: 'P', sender_id: userId, room, client_id: 'mixed-1' });
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ id: sent.id, seq: sent.seq, timestamp: sent.timestamp });
  });

  it('a differing repeat gets 409 and stores nothing', async () => {
    const { room, userId, watcher } = await member();
    const body = { content: 'first words', sender: 'P', sender_id: userId, room, client_id: 'r-2' };
    expect((await server.http('POST', '/api/messages', body)).status).toBe(201);
    await watcher.next(isText(room));
    const conflict = await server.http('POST', '/api/messages', { ...body, content: 'other words' });
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({ statusCode: 409, error: 'Conflict' });
    expect(await watcher.quietFor(200, isText(room))).toEqual([]);
  });

  it('concurrent repeats store one message', async () => {
    const { room, userId, watcher } = await member();
    const body = { content: 'at once', sender: 'P', sender_id: userId, room, client_id: 'r-3' };
    const answers = await Promise.all(Array.from({ length: 8 }, () => server.http('POST', '/api/messages', body)));
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(201));
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    await watcher.next(isText(room));
    expect(await watcher.quietFor(300, isText(room))).toEqual([]);
  });

  it.each([
    ['empty', ''],
    ['65 characters', 'x'.repeat(65)],
    ['a number', 5],
  ])('a client_id that is %s gets 400', async (_what, clientId) => {
    const { room, userId } = await member();
    const response = await server.http('POST', '/api/messages', { content: 'x', sender: 'P', sender_id: userId, room, client_id: clientId });
    expect(response.status).toBe(400);
  });
});

describe('room_created', () => {
  let server: TestServer;
  const connect = serverPerSuite(2, (started) => (server = started));

  it('goes to every level-2 connection, member of anything or not, with the room as GET /api/rooms shows it', async () => {
    const first = await connect(uid('rc-a'));
    const second = await connect(uid('rc-b'));
    const created = await server.http('POST', '/api/rooms', { name: uid('Created'), description: 'new here' });
    expect(created.status).toBe(201);
    for (const client of [first, second]) {
      const frame = await client.next<AnyFrame>((f) => f.type === 'room_created');
      expect(frame).toEqual({ type: 'room_created', room: created.body.room, timestamp: expect.any(String) });
    }
    const listed = (await server.http('GET', '/api/rooms')).body.rooms;
    expect(listed).toContainEqual(created.body.room);
  });

  it('does not go to seed-level connections (the original client does not know it)', async () => {
    const seed = await connect(uid('rc-seed'), 'Seed', 1);
    await createRoom(server, 'rc-quiet');
    expect(await seed.quietFor(300, (f) => (f.type as string) === 'room_created')).toEqual([]);
  });

  it('a refused create announces nothing', async () => {
    const watcher = await connect(uid('rc-w'));
    const name = uid('Taken');
    await server.http('POST', '/api/rooms', { name });
    await watcher.next((f) => f.type === 'room_created');
    expect((await server.http('POST', '/api/rooms', { name: name.toUpperCase() })).status).toBe(409);
    expect(await watcher.quietFor(300, (f) => f.type === 'room_created')).toEqual([]);
  });
});
