import { isError, type Client, TestServer } from './harness';
import { type AnyFrame, createRoom, history, isText, uid } from './ws-helpers';

/*
 * The contract's "Rate limits": per user, frames and POST /api/messages
 * together, a burst then a steady rate; over it, nothing stored or delivered.
 * The rate is slow (one message per 5 s) so that no allowance comes back
 * while a spec runs, however busy the machine.
 */
const BURST = 5;

describe('message rate limit', () => {
  let server: TestServer;
  const clients: Client[] = [];

  beforeAll(async () => {
    server = await TestServer.start({ rateMessageBurst: BURST, rateMessagesPerSecond: 0.2 });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });
  afterAll(() => server.close());

  async function member(room: string, userId = uid('user')): Promise<{ client: Client; userId: string }> {
    const client = await server.connect(userId, userId, 2);
    clients.push(client);
    await client.join(room);
    return { client, userId };
  }

  const post = (userId: string, room: string, content: string) =>
    fetch(`${server.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ content, sender: userId, sender_id: userId, room }),
    });

  /** Waits until the client has `count` frames matching (acks and error frames interleave). */
  async function settle(client: Client, count: number, match: (frame: AnyFrame) => boolean): Promise<AnyFrame[]> {
    const deadline = Date.now() + 5000;
    while ((client.frames as AnyFrame[]).filter(match).length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return (client.frames as AnyFrame[]).filter(match);
  }

  it('a flood over the socket: the burst is delivered and stored, the rest get error frames with retry_after_ms, the socket stays open', async () => {
    const room = await createRoom(server, 'flood');
    const sender = await member(room);
    const watcher = await member(room);
    for (let i = 1; i <= 3 * BURST; i++) sender.client.send({ type: 'text', content: `m${i}`, room });

    const errors = await settle(sender.client, 2 * BURST, (f) => f.type === 'error');
    const acks = await settle(sender.client, BURST, (f) => f.type === 'text');
    expect(acks.map((f) => f.content)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    expect(errors).toHaveLength(2 * BURST);
    for (const error of errors) {
      expect(error).toEqual({ type: 'error', content: `rate limited: retry in ${error.retry_after_ms} ms`, retry_after_ms: expect.any(Number) });
      expect(error.retry_after_ms).toBeGreaterThan(0);
      expect(error.retry_after_ms).toBeLessThanOrEqual(5000);
    }
    expect((await history(server, room, 50)).map((m) => m.content)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    await watcher.client.quietFor(200);
    expect(watcher.client.frames.filter((f) => f.type === 'text').map((f) => f.content)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);

    // The socket is still open and usable: membership frames are not messages, and others' messages still arrive.
    expect(sender.client.closed).toBeUndefined();
    const other = await createRoom(server, 'flood-other');
    sender.client.send({ type: 'join_room', content: other });
    await sender.client.next((f) => f.type === 'join' && f.room === other);
    watcher.client.send({ type: 'text', content: 'from the watcher', room });
    await sender.client.next(isText(room, 'from the watcher'));
  });

  it('POST /api/messages over the limit answers 429 with Retry-After in whole seconds and stores nothing', async () => {
    const room = await createRoom(server, 'rest');
    const { userId } = await member(room);
    for (let i = 1; i <= BURST; i++) expect((await post(userId, room, `r${i}`)).status).toBe(201);
    const refused = await post(userId, room, 'one too many');
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(5);
    const body = await refused.json();
    expect(body).toEqual({ statusCode: 429, message: expect.stringMatching(/^rate limited: retry in \d+ ms$/), error: 'Too Many Requests' });
    expect((await history(server, room, 50)).map((m) => m.content)).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
  });

  it('frames and REST share one allowance', async () => {
    const room = await createRoom(server, 'shared');
    const { client, userId } = await member(room);
    for (let i = 1; i <= BURST - 2; i++) {
      client.send({ type: 'text', content: `ws${i}`, room });
      await client.next(isText(room, `ws${i}`));
    }
    expect((await post(userId, room, 'rest1')).status).toBe(201);
    expect((await post(userId, room, 'rest2')).status).toBe(201);
    client.send({ type: 'text', content: 'ws over', room });
    expect(await client.next<AnyFrame>((f) => isError(f) || isText(room, 'ws over')(f))).toMatchObject({ type: 'error', retry_after_ms: expect.any(Number) });
    expect((await post(userId, room, 'rest over')).status).toBe(429);
    expect((await history(server, room, 50)).map((m) => m.content)).toEqual(['ws1', 'ws2', 'ws3', 'rest1', 'rest2']);
  });

  it("one user's flood does not limit another user", async () => {
    const room = await createRoom(server, 'two');
    const flooder = await member(room);
    const calm = await member(room);
    for (let i = 1; i <= 2 * BURST; i++) flooder.client.send({ type: 'text', content: `f${i}`, room });
    await settle(flooder.client, BURST, (f) => f.type === 'error');
    calm.client.send({ type: 'text', content: 'still mine to send', room });
    expect(await calm.client.next<AnyFrame>((f) => isError(f) || isText(room, 'still mine to send')(f))).toMatchObject({ type: 'text' });
    expect((await post(calm.userId, room, 'and over REST')).status).toBe(201);
  });

  it("one user's connections share the allowance", async () => {
    const room = await createRoom(server, 'tabs');
    const userId = uid('tabs');
    const first = await member(room, userId);
    const second = await member(room, userId);
    for (let i = 1; i <= BURST; i++) {
      first.client.send({ type: 'text', content: `t${i}`, room });
      await first.client.next(isText(room, `t${i}`));
    }
    second.client.send({ type: 'text', content: 'from the other tab', room });
    expect(await second.client.next<AnyFrame>((f) => isError(f) || isText(room, 'from the other tab')(f))).toMatchObject({ type: 'error' });
  });
});
