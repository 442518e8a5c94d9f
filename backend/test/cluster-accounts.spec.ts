import { once } from 'node:events';
import { connectWith, login, PASSWORD, register, request, tryUpgrade, username } from './accounts';
import { postgresDatabase, type TestDatabase } from './databases';
import { Client, sleep } from './harness';
import { startProcess, type ServerProcess } from './processes';

/* Accounts across instances (DATABASE_URL + REDIS_URL): sessions are valid everywhere and end everywhere. */

const skipReason = !process.env.DATABASE_URL || !process.env.REDIS_URL ? 'DATABASE_URL and REDIS_URL are not both set: the accounts cluster suite is skipped' : undefined;
if (skipReason) console.warn(skipReason);
const describeCluster = skipReason ? describe.skip : describe;

describeCluster('accounts on several instances', () => {
  let database: TestDatabase;
  let a: ServerProcess;
  let b: ServerProcess;
  const clients: Client[] = [];

  beforeAll(async () => {
    database = await postgresDatabase();
    const prefix = `cs-acc-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const env = { AUTH: 'accounts', DATABASE_URL: database.databaseUrl, REDIS_URL: process.env.REDIS_URL, REDIS_PREFIX: prefix, LOG_LEVEL: 'warn' };
    a = await startProcess(env);
    b = await startProcess(env);
  }, 60000);
  afterAll(async () => {
    for (const client of clients) client.socket.terminate();
    for (const instance of [a, b]) {
      if (!instance || instance.child.exitCode !== null) continue;
      instance.child.kill('SIGKILL');
      await once(instance.child, 'exit');
    }
    await database.drop();
  });

  it('a login on one instance is valid on the other, for REST and the WebSocket', async () => {
    const name = username('across');
    await register(a.url, name, PASSWORD);
    const session = await login(a.url, name, PASSWORD);
    expect((await request(b.url, 'GET', '/api/auth/me', { bearer: session.token })).body.user).toEqual(session.user);
    const socket = await connectWith(b.port, session);
    clients.push(socket);
    expect(socket.frames[0]).toMatchObject({ type: 'system' });
  });

  it('a logout on one instance closes the session\'s socket on the other within a second', async () => {
    const session = await register(a.url, username('bye'), PASSWORD);
    const onB = await connectWith(b.port, session);
    clients.push(onB);
    // b has validated (and cached) the session: the logout must reach it through the relay.
    expect((await request(b.url, 'GET', '/api/auth/me', { bearer: session.token })).status).toBe(200);
    const closed = new Promise<number>((resolve) => onB.socket.once('close', (code) => resolve(code)));
    expect((await request(a.url, 'POST', '/api/auth/logout', { bearer: session.token })).status).toBe(204);
    const code = await Promise.race([closed, sleep(1000).then(() => 'not closed within a second')]);
    expect(code).toBe(4001);
    expect((await request(b.url, 'GET', '/api/auth/me', { bearer: session.token })).status).toBe(401);
    expect(await tryUpgrade(b.port, { authorization: `Bearer ${session.token}` })).toBe('http 401');
  });

  it('an account made on one instance can get private messages from the other at once', async () => {
    const sender = await register(a.url, username('from'), PASSWORD);
    const recipient = await register(b.url, username('to'), PASSWORD);
    const answer = await request(a.url, 'POST', '/api/messages', { bearer: sender.token, body: { content: 'hi across', recipient: recipient.user.id } });
    expect(answer.status).toBe(201);
    const history = await request(b.url, 'GET', `/api/conversations/${sender.user.id}/messages`, { bearer: recipient.token });
    expect(history.body.messages.map((m: { content: string }) => m.content)).toEqual(['hi across']);
  });

  it("a read on one instance reaches the reader's connection on the other at once, and both instances count from the one pointer", async () => {
    const reader = await register(a.url, username('reader'), PASSWORD);
    const writer = await register(b.url, username('writer'), PASSWORD);
    const room = (await request(a.url, 'POST', '/api/rooms', { bearer: reader.token, body: { name: username('Reads') } })).body.room.id;
    const onA = await connectWith(a.port, reader);
    const onB = await connectWith(b.port, reader);
    const writing = await connectWith(b.port, writer);
    clients.push(onA, onB, writing);
    await onA.join(room);
    await writing.join(room);
    for (const content of ['one', 'two', 'three']) {
      writing.send({ type: 'text', room, content });
      await onA.next((f) => f.type === 'text' && (f as { content?: string }).content === content);
    }
    const unreadOn = async (url: string) =>
      (await request(url, 'GET', '/api/rooms', { bearer: reader.token })).body.rooms.find((r: { id: string }) => r.id === room);
    expect(await unreadOn(b.url)).toMatchObject({ last_read_seq: 0, unread: 3 });
    onA.send({ type: 'read', room, seq: 2 });
    expect(await onB.next((f) => f.type === 'read')).toEqual({ type: 'read', room, seq: 2 });
    expect(await unreadOn(b.url)).toMatchObject({ last_read_seq: 2, unread: 1 });
    expect(onA.frames.filter((f) => f.type === 'read')).toEqual([]);
  });
});
