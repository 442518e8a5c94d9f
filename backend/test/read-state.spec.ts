import { DIALECTS, type TestDatabase } from './databases';
import { TestServer, isError, sleep, type Client } from './harness';
import type { Credentials } from './accounts';
import type { AnyFrame } from './ws-helpers';

let names = 0;
const name = (prefix: string) => `${prefix}${++names}${Math.random().toString(36).slice(2, 6)}`;

type Person = Credentials & { ws: Client };

/** Contract "What is new and where": read pointers, the read frame, unread and mention counts, over real HTTP and ws. */
describe.each(DIALECTS)('read state on %s', (_dialect, create) => {
  let database: TestDatabase;
  let server: TestServer;
  const clients: Client[] = [];

  beforeAll(async () => {
    database = await create();
    const storage = database.dialect === 'sqlite' ? { dataDir: database.dataDir } : { databaseUrl: database.databaseUrl };
    server = await TestServer.start({ auth: 'accounts', ...storage });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });
  afterAll(async () => {
    await server.close();
    await database.drop();
  });

  async function person(prefix: string): Promise<Person> {
    const credentials = await server.register(name(prefix));
    return { ...credentials, ws: await socketOf(credentials) };
  }

  async function socketOf(credentials: Credentials): Promise<Client> {
    const ws = await server.connectWith(credentials);
    clients.push(ws);
    return ws;
  }

  async function roomOf(...people: Person[]): Promise<string> {
    const made = await server.request('POST', '/api/rooms', { bearer: people[0].token, body: { name: name('reads') } });
    const room = made.body.room.id as string;
    for (const p of people) await p.ws.join(room);
    return room;
  }

  async function say(who: Person, room: string, content: string): Promise<AnyFrame> {
    who.ws.send({ type: 'text', room, content });
    return who.ws.next<AnyFrame>((f) => (f.type === 'text' && f.content === content) || isError(f));
  }

  async function tell(who: Person, to: Person, content: string): Promise<AnyFrame> {
    who.ws.send({ type: 'text', recipient: to.user.id, content });
    return who.ws.next<AnyFrame>((f) => (f.type === 'private' && f.content === content) || isError(f));
  }

  async function stateOf(who: Person, room: string): Promise<AnyFrame> {
    const { body } = await server.request('GET', '/api/rooms', { bearer: who.token });
    const listed = body.rooms.find((r: AnyFrame) => r.id === room);
    return { last_read_seq: listed.last_read_seq, unread: listed.unread, unread_mentions: listed.unread_mentions };
  }

  async function conversationState(who: Person, other: Person): Promise<AnyFrame> {
    const { body } = await server.request('GET', '/api/conversations', { bearer: who.token });
    const listed = body.conversations.find((c: AnyFrame) => c.user.id === other.user.id);
    return { last_read_seq: listed.last_read_seq, unread: listed.unread, unread_mentions: listed.unread_mentions };
  }

  /** A read frame, then a join the server refuses: reads and joins of a connection run in order, so the read is done when that error comes. */
  async function read(who: Person, target: Record<string, unknown>): Promise<void> {
    who.ws.send({ type: 'read', ...target });
    const marker = name('mark');
    who.ws.send({ type: 'join_room', content: marker });
    await who.ws.next((f) => isError(f) && (f as AnyFrame).content.includes(marker));
  }

  it('unread counts the messages of others after the pointer; own messages never count', async () => {
    const ann = await person('ann');
    const bob = await person('bob');
    const room = await roomOf(ann, bob);
    await say(bob, room, 'one');
    await say(ann, room, 'mine');
    await say(bob, room, 'two');
    expect(await stateOf(ann, room)).toEqual({ last_read_seq: 0, unread: 2, unread_mentions: 0 });
    expect(await stateOf(bob, room)).toEqual({ last_read_seq: 0, unread: 1, unread_mentions: 0 });
  });

  it('the pointer moves only forward and never past the last seq, and it is per user', async () => {
    const ann = await person('ann');
    const bob = await person('bob');
    const room = await roomOf(ann, bob);
    for (const content of ['a', 'b', 'c']) await say(bob, room, content);
    await read(ann, { room, seq: 2 });
    expect(await stateOf(ann, room)).toEqual({ last_read_seq: 2, unread: 1, unread_mentions: 0 });
    await read(ann, { room, seq: 1 });
    expect((await stateOf(ann, room)).last_read_seq).toBe(2);
    await read(ann, { room, seq: 1_000_000 });
    expect(await stateOf(ann, room)).toEqual({ last_read_seq: 3, unread: 0, unread_mentions: 0 });
    // Capped: the next message is unread, not swallowed by a pointer that ran ahead.
    await say(bob, room, 'd');
    expect(await stateOf(ann, room)).toEqual({ last_read_seq: 3, unread: 1, unread_mentions: 0 });
    expect((await stateOf(bob, room)).last_read_seq).toBe(0);
  });

  it("a read frame naming someone else (user_id, sender_id) never moves that person's pointer", async () => {
    const ann = await person('ann');
    const bob = await person('bob');
    const cat = await person('cat');
    const room = await roomOf(ann, bob, cat);
    for (const content of ['x', 'y']) await say(cat, room, content);
    // The attack: ann claims to be bob in the frame. Identity comes from the session only.
    await read(ann, { room, seq: 2, user_id: bob.user.id, sender_id: bob.user.id });
    expect(await stateOf(bob, room)).toEqual({ last_read_seq: 0, unread: 2, unread_mentions: 0 });
    expect((await stateOf(ann, room)).last_read_seq).not.toBeGreaterThan(2);
  });

  it("a read goes to the user's other connections, not to the one that read, nor to anyone else", async () => {
    const ann = await person('ann');
    const annTab = await socketOf(ann);
    const bob = await person('bob');
    const room = await roomOf(ann, bob);
    await say(bob, room, 'hello');
    await say(bob, room, 'there');
    ann.ws.send({ type: 'read', room, seq: 2 });
    expect(await annTab.next((f) => f.type === 'read')).toEqual({ type: 'read', room, seq: 2 });
    // A read that moves nothing is not announced again.
    await read(ann, { room, seq: 1 });
    await read(ann, { room, seq: 2 });
    await sleep(100);
    expect(annTab.frames.filter((f) => f.type === 'read')).toHaveLength(1);
    expect(ann.ws.frames.filter((f) => f.type === 'read')).toEqual([]);
    expect(bob.ws.frames.filter((f) => f.type === 'read')).toEqual([]);
  });

  it('mentions count while unread; a mention edited away and a deleted message stop counting at once', async () => {
    const ann = await person('ann');
    const bob = await person('bob');
    const room = await roomOf(ann, bob);
    const first = await say(bob, room, `hey @${ann.user.username}`);
    const second = await say(bob, room, `@${ann.user.username} look`);
    await say(bob, room, 'no mention');
    await say(ann, room, `@${ann.user.username} note to self`);
    expect(await stateOf(ann, room)).toEqual({ last_read_seq: 0, unread: 3, unread_mentions: 2 });

    bob.ws.send({ type: 'edit', id: first.id, content: 'hey everyone' });
    await bob.ws.next((f) => f.type === 'message_updated' && (f as AnyFrame).message.id === first.id);
    expect(await stateOf(ann, room)).toEqual({ last_read_seq: 0, unread: 3, unread_mentions: 1 });

    bob.ws.send({ type: 'delete', id: second.id });
    await bob.ws.next((f) => f.type === 'message_updated' && (f as AnyFrame).message.deleted === true);
    expect(await stateOf(ann, room)).toEqual({ last_read_seq: 0, unread: 2, unread_mentions: 0 });

    // Edited back in: it counts again.
    bob.ws.send({ type: 'edit', id: first.id, content: `hey again @${ann.user.username}` });
    await bob.ws.next((f) => f.type === 'message_updated' && (f as AnyFrame).message.content.startsWith('hey again'));
    expect(await stateOf(ann, room)).toEqual({ last_read_seq: 0, unread: 2, unread_mentions: 1 });
    await read(ann, { room, seq: 4 });
    expect(await stateOf(ann, room)).toEqual({ last_read_seq: 4, unread: 0, unread_mentions: 0 });
  });

  it('a private conversation has its own pointer, counts and read frame', async () => {
    const ann = await person('ann');
    const annTab = await socketOf(ann);
    const bob = await person('bob');
    await tell(bob, ann, 'first');
    await tell(bob, ann, `second @${ann.user.username}`);
    await tell(ann, bob, 'reply');
    expect(await conversationState(ann, bob)).toEqual({ last_read_seq: 0, unread: 2, unread_mentions: 1 });
    expect(await conversationState(bob, ann)).toEqual({ last_read_seq: 0, unread: 1, unread_mentions: 0 });
    ann.ws.send({ type: 'read', recipient: bob.user.id, seq: 9 });
    expect(await annTab.next((f) => f.type === 'read')).toEqual({ type: 'read', recipient: bob.user.id, seq: 3 });
    expect(await conversationState(ann, bob)).toEqual({ last_read_seq: 3, unread: 0, unread_mentions: 0 });
    expect(await conversationState(bob, ann)).toEqual({ last_read_seq: 0, unread: 1, unread_mentions: 0 });
  });

  it('a first join starts the pointer at the last message; a rejoin keeps it, so what came meanwhile is unread', async () => {
    const ann = await person('ann');
    const bob = await person('bob');
    const room = await roomOf(bob);
    await say(bob, room, 'before ann');
    await say(bob, room, 'still before ann');
    await ann.ws.join(room);
    expect(await stateOf(ann, room)).toEqual({ last_read_seq: 2, unread: 0, unread_mentions: 0 });
    await say(bob, room, 'welcome ann');
    expect(await stateOf(ann, room)).toEqual({ last_read_seq: 2, unread: 1, unread_mentions: 0 });
    ann.ws.send({ type: 'leave_room', content: room });
    await ann.ws.next((f) => f.type === 'leave');
    await say(bob, room, `while you were away @${ann.user.username}`);
    await ann.ws.join(room);
    expect(await stateOf(ann, room)).toEqual({ last_read_seq: 2, unread: 2, unread_mentions: 1 });
  });

  it('a room one is not a member of shows nothing unread', async () => {
    const ann = await person('ann');
    const bob = await person('bob');
    const room = await roomOf(bob);
    await say(bob, room, 'only bob is here');
    expect(await stateOf(ann, room)).toEqual({ last_read_seq: 0, unread: 0, unread_mentions: 0 });
  });

  it('bad reads are error frames and the socket stays usable', async () => {
    const ann = await person('ann');
    const bob = await person('bob');
    const room = await roomOf(bob);
    const refusals: Array<[Record<string, unknown>, RegExp]> = [
      [{ room, seq: -1 }, /seq must be an integer >= 0/],
      [{ room, seq: 1.5 }, /seq must be an integer >= 0/],
      [{ room, seq: '3' }, /seq must be an integer >= 0/],
      [{ room }, /seq must be an integer >= 0/],
      [{ seq: 1 }, /exactly one of room and recipient/],
      [{ room, recipient: bob.user.id, seq: 1 }, /exactly one of room and recipient/],
      [{ room: 'no-such-room', seq: 1 }, /unknown room/],
      [{ room, seq: 1 }, /not a member of room/],
      [{ recipient: 'nobody-at-all', seq: 1 }, /unknown recipient/],
    ];
    for (const [frame, reason] of refusals) {
      const before = ann.ws.frames.filter(isError).length;
      ann.ws.send({ type: 'read', ...frame });
      const error = await ann.ws.next<AnyFrame>(() => ann.ws.frames.filter(isError).length > before);
      expect(ann.ws.frames.filter(isError)[before]).toEqual({ type: 'error', content: expect.stringMatching(reason) });
      expect(error.type).toBe('error');
    }
    const seed = await server.connectWith(ann, { level: 1 });
    clients.push(seed);
    seed.send({ type: 'read', room, seq: 1 });
    expect((await seed.next<AnyFrame>(isError)).content).toMatch(/protocol=2/);
    const own = await roomOf(ann);
    expect((await say(ann, own, 'still works')).type).toBe('text');
  });
});

describe('read state in AUTH=open', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await TestServer.start({ auth: 'open' });
  });
  afterAll(() => server.close());

  it('the read frame is refused (identity is not proven) and rooms carry no read state', async () => {
    const ann = await server.connect('open-ann', 'ann', 2);
    await ann.join('general');
    ann.send({ type: 'read', room: 'general', seq: 1 });
    expect((await ann.next<AnyFrame>(isError)).content).toMatch(/AUTH=accounts/);
    const { body } = await server.http('GET', '/api/rooms');
    expect(body.rooms[0]).not.toHaveProperty('unread');
    await ann.close();
  });
});
