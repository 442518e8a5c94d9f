import { TestServer, isError, type Client } from './harness';
import type { Credentials } from './accounts';
import type { AnyFrame } from './ws-helpers';

let names = 0;
const name = (prefix: string) => `${prefix}${++names}${Math.random().toString(36).slice(2, 6)}`;

/** Accounts mode: who edits, deletes, reacts and reads a thread is the session's user, never a query or frame field. */
describe('conversations in accounts mode', () => {
  let server: TestServer;
  const clients: Client[] = [];

  beforeAll(async () => {
    server = await TestServer.start({ auth: 'accounts' });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });
  afterAll(() => server.close());

  async function signedIn(prefix: string, query?: Record<string, string>): Promise<Credentials & { ws: Client }> {
    const credentials = await server.register(name(prefix));
    const ws = await server.connectWith(credentials, { query });
    clients.push(ws);
    return { ...credentials, ws };
  }

  async function roomMessage(who: Credentials & { ws: Client }, content: string): Promise<{ room: string; message: AnyFrame }> {
    const made = await server.request('POST', '/api/rooms', { bearer: who.token, body: { name: name('acc-conv') } });
    const room = made.body.room.id as string;
    await who.ws.join(room);
    who.ws.send({ type: 'text', room, content });
    return { room, message: await who.ws.next<AnyFrame>((f) => f.type === 'text' && f.content === content) };
  }

  it('the routes need a session: 401 without credentials', async () => {
    expect((await server.request('PATCH', '/api/messages/x', { body: { content: 'x' } })).status).toBe(401);
    expect((await server.request('DELETE', '/api/messages/x')).status).toBe(401);
    expect((await server.request('PUT', '/api/messages/x/reactions/%F0%9F%91%8D')).status).toBe(401);
    expect((await server.request('GET', '/api/messages/x/replies')).status).toBe(401);
  });

  it("a user_id in the query does not make a request someone else's: eve cannot edit or delete ann's message", async () => {
    const ann = await signedIn('ann');
    const eve = await signedIn('eve');
    const { message } = await roomMessage(ann, 'original');
    const asAnn = `?user_id=${ann.user.id}`;
    expect((await server.request('PATCH', `/api/messages/${message.id}${asAnn}`, { bearer: eve.token, body: { content: 'forged' } })).status).toBe(403);
    expect((await server.request('DELETE', `/api/messages/${message.id}${asAnn}`, { bearer: eve.token })).status).toBe(403);
    const own = await server.request('PATCH', `/api/messages/${message.id}`, { bearer: ann.token, body: { content: 'edited by ann' } });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ id: message.id, content: 'edited by ann', sender_id: ann.user.id });
  });

  it("a socket opened with a spoofed user_id is still its session's user: its edit of the victim's message is refused", async () => {
    const ann = await signedIn('ann');
    const { room, message } = await roomMessage(ann, 'keep me');
    const eve = await signedIn('eve', { user_id: ann.user.id, username: ann.user.username });
    eve.ws.send({ type: 'edit', id: message.id, content: 'forged' });
    expect((await eve.ws.next<AnyFrame>(isError)).content).toMatch(/not your message/);
    eve.ws.send({ type: 'delete', id: message.id });
    await eve.ws.next(() => eve.ws.frames.filter(isError).length === 2);
    const { body } = await server.request('GET', `/api/rooms/${room}/messages`, { bearer: ann.token });
    expect(body.messages[0]).toMatchObject({ content: 'keep me', deleted: false });
  });

  it('a private conversation pages by seq (after=) and by change (changed_after=), for its two people only', async () => {
    const ann = await signedIn('ann');
    const bob = await signedIn('bob');
    const eve = await signedIn('eve');
    for (const content of ['one', 'two', 'three']) {
      ann.ws.send({ type: 'text', recipient: bob.user.id, content });
      await ann.ws.next((f) => f.type === 'private' && f.content === content);
    }
    const path = (other: string, q: string) => `/api/conversations/${other}/messages?${q}`;
    const after = await server.request('GET', path(ann.user.id, 'after=1'), { bearer: bob.token });
    expect(after.body.messages.map((m: AnyFrame) => [m.content, m.seq])).toEqual([
      ['two', 2],
      ['three', 3],
    ]);
    const first = after.body.messages[0];
    const reacted = await server.request('PUT', `/api/messages/${first.id}/reactions/${encodeURIComponent('👍')}`, { bearer: bob.token });
    expect(reacted.status).toBe(200);
    expect((await ann.ws.next<AnyFrame>((f) => f.type === 'message_updated' && f.message.id === first.id)).message.reactions).toHaveLength(1);
    const changed = await server.request('GET', path(bob.user.id, 'changed_after=3'), { bearer: ann.token });
    expect(changed.body.messages.map((m: AnyFrame) => [m.id, m.rev])).toEqual([[first.id, 4]]);

    expect((await server.request('PUT', `/api/messages/${first.id}/reactions/${encodeURIComponent('👍')}`, { bearer: eve.token })).status).toBe(404);
    expect((await server.request('GET', `/api/messages/${first.id}/replies`, { bearer: eve.token })).status).toBe(404);
    expect((await server.request('GET', path(bob.user.id, 'changed_after=0'), { bearer: eve.token })).body.messages).toEqual([]);
    expect((await server.request('GET', path(bob.user.id, 'changed_after=1&after=1'), { bearer: ann.token })).status).toBe(400);
    expect(eve.ws.frames.some((f) => f.type === 'message_updated')).toBe(false);
  });

  it('typing to a person reaches their connections, not the typist', async () => {
    const ann = await signedIn('ann');
    const bob = await signedIn('bob');
    ann.ws.send({ type: 'typing', recipient: bob.user.id });
    expect(await bob.ws.next((f) => f.type === 'typing')).toEqual({ type: 'typing', recipient: bob.user.id, user_id: ann.user.id, username: ann.user.username });
    expect(ann.ws.frames.filter((f) => f.type === 'typing' || isError(f))).toEqual([]);
  });

  it('a private thread: a reply names its parent and moves its reply_count for both people; /replies lists it for them only', async () => {
    const ann = await signedIn('ann');
    const bob = await signedIn('bob');
    const eve = await signedIn('eve');
    ann.ws.send({ type: 'text', recipient: bob.user.id, content: 'lunch?' });
    const parent = await bob.ws.next<AnyFrame>((f) => f.type === 'private' && f.content === 'lunch?');
    bob.ws.send({ type: 'text', recipient: ann.user.id, content: 'yes, noon', reply_to: parent.id });
    expect(await ann.ws.next<AnyFrame>((f) => f.type === 'private' && f.content === 'yes, noon')).toMatchObject({ reply_to: parent.id });
    for (const who of [ann, bob]) {
      expect((await who.ws.next<AnyFrame>((f) => f.type === 'message_updated' && f.message.id === parent.id)).message.reply_count).toBe(1);
      const replies = await server.request('GET', `/api/messages/${parent.id}/replies`, { bearer: who.token });
      expect(replies.body.messages.map((m: AnyFrame) => [m.content, m.reply_to])).toEqual([['yes, noon', parent.id]]);
    }
    expect((await server.request('GET', `/api/messages/${parent.id}/replies`, { bearer: eve.token })).status).toBe(404);
    // Another conversation cannot answer it, and a third person cannot see it exists.
    eve.ws.send({ type: 'text', recipient: ann.user.id, content: 'me too', reply_to: parent.id });
    expect((await eve.ws.next<AnyFrame>(isError)).content).toMatch(/unknown message/);
    expect(eve.ws.frames.some((f) => f.type === 'message_updated')).toBe(false);
  });
});
