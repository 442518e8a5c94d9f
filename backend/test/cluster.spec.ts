import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { MessageFrame, PresenceFrame, RoomMessageFrame, ServerFrame } from '@chatstream/protocol';
import { cluster, describeCluster, isPresence, stop, twoInstancesPerSuite } from './cluster-helpers';
import { postgresDatabase } from './databases';
import { sleep } from './harness';
import { freePort, type ServerProcess } from './processes';

const isText = (f: ServerFrame): f is RoomMessageFrame => f.type === 'text';

describeCluster('several instances behind a load balancer', () => {
  let a: ServerProcess;
  let b: ServerProcess;
  const connect = twoInstancesPerSuite((first, second) => ([a, b] = [first, second]));


  it('a room created on one instance is listed on another at once', async () => {
    const created = await a.http('POST', '/api/rooms', { name: 'Across' });
    expect(created.status).toBe(201);
    const listed = await b.http('GET', '/api/rooms');
    expect(listed.body.rooms).toContainEqual(expect.objectContaining({ id: created.body.room.id, name: 'Across' }));
    expect((await b.http('POST', '/api/rooms', { name: 'ACROSS' })).status).toBe(409);
  });

  it('a join on one instance counts, and lets the member post, on another', async () => {
    const room = (await a.http('POST', '/api/rooms', { name: 'Join Across' })).body.room.id;
    const ann = await connect(a, 'join-ann');
    await ann.join(room);
    const listed = await b.http('GET', '/api/rooms');
    expect(listed.body.rooms).toContainEqual(expect.objectContaining({ id: room, user_count: 1 }));
    const posted = await b.http('POST', '/api/messages', { content: 'via b', sender: 'ANN', sender_id: 'join-ann', room });
    expect(posted.status).toBe(201);
    expect(await ann.next(isText)).toMatchObject({ id: posted.body.id, content: 'via b' });
  });

  it('POST /api/messages on one instance reaches sockets on the other, with the same id', async () => {
    const room = (await a.http('POST', '/api/rooms', { name: 'Rest Across' })).body.room.id;
    const onA = await connect(a, 'rest-a');
    const onB = await connect(b, 'rest-b');
    await onA.join(room);
    await onB.join(room);
    const posted = await a.http('POST', '/api/messages', { content: 'hello b', sender: 'REST-A', sender_id: 'rest-a', room });
    expect(await onB.next(isText)).toMatchObject({ id: posted.body.id, content: 'hello b', timestamp: posted.body.timestamp });
  });

  it('presence crosses instances, and offline waits for the last socket anywhere', async () => {
    const watcher = await connect(a, 'pres-watch');
    await watcher.join('general');
    const tabB = await connect(b, 'pres-user');
    await tabB.join('general');
    const tabA = await connect(a, 'pres-user');
    const users = await a.http('GET', '/api/users');
    expect(users.body.users).toContainEqual(expect.objectContaining({ id: 'pres-user', username: 'PRES-USER' }));
    await tabB.close();
    expect(await watcher.quietFor(500, isPresence('pres-user', 'offline'))).toEqual([]);
    await tabA.close();
    await watcher.next(isPresence('pres-user', 'offline'), 5000);
    expect((await b.http('GET', '/api/users')).body.users.map((u: { id: string }) => u.id)).not.toContain('pres-user');
    const back = await connect(b, 'pres-user');
    await watcher.next(isPresence('pres-user', 'online'), 5000);
    await back.close();
  });

  it('200 rapid messages from members on two instances reach members on both once, in one order, the history order', async () => {
    const room = (await a.http('POST', '/api/rooms', { name: 'Rapid Across' })).body.room.id;
    const senderA = await connect(a, 'rapid-sa');
    const senderB = await connect(b, 'rapid-sb');
    const watchA = await connect(a, 'rapid-wa');
    const watchB = await connect(b, 'rapid-wb');
    for (const client of [senderA, senderB, watchA, watchB]) await client.join(room);
    for (let i = 0; i < 100; i++) {
      senderA.send({ type: 'text', content: `a-${i}`, room });
      senderB.send({ type: 'text', content: `b-${i}`, room });
    }
    const seen = await Promise.all([senderA, senderB, watchA, watchB].map((c) => c.collect<RoomMessageFrame>(200, isText, 20000)));
    const orders = seen.map((frames) => frames.map((f) => f.id));
    for (const order of orders) {
      expect(new Set(order).size).toBe(200);
      expect(order).toEqual(orders[0]);
    }
    for (const client of [senderA, senderB, watchA, watchB]) expect(await client.quietFor(200, isText)).toEqual([]);
    const history = await b.http('GET', `/api/rooms/${room}/messages?limit=200`);
    expect(history.body.messages.map((m: { id: string }) => m.id)).toEqual(orders[0]);
    // Each sender's own messages keep the order they were sent in.
    const contents = seen[0].map((f) => f.content);
    expect(contents.filter((c) => c.startsWith('a-'))).toEqual(Array.from({ length: 100 }, (_, i) => `a-${i}`));
    expect(contents.filter((c) => c.startsWith('b-'))).toEqual(Array.from({ length: 100 }, (_, i) => `b-${i}`));
  }, 60000);

  it('a private message reaches every tab of the recipient and of the sender, on any instance, once', async () => {
    const tabs = [await connect(a, 'dm-to'), await connect(b, 'dm-to')];
    const sender = await connect(a, 'dm-from');
    const senderOther = await connect(b, 'dm-from');
    sender.send({ type: 'text', content: 'psst', recipient: 'dm-to' });
    const copies = await Promise.all([...tabs, sender, senderOther].map((c) => c.next<MessageFrame>((f) => f.type === 'private')));
    expect(new Set(copies.map((f) => f.id)).size).toBe(1);
    for (const client of [...tabs, sender, senderOther]) expect(await client.quietFor(200, (f) => f.type === 'private')).toEqual([]);
  });

  it('a user with tabs on both instances gets each room frame once on each tab', async () => {
    const room = (await a.http('POST', '/api/rooms', { name: 'Two Tabs' })).body.room.id;
    const tabA = await connect(a, 'tabs-user');
    const tabB = await connect(b, 'tabs-user');
    await tabA.join(room);
    const other = await connect(b, 'tabs-other');
    await other.join(room);
    other.send({ type: 'text', content: 'to both tabs', room });
    for (const tab of [tabA, tabB]) {
      expect(await tab.next(isText)).toMatchObject({ content: 'to both tabs' });
      expect(await tab.quietFor(200, isText)).toEqual([]);
    }
  });
});

