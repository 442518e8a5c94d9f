import type { MessageUpdatedFrame } from '@chatstream/protocol';
import { DIALECTS, type TestDatabase } from './databases';
import { TestServer, isError, type Client } from './harness';
import { createRoom, type AnyFrame, uid } from './ws-helpers';

/** Contract "Conversations" (first half) over real HTTP and ws, AUTH=open: the rules apply to the connection's claimed user. */
describe.each(DIALECTS)('conversations on %s', (_dialect, create) => {
  let database: TestDatabase;
  let server: TestServer;
  const clients: Client[] = [];

  beforeAll(async () => {
    database = await create();
    server = await TestServer.start(database.dialect === 'sqlite' ? { dataDir: database.dataDir } : { databaseUrl: database.databaseUrl });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });
  afterAll(async () => {
    await server.close();
    await database.drop();
  });

  async function person(name: string, level: 1 | 2 = 2): Promise<Client & { id: string }> {
    const id = uid(name);
    const client = await server.connect(id, name, level);
    clients.push(client);
    return Object.assign(client, { id });
  }

  /** Sends a room message and answers the sender's copy. */
  async function post(client: Client, room: string, content: string, extra: Record<string, unknown> = {}): Promise<AnyFrame> {
    client.send({ type: 'text', room, content, ...extra });
    return client.next<AnyFrame>((f) => (f.type === 'text' && f.content === content) || isError(f));
  }

  const updated = (id: string, test: (m: AnyFrame) => boolean = () => true) => (f: AnyFrame) =>
    f.type === 'message_updated' && f.message.id === id && test(f.message);
  const errorFrame = (client: Client) => client.next<AnyFrame>(isError);

  async function roomOf(...people: Client[]): Promise<string> {
    const room = await createRoom(server, 'conv');
    for (const p of people) await p.join(room);
    return room;
  }

  it('a new message carries its whole state, and history has the same shape', async () => {
    const ann = await person('ann');
    const room = await roomOf(ann);
    const frame = await post(ann, room, 'hello');
    expect(frame).toMatchObject({ edited_at: null, deleted: false, reactions: [], reply_to: null, reply_count: 0, mentions: [], rev: frame.seq });
    const { body } = await server.http('GET', `/api/rooms/${room}/messages`);
    expect(body.messages).toEqual([frame]);
  });

  it('an edit reaches every member as message_updated with the new text and edited_at; the old text is not served', async () => {
    const ann = await person('ann');
    const bob = await person('bob');
    const room = await roomOf(ann, bob);
    const original = await post(ann, room, 'teh plan');
    ann.send({ type: 'edit', id: original.id, content: 'the plan' });
    const seen = await bob.next<MessageUpdatedFrame & AnyFrame>(updated(original.id));
    expect(seen.message).toMatchObject({ id: original.id, content: 'the plan', seq: original.seq, rev: original.rev + 1 });
    expect(seen.message.edited_at).toEqual(expect.any(String));
    await ann.next(updated(original.id));
    const { body } = await server.http('GET', `/api/rooms/${room}/messages`);
    expect(body.messages[0]).toMatchObject({ content: 'the plan', edited_at: seen.message.edited_at });
  });

  it("editing or deleting someone else's message is refused (error frame, 403), nothing changes and the socket stays open", async () => {
    const ann = await person('ann');
    const eve = await person('eve');
    const room = await roomOf(ann, eve);
    const original = await post(ann, room, 'mine');
    eve.send({ type: 'edit', id: original.id, content: 'yours now' });
    expect((await errorFrame(eve)).content).toMatch(/not your message/);
    eve.send({ type: 'delete', id: original.id });
    await eve.next((f) => isError(f) && eve.frames.filter(isError).length === 2);
    expect((await server.http('PATCH', `/api/messages/${original.id}?user_id=${eve.id}`, { content: 'x' })).status).toBe(403);
    expect((await server.http('DELETE', `/api/messages/${original.id}?user_id=${eve.id}`)).status).toBe(403);
    expect((await post(eve, room, 'still here')).type).toBe('text');
    const { body } = await server.http('GET', `/api/rooms/${room}/messages`);
    expect(body.messages[0]).toMatchObject({ content: 'mine', deleted: false, edited_at: null });
  });

  it('a delete leaves a tombstone in place; editing it is 409, reacting to it is 409, deleting again changes nothing', async () => {
    const ann = await person('ann');
    const bob = await person('bob');
    const room = await roomOf(ann, bob);
    const original = await post(ann, room, 'oops');
    const after = await post(ann, room, 'next');
    expect((await server.http('DELETE', `/api/messages/${original.id}?user_id=${ann.id}`)).status).toBe(204);
    expect((await bob.next<AnyFrame>(updated(original.id))).message).toMatchObject({ content: '', deleted: true });
    expect((await server.http('PATCH', `/api/messages/${original.id}?user_id=${ann.id}`, { content: 'again' })).status).toBe(409);
    expect((await server.http('PUT', `/api/messages/${original.id}/reactions/${encodeURIComponent('👍')}?user_id=${bob.id}`)).status).toBe(409);
    expect((await server.http('DELETE', `/api/messages/${original.id}?user_id=${ann.id}`)).status).toBe(204);
    const { body } = await server.http('GET', `/api/rooms/${room}/messages`);
    expect(body.messages.map((m: AnyFrame) => [m.id, m.content, m.deleted])).toEqual([
      [original.id, '', true],
      [after.id, 'next', false],
    ]);
  });

  it('an unknown message is 404 over REST and an error frame over ws', async () => {
    const ann = await person('ann');
    expect((await server.http('PATCH', `/api/messages/no-such-id?user_id=${ann.id}`, { content: 'x' })).status).toBe(404);
    expect((await server.http('PUT', `/api/messages/no-such-id/reactions/%F0%9F%91%8D?user_id=${ann.id}`)).status).toBe(404);
    expect((await server.http('GET', `/api/messages/no-such-id/replies`)).status).toBe(404);
    ann.send({ type: 'react', id: 'no-such-id', emoji: '👍' });
    expect((await errorFrame(ann)).content).toMatch(/unknown message/);
  });

  it('reactions: one per user per emoji, in order of first use, with who reacted; repeats and removals of none change nothing', async () => {
    const ann = await person('ann');
    const bob = await person('bob');
    const room = await roomOf(ann, bob);
    const original = await post(ann, room, 'lunch?');
    const put = (who: Client & { id: string }, emoji: string, method = 'PUT') =>
      server.http(method, `/api/messages/${original.id}/reactions/${encodeURIComponent(emoji)}?user_id=${who.id}`);
    expect((await put(bob, '👍')).body).toMatchObject({ id: original.id, reactions: [{ emoji: '👍', count: 1, user_ids: [bob.id] }] });
    ann.send({ type: 'react', id: original.id, emoji: ':tada:' });
    await bob.next(updated(original.id, (m) => m.reactions.length === 2));
    const same = await put(bob, '👍');
    expect(same.status).toBe(200);
    ann.send({ type: 'react', id: original.id, emoji: '👍' });
    const both = await bob.next<AnyFrame>(updated(original.id, (m) => m.reactions[0].count === 2));
    expect(both.message.reactions).toEqual([
      { emoji: '👍', count: 2, user_ids: [bob.id, ann.id] },
      { emoji: ':tada:', count: 1, user_ids: [ann.id] },
    ]);
    expect((await put(bob, '❤️', 'DELETE')).body.rev).toBe(both.message.rev);
    const gone = await put(bob, '👍', 'DELETE');
    expect(gone.body.reactions).toEqual([
      { emoji: '👍', count: 1, user_ids: [ann.id] },
      { emoji: ':tada:', count: 1, user_ids: [ann.id] },
    ]);
    // Repeats sent nothing: bob saw exactly the four changes.
    await bob.next(updated(original.id, (m) => m.rev === gone.body.rev));
    expect(bob.frames.filter((f) => updated(original.id)(f as AnyFrame))).toHaveLength(4);
  });

  it('a reaction that is not one emoji or a :short_code: is 400 / an error frame; a 21st distinct emoji is 409', async () => {
    const ann = await person('ann');
    const room = await roomOf(ann);
    const original = await post(ann, room, 'react to me');
    for (const bad of ['👍👍', 'ok', ':Upper:', '::', `:${'a'.repeat(33)}:`, 'a\u0301']) {
      expect((await server.http('PUT', `/api/messages/${original.id}/reactions/${encodeURIComponent(bad)}?user_id=${ann.id}`)).status).toBe(400);
    }
    ann.send({ type: 'react', id: original.id, emoji: 'lol' });
    expect((await errorFrame(ann)).content).toMatch(/emoji/);
    for (const good of ['👍🏽', '👨‍👩‍👧', '🇫🇷', '1️⃣', ':+1:']) {
      expect((await server.http('PUT', `/api/messages/${original.id}/reactions/${encodeURIComponent(good)}?user_id=${ann.id}`)).status).toBe(200);
    }
    for (let i = 0; i < 15; i++) {
      expect((await server.http('PUT', `/api/messages/${original.id}/reactions/:e${i}:?user_id=${ann.id}`)).status).toBe(200);
    }
    const twentyFirst = await server.http('PUT', `/api/messages/${original.id}/reactions/:one-too-many:?user_id=${ann.id}`);
    expect(twentyFirst.status).toBe(409);
    const { body } = await server.http('GET', `/api/rooms/${room}/messages`);
    expect(body.messages[0].reactions).toHaveLength(20);
  });

  it('threads: a reply names its parent, moves its reply_count (message_updated), and is listed by /replies; one level deep, same room', async () => {
    const ann = await person('ann');
    const bob = await person('bob');
    const room = await roomOf(ann, bob);
    const other = await roomOf(ann, bob);
    const parent = await post(ann, room, 'question');
    const reply = await post(bob, room, 'answer', { reply_to: parent.id });
    expect(reply).toMatchObject({ type: 'text', reply_to: parent.id });
    expect((await ann.next<AnyFrame>(updated(parent.id))).message).toMatchObject({ reply_count: 1 });
    expect((await server.http('GET', `/api/messages/${parent.id}/replies`)).body.messages.map((m: AnyFrame) => m.id)).toEqual([reply.id]);

    expect((await post(ann, room, 'nested', { reply_to: reply.id })).type).toBe('error');
    expect((await post(ann, other, 'elsewhere', { reply_to: parent.id })).type).toBe('error');
    expect((await post(ann, room, 'to nothing', { reply_to: 'no-such-id' })).content).toMatch(/unknown message/);
    expect((await server.http('GET', `/api/messages/${parent.id}/replies`)).body.messages).toHaveLength(1);
  });

  it("a sender's reply and the message right after it are stored in the order sent", async () => {
    const ann = await person('ann');
    const room = await roomOf(ann);
    const parent = await post(ann, room, 'parent');
    ann.send({ type: 'text', room, content: 'the reply', reply_to: parent.id });
    ann.send({ type: 'text', room, content: 'right after' });
    await ann.next((f) => f.type === 'text' && f.content === 'right after');
    const { body } = await server.http('GET', `/api/rooms/${room}/messages`);
    expect(body.messages.map((m: AnyFrame) => m.content)).toEqual(['parent', 'the reply', 'right after']);
  });

  it('mentions hold the ids of known users named as @username, nobody else', async () => {
    const ann = await person('ann');
    const bob = await person('bobby');
    const room = await roomOf(ann, bob);
    const frame = await post(ann, room, 'hi @bobby, @nobody-here and mail@bobby.example; see @Bobby.');
    expect(frame.mentions).toEqual([bob.id]);
    ann.send({ type: 'edit', id: frame.id, content: 'never mind' });
    expect((await ann.next<AnyFrame>(updated(frame.id))).message.mentions).toEqual([]);
  });

  it('changed_after brings a client that was away exactly to the server view: edits, deletes, reactions and replies included', async () => {
    const ann = await person('ann');
    const bob = await person('bob');
    const room = await roomOf(ann, bob);
    const first = await post(ann, room, 'one');
    const second = await post(ann, room, 'two');
    const { body: seen } = await server.http('GET', `/api/rooms/${room}/messages`);
    const lastRev = Math.max(...seen.messages.map((m: AnyFrame) => m.rev));
    await bob.close();

    ann.send({ type: 'edit', id: first.id, content: 'one!' });
    await ann.next(updated(first.id));
    ann.send({ type: 'delete', id: second.id });
    await ann.next(updated(second.id));
    ann.send({ type: 'react', id: first.id, emoji: '🎉' });
    await ann.next(updated(first.id, (m) => m.reactions.length === 1));
    await post(ann, room, 'three', { reply_to: first.id });
    await ann.next(updated(first.id, (m) => m.reply_count === 1));

    const view = new Map<string, AnyFrame>(seen.messages.map((m: AnyFrame) => [m.id, m]));
    let rev = lastRev;
    for (;;) {
      const { status, body } = await server.http('GET', `/api/rooms/${room}/messages?changed_after=${rev}&limit=2`);
      expect(status).toBe(200);
      if (body.messages.length === 0) break;
      for (const m of body.messages) view.set(m.id, m);
      rev = body.messages[body.messages.length - 1].rev;
    }
    const { body: truth } = await server.http('GET', `/api/rooms/${room}/messages`);
    expect([...view.values()].sort((a, b) => a.seq - b.seq)).toEqual(truth.messages);
  });

  it('changed_after: not an integer, or with before/after, is 400', async () => {
    const room = await createRoom(server, 'conv-bad');
    for (const q of ['changed_after=1.5', 'changed_after=-1', 'changed_after=x', 'changed_after=1&after=1', 'changed_after=1&before=abc']) {
      expect((await server.http('GET', `/api/rooms/${room}/messages?${q}`)).status).toBe(400);
    }
  });

  it('typing reaches the other members, level 2 only, never the typist (not its other tab), at most once per 2 s, never stored', async () => {
    const ann = await person('ann');
    const annTab = await server.connect(ann.id, 'ann', 2);
    clients.push(annTab);
    const bob = await person('bob');
    const seed = await person('seedy', 1);
    const room = await roomOf(ann, bob, seed);
    for (let i = 0; i < 5; i++) ann.send({ type: 'typing', room });
    expect(await bob.next((f) => f.type === 'typing')).toEqual({ type: 'typing', room, user_id: ann.id, username: 'ann' });
    await post(ann, room, 'typed');
    await bob.next((f) => f.type === 'text' && f.content === 'typed');
    expect(bob.frames.filter((f) => f.type === 'typing')).toHaveLength(1);
    expect([...ann.frames, ...annTab.frames, ...seed.frames].filter((f) => f.type === 'typing')).toEqual([]);
    expect(ann.frames.filter(isError)).toEqual([]);
    const { body } = await server.http('GET', `/api/rooms/${room}/messages`);
    expect(body.messages.map((m: AnyFrame) => m.content)).toEqual(['typed']);
  });

  it('typing to a room one is not in, or to an unknown person, is an error frame', async () => {
    const ann = await person('ann');
    const room = await createRoom(server, 'conv-typing');
    ann.send({ type: 'typing', room });
    expect((await errorFrame(ann)).content).toMatch(/not a member/);
    ann.send({ type: 'typing', recipient: 'nobody-at-all' });
    await ann.next(() => ann.frames.filter(isError).length === 2);
  });

  it('private messages are numbered per conversation and can be edited and reacted to by their two people only', async () => {
    const ann = await person('ann');
    const bob = await person('bob');
    const eve = await person('eve');
    ann.send({ type: 'text', recipient: bob.id, content: 'psst' });
    const first = await bob.next<AnyFrame>((f) => f.type === 'private' && f.content === 'psst');
    bob.send({ type: 'text', recipient: ann.id, content: 'yes?' });
    const second = await ann.next<AnyFrame>((f) => f.type === 'private' && f.content === 'yes?');
    expect([first.seq, second.seq, first.rev, second.rev]).toEqual([1, 2, 1, 2]);
    bob.send({ type: 'react', id: first.id, emoji: '👀' });
    expect((await ann.next<AnyFrame>(updated(first.id))).message.reactions).toEqual([{ emoji: '👀', count: 1, user_ids: [bob.id] }]);
    eve.send({ type: 'react', id: first.id, emoji: '👀' });
    expect((await errorFrame(eve)).content).toMatch(/unknown message/);
    expect(eve.frames.some((f) => f.type === 'message_updated')).toBe(false);
  });
});
