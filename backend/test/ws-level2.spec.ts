import { TestServer, isError, sleep, type Client } from './harness';
import {
  type AnyFrame,
  createRoom,
  expectIsoUtc,
  inRoom,
  isJoin,
  isLeave,
  isPresence,
  isPrivate,
  isText,
  received,
  say,
  uid,
  userCount,
  serverPerSuite,
} from './ws-helpers';

/** Level 2 (`protocol=2`): membership belongs to the user, in any number of rooms, across connections. */
describe('WebSocket, level 2', () => {
  let server: TestServer;
  const connect = serverPerSuite(2, (started) => (server = started));

  it('delivers the messages of all three rooms a connection has joined', async () => {
    const rooms = [await createRoom(server, 'l2-three'), await createRoom(server, 'l2-three'), await createRoom(server, 'l2-three')];
    const alice = await connect(uid('alice'), 'Alice');
    const bob = await connect(uid('bob'), 'Bob');
    for (const room of rooms) {
      await alice.join(room);
      await bob.join(room);
    }
    for (const [i, room] of rooms.entries()) bob.send({ type: 'text', content: `to room ${i}`, room });
    for (const [i, room] of rooms.entries()) {
      expect(await alice.next<AnyFrame>(isText(room, `to room ${i}`))).toMatchObject({ sender: 'Bob', room });
    }
    expect(alice.frames.filter(isError)).toEqual([]);
  });

  it('keeps membership across a reconnect: the user posts and receives without joining again', async () => {
    const room = await createRoom(server, 'l2-reconnect');
    const aliceId = uid('alice');
    const first = await server.connect(aliceId, 'Alice', 2);
    const bob = await connect(uid('bob'), 'Bob');
    await first.join(room);
    await bob.join(room);
    await first.close();
    expect(await userCount(server, room)).toBe(2);

    const again = await connect(aliceId, 'Alice');
    again.send({ type: 'text', content: 'back again', room });
    expect(await again.next<AnyFrame>((frame) => isText(room, 'back again')(frame) || isError(frame))).toMatchObject({
      type: 'text',
      sender_id: aliceId,
    });
    expect(await bob.next<AnyFrame>(isText(room, 'back again'))).toMatchObject({ sender: 'Alice' });

    await say(bob, room, 'welcome back');
    expect(await again.next<AnyFrame>(isText(room, 'welcome back'))).toMatchObject({ sender: 'Bob' });
  });

  it('replays no history on join', async () => {
    const room = await createRoom(server, 'l2-nohistory');
    const bob = await connect(uid('bob'), 'Bob');
    await bob.join(room);
    for (const content of ['old 1', 'old 2', 'old 3']) await say(bob, room, content);

    const aliceId = uid('alice');
    const alice = await connect(aliceId, 'Alice');
    await alice.join(room);
    await say(alice, room, 'marker');
    const joinAt = alice.frames.findIndex(isJoin(room, aliceId));
    expect((alice.frames.slice(joinAt + 1) as AnyFrame[]).filter(isText(room)).map((frame) => frame.content)).toEqual(['marker']);
  });

  it('delivers room frames and private messages to every connection of a member, including the sender\'s own other tab', async () => {
    const room = await createRoom(server, 'l2-tabs');
    const aliceId = uid('alice');
    const bobId = uid('bob');
    const tab1 = await connect(aliceId, 'Alice');
    const tab2 = await connect(aliceId, 'Alice');
    const bob = await connect(bobId, 'Bob');
    await bob.join(room);

    // A join from one tab is seen by the other tab.
    await tab1.join(room);
    await tab2.next(isJoin(room, aliceId));

    // Room messages from someone else reach both tabs.
    await say(bob, room, 'hello tabs');
    for (const tab of [tab1, tab2]) expect(await tab.next<AnyFrame>(isText(room, 'hello tabs'))).toMatchObject({ sender_id: bobId });

    // A room message from one tab reaches the other tab.
    await say(tab1, room, 'from tab 1');
    expect(await tab2.next<AnyFrame>(isText(room, 'from tab 1'))).toMatchObject({ sender_id: aliceId });

    // A private message to Alice reaches both tabs.
    bob.send({ type: 'text', content: 'psst alice', recipient: aliceId });
    for (const tab of [tab1, tab2]) {
      expect(await tab.next<AnyFrame>(isPrivate('psst alice'))).toMatchObject({ sender_id: bobId, recipient: aliceId });
    }

    // Alice's private message from tab 1: Bob gets it, and so does tab 2 (the sender's copy).
    tab1.send({ type: 'text', content: 'psst bob', recipient: bobId });
    const copies = [];
    for (const client of [tab1, tab2, bob]) copies.push(await client.next<AnyFrame>(isPrivate('psst bob')));
    for (const copy of copies) expect(copy).toMatchObject({ type: 'private', sender: 'Alice', sender_id: aliceId, recipient: bobId });
    expect(new Set(copies.map((copy) => copy.id)).size).toBe(1);
  });

  it('a level-2 connection opened later receives the frames of rooms joined earlier by another tab', async () => {
    const room = await createRoom(server, 'l2-latetab');
    const aliceId = uid('alice');
    const tab1 = await connect(aliceId, 'Alice');
    const bob = await connect(uid('bob'), 'Bob');
    await tab1.join(room);
    await bob.join(room);
    const tab2 = await connect(aliceId, 'Alice');
    await say(bob, room, 'for both tabs');
    for (const tab of [tab1, tab2]) expect(await tab.next<AnyFrame>(isText(room, 'for both tabs'))).toMatchObject({ sender: 'Bob' });
  });

  it('a leave from one tab ends the membership for all tabs of the user', async () => {
    const room = await createRoom(server, 'l2-leave');
    const aliceId = uid('alice');
    const tab1 = await connect(aliceId, 'Alice');
    const tab2 = await connect(aliceId, 'Alice');
    const bob = await connect(uid('bob'), 'Bob');
    await tab1.join(room);
    await bob.join(room);
    tab1.send({ type: 'leave_room', content: room });
    await tab1.next(isLeave(room, aliceId));
    await tab2.next(isLeave(room, aliceId));
    await bob.next(isLeave(room, aliceId));
    expect(await userCount(server, room)).toBe(1);

    const leftAt = tab2.frames.length;
    await say(bob, room, 'after alice left');
    tab2.send({ type: 'text', content: 'tab 2 still here?', room });
    expect(await tab2.next(isError)).toMatchObject({ type: 'error' });
    expect(tab2.frames.slice(leftAt).filter(inRoom(room))).toEqual([]);
  });

  describe('presence', () => {
    it('tells users sharing a room when a user\'s first connection opens and its last one closes, and nobody else', async () => {
      const shared = await createRoom(server, 'l2-presence');
      const elsewhere = await createRoom(server, 'l2-presence-other');
      const yaraId = uid('yara');
      // Yara is a member of the shared room, then goes offline.
      const setup = await server.connect(yaraId, 'Yara', 2);
      await setup.join(shared);
      const xavier = await connect(uid('xavier'), 'Xavier');
      await xavier.join(shared);
      await setup.close();
      await xavier.next(isPresence(yaraId, 'offline'));

      const zoeId = uid('zoe');
      const zoe = await connect(zoeId, 'Zoe'); // online, but shares no room with Yara
      await zoe.join(elsewhere);
      const watchFrom = xavier.frames.length;

      // First connection: online, once.
      const tab1 = await server.connect(yaraId, 'Yara', 2);
      const online = await xavier.next<AnyFrame>(isPresence(yaraId, 'online'));
      expect(online).toMatchObject({ type: 'presence', content: 'online', user_id: yaraId, username: 'Yara' });
      expectIsoUtc(online.timestamp);

      // Second tab: no second online.
      const tab2 = await server.connect(yaraId, 'Yara', 2);
      await say(tab2, shared, 'second tab open');
      await xavier.next(isText(shared, 'second tab open'));
      expect(xavier.frames.slice(watchFrom).filter(isPresence(yaraId))).toHaveLength(1);

      // Closing one of two tabs: no offline (no later frame from the server can order this; give it a moment).
      await tab1.close();
      await sleep(300);
      await say(tab2, shared, 'one tab left');
      await xavier.next(isText(shared, 'one tab left'));
      expect(xavier.frames.slice(watchFrom).filter(isPresence(yaraId, 'offline'))).toEqual([]);

      // Closing the last tab: offline.
      await tab2.close();
      const offline = await xavier.next<AnyFrame>(isPresence(yaraId, 'offline'));
      expect(offline).toMatchObject({ type: 'presence', content: 'offline', user_id: yaraId, username: 'Yara' });
      expectIsoUtc(offline.timestamp);

      // Zoe, sharing no room with Yara, got none of it; a later private message orders after any of it.
      xavier.send({ type: 'text', content: 'marker for zoe', recipient: zoeId });
      await zoe.next(isPrivate('marker for zoe'));
      expect(zoe.frames.filter(isPresence(yaraId))).toEqual([]);
    });

    it('does not send a user their own presence', async () => {
      const room = await createRoom(server, 'l2-presence-self');
      const aliceId = uid('alice');
      const tab1 = await connect(aliceId, 'Alice');
      await tab1.join(room);
      const bob = await connect(uid('bob'), 'Bob');
      await bob.join(room);
      await connect(aliceId, 'Alice');
      await say(bob, room, 'marker');
      await tab1.next(isText(room, 'marker'));
      expect(tab1.frames.filter(isPresence(aliceId))).toEqual([]);
    });
  });

  describe('a level-2 and a seed connection of the same user at the same time', () => {
    it('the level-2 connection gets all of the user\'s rooms, the seed connection only its current room; both get private messages', async () => {
      const roomA = await createRoom(server, 'mix-a');
      const roomB = await createRoom(server, 'mix-b');
      const userId = uid('uma');
      const otherId = uid('otto');
      const level2 = await connect(userId, 'Uma', 2);
      const seed = await connect(userId, 'Uma', 1);
      const other = await connect(otherId, 'Otto', 2);
      await level2.join(roomA);
      await level2.join(roomB);
      await other.join(roomA);
      await other.join(roomB);

      // The seed connection has no current room yet: it gets neither room's messages.
      await say(other, roomA, 'a before seed join');
      await level2.next(isText(roomA, 'a before seed join'));

      // The seed connection joins room B (the user is already a member): it acknowledges and replays.
      seed.send({ type: 'join_room', content: roomB });
      await seed.next(isJoin(roomB, userId));
      await say(other, roomA, 'a after seed join');
      await say(other, roomB, 'b after seed join');
      await level2.next(isText(roomA, 'a after seed join'));
      await level2.next(isText(roomB, 'b after seed join'));
      await seed.next(isText(roomB, 'b after seed join'));
      expect(received(seed, inRoom(roomA))).toEqual([]);

      // Private messages reach both connections.
      other.send({ type: 'text', content: 'private to uma', recipient: userId });
      for (const conn of [level2, seed]) expect(await conn.next<AnyFrame>(isPrivate('private to uma'))).toMatchObject({ sender_id: otherId });
      // The level-2 connection sends a private message: the seed connection gets the sender's copy.
      level2.send({ type: 'text', content: 'private from uma', recipient: otherId });
      for (const conn of [level2, seed, other]) expect(await conn.next<AnyFrame>(isPrivate('private from uma'))).toMatchObject({ sender_id: userId });
    });

    it('presence goes to the user\'s level-2 connection and not to their seed connection', async () => {
      const room = await createRoom(server, 'mix-presence');
      const userId = uid('uma');
      const returningId = uid('rita');
      const setup = await server.connect(returningId, 'Rita', 2);
      await setup.join(room);
      await setup.close();
      const level2 = await connect(userId, 'Uma', 2);
      const seed = await connect(userId, 'Uma', 1);
      await level2.join(room);
      await seed.join(room);

      const back = await connect(returningId, 'Rita', 2);
      await level2.next(isPresence(returningId, 'online'));
      await say(back, room, 'marker');
      await seed.next(isText(room, 'marker'));
      expect(seed.frames.filter((frame) => frame.type === 'presence')).toEqual([]);
    });

    it('a second connection at the other level sends no second online presence', async () => {
      const room = await createRoom(server, 'mix-online');
      const userId = uid('uma');
      const setup = await server.connect(userId, 'Uma', 2);
      await setup.join(room);
      await setup.close();
      const watcher = await connect(uid('wes'), 'Wes', 2);
      await watcher.join(room);
      const from = watcher.frames.length;

      const level2 = await connect(userId, 'Uma', 2);
      await watcher.next(isPresence(userId, 'online'));
      const seed = await connect(userId, 'Uma', 1);
      await seed.join(room);
      await say(level2, room, 'marker');
      await watcher.next(isText(room, 'marker'));
      expect(watcher.frames.slice(from).filter(isPresence(userId))).toHaveLength(1);
    });

    it('a join from the seed connection makes the user a member, so the level-2 connection receives that room\'s frames', async () => {
      const room = await createRoom(server, 'mix-seedjoin');
      const userId = uid('uma');
      const level2 = await connect(userId, 'Uma', 2);
      const seed = await connect(userId, 'Uma', 1);
      const other = await connect(uid('otto'), 'Otto', 2);
      await other.join(room);

      await seed.join(room);
      await say(other, room, 'for every connection of a member');
      await seed.next(isText(room, 'for every connection of a member'));
      expect(await level2.next<AnyFrame>(isText(room, 'for every connection of a member'))).toMatchObject({ room });
    });

    it('a seed connection switching away from a room ends the user\'s membership there, also for the level-2 connection', async () => {
      const oldRoom = await createRoom(server, 'mix-switch-old');
      const newRoom = await createRoom(server, 'mix-switch-new');
      const userId = uid('uma');
      const level2 = await connect(userId, 'Uma', 2);
      const seed = await connect(userId, 'Uma', 1);
      const other = await connect(uid('otto'), 'Otto', 2);
      await other.join(oldRoom);
      await level2.join(oldRoom);
      await seed.join(oldRoom);

      await seed.join(newRoom);
      await level2.next(isLeave(oldRoom, userId));
      expect(await userCount(server, oldRoom)).toBe(1);
      const leftAt = level2.frames.length;
      await say(other, oldRoom, 'after the switch');
      level2.send({ type: 'text', content: 'still a member?', room: oldRoom });
      expect(await level2.next(isError)).toMatchObject({ type: 'error' });
      expect(level2.frames.slice(leftAt).filter(isText(oldRoom))).toEqual([]);
    });
  });
});