describeCluster('an instance that dies', () => {
  it('leaves no ghosts: its users go offline elsewhere within the lease, and come back on another instance', async () => {
    const database = await postgresDatabase();
    const { instances } = await cluster(2, database);
    const [survivor, doomed] = instances;
    try {
      const watcher = await survivor.connect('ghost-watch', 'Watch', 2);
      await watcher.join('general');
      const ghost = await doomed.connect('ghost', 'Ghost', 2);
      await ghost.join('general');
      expect((await survivor.http('GET', '/api/users')).body.users.map((u: { id: string }) => u.id)).toContain('ghost');
      const killedAt = Date.now();
      doomed.child.kill('SIGKILL');
      const offline = await watcher.next<PresenceFrame>(isPresence('ghost', 'offline'), 30000);
      expect(offline.username).toBe('Ghost');
      expect(Date.now() - killedAt).toBeLessThan(30000);
      expect((await survivor.http('GET', '/api/users')).body.users.map((u: { id: string }) => u.id)).not.toContain('ghost');
      // The client reconnects to the other instance and carries on as a member.
      const again = await survivor.connect('ghost', 'Ghost', 2);
      again.send({ type: 'text', content: 'still here', room: 'general' });
      expect(await watcher.next(isText)).toMatchObject({ content: 'still here', sender_id: 'ghost' });
      again.socket.terminate();
      watcher.socket.terminate();
    } finally {
      await stop(instances);
      await database.drop();
    }
  }, 60000);
});

describeCluster('Redis briefly unavailable', () => {
  it('instances keep serving their own sockets, store messages, and resume fan-out when Redis is back', async () => {
    const port = await freePort();
    const startRedis = async (): Promise<ChildProcess> => {
      const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
      for (let i = 0; i < 100; i++) {
        const ok = await new Promise<boolean>((resolve) => {
          const probe = spawn('redis-cli', ['-p', String(port), 'ping'], { stdio: 'ignore' });
          probe.on('exit', (code) => resolve(code === 0));
        });
        if (ok) return redis;
        await sleep(50);
      }
      throw new Error('private redis-server did not start');
    };
    let redis = await startRedis();
    const database = await postgresDatabase();
    const { instances } = await cluster(2, database, `redis://127.0.0.1:${port}`);
    const [a, b] = instances;
    try {
      const room = (await a.http('POST', '/api/rooms', { name: 'Outage' })).body.room.id;
      const ann = await a.connect('out-ann', 'Ann', 2);
      const neighbour = await a.connect('out-neighbour', 'Neighbour', 2);
      const bob = await b.connect('out-bob', 'Bob', 2);
      for (const client of [ann, neighbour, bob]) await client.join(room);

      redis.kill('SIGKILL');
      await once(redis, 'exit');
      ann.send({ type: 'text', content: 'while redis is down', room });
      expect(await ann.next(isText)).toMatchObject({ content: 'while redis is down' });
      expect(await neighbour.next(isText)).toMatchObject({ content: 'while redis is down' });
      const stored = await b.http('GET', `/api/rooms/${room}/messages`);
      expect(stored.body.messages.map((m: { content: string }) => m.content)).toContain('while redis is down');

      redis = await startRedis();
      // Fan-out resumes once the instances have reconnected: keep sending until Bob hears one.
      let heard: RoomMessageFrame | undefined;
      for (let i = 0; i < 50 && !heard; i++) {
        ann.send({ type: 'text', content: `after ${i}`, room });
        heard = await bob.next<RoomMessageFrame>((f) => isText(f) && f.content.startsWith('after'), 400).catch(() => undefined);
      }
      expect(heard).toBeDefined();
      // Bob's view stays in history order (what he missed is filled in from storage, never out of order).
      const history = (await b.http('GET', `/api/rooms/${room}/messages?limit=200`)).body.messages.map((m: { id: string }) => m.id);
      const bobSaw = bob.frames.filter(isText).map((f) => f.id);
      expect(history.filter((id: string) => bobSaw.includes(id))).toEqual(bobSaw);
      for (const client of [ann, neighbour, bob]) client.socket.terminate();
    } finally {
      await stop(instances);
      redis.kill('SIGKILL');
      await database.drop();
    }
  }, 60000);
});
