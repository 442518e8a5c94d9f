import type { MembershipFrame, RoomCreatedFrame, ServerFrame } from '@chatstream/protocol';
import { cluster, describeCluster, isPresence, LEASE_MS, stop, twoInstancesPerSuite } from './cluster-helpers';
import { postgresDatabase } from './databases';
import { sleep } from './harness';
import type { ServerProcess } from './processes';

/* Membership has one owner per instance, kept current by events, decided by storage. */

const isJoin = (room: string, user: string) => (f: ServerFrame) => f.type === 'join' && f.room === room && f.user_id === user;
const isLeave = (room: string, user: string) => (f: ServerFrame) => f.type === 'leave' && f.room === room && f.user_id === user;

describeCluster('membership across instances', () => {
  let a: ServerProcess;
  let b: ServerProcess;
  const connect = twoInstancesPerSuite((first, second) => ([a, b] = [first, second]));
  const createRoom = async (name: string): Promise<string> => (await a.http('POST', '/api/rooms', { name })).body.room.id;


  it('two tabs of one user joining at once on two instances: the room hears one join, each tab one', async () => {
    for (let round = 0; round < 5; round++) {
      const room = await createRoom(`Twin Join ${round}`);
      const watcher = await connect(a, `tj-watch-${round}`);
      await watcher.join(room);
      const user = `tj-user-${round}`;
      const tabA = await connect(a, user);
      const tabB = await connect(b, user);
      tabA.send({ type: 'join_room', content: room });
      tabB.send({ type: 'join_room', content: room });
      await watcher.next(isJoin(room, user));
      for (const tab of [tabA, tabB]) await tab.next(isJoin(room, user));
      for (const client of [watcher, tabA, tabB]) expect(await client.quietFor(300, isJoin(room, user))).toEqual([]);
      const listed = await b.http('GET', '/api/rooms');
      expect(listed.body.rooms).toContainEqual(expect.objectContaining({ id: room, user_count: 2 }));
    }
  });

  it('two tabs of one user leaving at once on two instances: one leave passes, the other is refused', async () => {
    for (let round = 0; round < 5; round++) {
      const room = await createRoom(`Twin Leave ${round}`);
      const watcher = await connect(b, `tl-watch-${round}`);
      await watcher.join(room);
      const user = `tl-user-${round}`;
      const tabA = await connect(a, user);
      const tabB = await connect(b, user);
      await tabA.join(room);
      await tabB.next(isJoin(room, user));
      tabA.send({ type: 'leave_room', content: room });
      tabB.send({ type: 'leave_room', content: room });
      await watcher.next<MembershipFrame>(isLeave(room, user));
      expect(await watcher.quietFor(400, isLeave(room, user))).toEqual([]);
      const refusals = [tabA, tabB].flatMap((tab) => tab.frames.filter((f) => f.type === 'error' && f.content.includes('not a member')));
      expect(refusals).toHaveLength(1);
      const listed = await a.http('GET', '/api/rooms');
      expect(listed.body.rooms).toContainEqual(expect.objectContaining({ id: room, user_count: 1 }));
    }
  });

  it('a leave is not undone by room lists read meanwhile: the ex-member cannot post on either instance', async () => {
    const room = await createRoom('Leave Sticks');
    const user = 'ls-user';
    const member = await connect(a, user);
    for (let round = 0; round < 10; round++) {
      await member.join(room);
      const reads = Promise.all(Array.from({ length: 5 }, () => b.http('GET', '/api/rooms')));
      member.send({ type: 'leave_room', content: room });
      await member.next(isLeave(room, user));
      await reads;
      // The leave reaches b over the relay within moments; after that the ex-member stays out.
      let status = 0;
      for (let i = 0; i < 40 && status !== 403; i++) {
        status = (await b.http('POST', '/api/messages', { content: 'still in?', sender: 'LS', sender_id: user, room })).status;
        if (status !== 403) await sleep(50);
      }
      expect(status).toBe(403);
      await Promise.all(Array.from({ length: 3 }, () => b.http('GET', '/api/rooms')));
      for (const on of [a, b]) {
        expect((await on.http('POST', '/api/messages', { content: 'still in?', sender: 'LS', sender_id: user, room })).status).toBe(403);
      }
    }
  }, 30000);

  it('a room created on one instance is announced to level-2 connections on the other, not to seed-level ones', async () => {
    const modern = await connect(b, 'rc-modern');
    const seed = await connect(b, 'rc-seed', 1);
    const created = await a.http('POST', '/api/rooms', { name: 'Announced', description: 'hello' });
    const frame = await modern.next<RoomCreatedFrame>((f) => f.type === 'room_created');
    expect(frame.room).toEqual(created.body.room);
    expect(await seed.quietFor(300, (f) => f.type === 'room_created')).toEqual([]);
  });
});

describeCluster('an instance whose lease lapses while Redis stays up', () => {
  it('has its users taken offline by the others, then claims them back when it runs again', async () => {
    const database = await postgresDatabase();
    const { instances } = await cluster(2, database);
    const [watcherSide, stalled] = instances;
    try {
      const watcher = await watcherSide.connect('stall-watch', 'Watch', 2);
      await watcher.join('general');
      const user = await stalled.connect('stall-user', 'Stall', 2);
      await user.join('general');
      const online = async () => (await watcherSide.http('GET', '/api/users')).body.users.map((u: { id: string }) => u.id) as string[];
      expect(await online()).toContain('stall-user');
      // An event-loop stall as long as three leases.
      stalled.child.kill('SIGSTOP');
      await watcher.next(isPresence('stall-user', 'offline'), LEASE_MS * 10);
      await sleep(LEASE_MS);
      stalled.child.kill('SIGCONT');
      await watcher.next(isPresence('stall-user', 'online'), LEASE_MS * 10);
      expect(await online()).toContain('stall-user');
      // Still a working member: its messages reach the watcher.
      user.send({ type: 'text', content: 'back from the stall', room: 'general' });
      await watcher.next((f) => f.type === 'text' && f.content === 'back from the stall');
      // And the claim lasts: a while later it is still online.
      await sleep(LEASE_MS * 2);
      expect(await online()).toContain('stall-user');
      user.socket.terminate();
      watcher.socket.terminate();
    } finally {
      for (const instance of instances) if (instance.child.signalCode === null) instance.child.kill('SIGCONT');
      await stop(instances);
      await database.drop();
    }
  }, 60000);
});
