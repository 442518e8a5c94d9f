import { TestServer, isError, type Client } from './harness';
import {
  type AnyFrame,
  createRoom,
  expectId,
  expectIsoUtc,
  handshake,
  inRoom,
  isJoin,
  isLeave,
  isPresence,
  isPrivate,
  isText,
  query,
  received,
  say,
  uid,
  userCount,
  serverPerSuite,
} from './ws-helpers';

/** Seed level: `/api/ws` without `protocol`, the original server's one-room-per-connection model. */
describe('WebSocket, seed level', () => {
  let server: TestServer;
  const connect = serverPerSuite(1, (started) => (server = started));

  describe('handshake', () => {
    const long = 'u'.repeat(65);
    it.each([
      ['user_id is missing', { username: 'Alice' }],
      ['username is missing', { user_id: 'handshake-a' }],
      ['both are missing', {}],
      ['user_id is empty', { user_id: '', username: 'Alice' }],
      ['username is empty', { user_id: 'handshake-b', username: '' }],
      ['user_id has 65 characters', { user_id: long, username: 'Alice' }],
      ['username has 65 characters', { user_id: 'handshake-c', username: long }],
    ])('refuses the upgrade with HTTP 400 when %s', async (_case, params: Record<string, string>) => {
      const outcome = await handshake(server, query(params));
      // The contract also allows closing the socket with 1008; the brief expects HTTP 400.
      expect(['http 400', 'close 1008']).toContain(outcome);
    });

    it('accepts a 64-character user_id and username', async () => {
      const id = ('hs-' + 'x'.repeat(64)).slice(0, 64);
      expect(await handshake(server, query({ user_id: id, username: 'N'.repeat(64) }))).toBe('open');
    });
  });

  it('sends a system welcome frame as the first frame on connect', async () => {
    const alice = await connect(uid('welcome'), 'Alice');
    const welcome = alice.frames[0] as AnyFrame;
    expect(welcome).toMatchObject({ type: 'system', content: 'Welcome to the chat!', sender: 'System', sender_id: '' });
    expectId(welcome.id);
    expectIsoUtc(welcome.timestamp);
  });

  it('sends "<username> joined the room" to the joiner and to the other members of the room', async () => {
    const room = await createRoom(server, 'seed-join');
    const aliceId = uid('alice');
    const bobId = uid('bob');
    const alice = await connect(aliceId, 'Alice');
    await alice.join(room);
    const bob = await connect(bobId, 'Bob');
    bob.send({ type: 'join_room', content: room });

    const expected = {
      type: 'join',
      content: 'Bob joined the room',
      sender: 'System',
      sender_id: '',
      room,
      user_id: bobId,
      username: 'Bob',
    };
    const own = await bob.next<AnyFrame>(isJoin(room, bobId));
    const seen = await alice.next<AnyFrame>(isJoin(room, bobId));
    for (const frame of [own, seen]) {
      expect(frame).toMatchObject(expected);
      expectId(frame.id);
      expectIsoUtc(frame.timestamp);
    }
    expect(seen.id).toBe(own.id);
  });

  it('sends "<username> left the room" to the leaver and to the other members, and the leaver stops being a member', async () => {
    const room = await createRoom(server, 'seed-leave');
    const aliceId = uid('alice');
    const bobId = uid('bob');
    const alice = await connect(aliceId, 'Alice');
    const bob = await connect(bobId, 'Bob');
    await alice.join(room);
    await bob.join(room);
    expect(await userCount(server, room)).toBe(2);

    bob.send({ type: 'leave_room', content: room });
    const expected = {
      type: 'leave',
      content: 'Bob left the room',
      sender: 'System',
      sender_id: '',
      room,
      user_id: bobId,
      username: 'Bob',
    };
    const own = await bob.next<AnyFrame>(isLeave(room, bobId));
    const seen = await alice.next<AnyFrame>(isLeave(room, bobId));
    for (const frame of [own, seen]) {
      expect(frame).toMatchObject(expected);
      expectId(frame.id);
      expectIsoUtc(frame.timestamp);
    }
    expect(await userCount(server, room)).toBe(1);

    bob.send({ type: 'text', content: 'after leaving', room });
    expect(await bob.next(isError)).toMatchObject({ type: 'error', content: expect.any(String) });
    // Alice never gets it: her next message is her own marker.
    await say(alice, room, 'marker');
    expect(received(alice, isText(room, 'after leaving'))).toEqual([]);
  });

  it('on join_room to another room first leaves the current one (leave frame to its members, membership ends), then joins', async () => {
    const oldRoom = await createRoom(server, 'seed-old');
    const newRoom = await createRoom(server, 'seed-new');
    const aliceId = uid('alice');
    const alice = await connect(aliceId, 'Alice');
    const watcher = await connect(uid('watcher'), 'Wendy');
    await alice.join(oldRoom);
    await watcher.join(oldRoom);
    expect(await userCount(server, oldRoom)).toBe(2);

    alice.send({ type: 'join_room', content: newRoom });
    await alice.next(isJoin(newRoom, aliceId));

    // The other member of the old room sees Alice leave.
    expect(await watcher.next<AnyFrame>(isLeave(oldRoom, aliceId))).toMatchObject({
      type: 'leave',
      content: 'Alice left the room',
      sender: 'System',
      sender_id: '',
      room: oldRoom,
      user_id: aliceId,
      username: 'Alice',
    });
    // Alice got the leave of the old room before the join of the new one.
    const leaveAt = alice.frames.findIndex(isLeave(oldRoom, aliceId));
    const joinAt = alice.frames.findIndex(isJoin(newRoom, aliceId));
    expect(leaveAt).toBeGreaterThanOrEqual(0);
    expect(leaveAt).toBeLessThan(joinAt);

    // Alice is no longer a member of the old room.
    expect(await userCount(server, oldRoom)).toBe(1);
    expect(await userCount(server, newRoom)).toBe(1);
    alice.send({ type: 'text', content: 'to the old room', room: oldRoom });
    expect(await alice.next(isError)).toMatchObject({ type: 'error', content: expect.any(String) });
    await say(watcher, oldRoom, 'marker');
    expect(received(watcher, isText(oldRoom, 'to the old room'))).toEqual([]);
  });

  it('replays the latest 100 messages of the room, oldest first, right after the join frame', async () => {
    const room = await createRoom(server, 'seed-replay');
    const seeder = await connect(uid('seeder'), 'Seeder', 2);
    await seeder.join(room);
    const sent = Array.from({ length: 105 }, (_, i) => `m-${String(i).padStart(3, '0')}`);
    for (const content of sent) seeder.send({ type: 'text', content, room });
    const copies = await seeder.collect<AnyFrame>(105, isText(room));
    expect(copies.map((frame) => frame.content)).toEqual(sent);

    const aliceId = uid('alice');
    const alice = await connect(aliceId, 'Alice');
    alice.send({ type: 'join_room', content: room });
    await alice.next(isJoin(room, aliceId));
    const replay = await alice.collect<AnyFrame>(100, isText(room));

    const joinAt = alice.frames.findIndex(isJoin(room, aliceId));
    // The 100 frames right after the join frame are the replay, nothing in between.
    const afterJoin = alice.frames.slice(joinAt + 1, joinAt + 101) as AnyFrame[];
    expect(afterJoin).toEqual(replay);
    expect(replay.map((frame) => frame.content)).toEqual(sent.slice(5));
    expect(replay.map((frame) => frame.id)).toEqual(copies.slice(5).map((frame) => frame.id));
    for (const frame of replay) {
      expect(frame).toMatchObject({ type: 'text', sender: 'Seeder', sender_id: copies[0].sender_id, room });
      expectIsoUtc(frame.timestamp);
    }

    // No 101st replayed message: the next room message Alice gets is a live one.
    await say(seeder, room, 'live');
    expect(await alice.next<AnyFrame>(isText(room))).toMatchObject({ content: 'live' });
  });

  it('on switching rooms replays the history of the new room only', async () => {
    const roomA = await createRoom(server, 'seed-hist-a');
    const roomB = await createRoom(server, 'seed-hist-b');
    const seeder = await connect(uid('seeder'), 'Seeder', 2);
    await seeder.join(roomA);
    await seeder.join(roomB);
    await say(seeder, roomA, 'a1');
    await say(seeder, roomA, 'a2');
    await say(seeder, roomB, 'b1');
    await say(seeder, roomB, 'b2');

    const aliceId = uid('alice');
    const alice = await connect(aliceId, 'Alice');
    await alice.join(roomA);
    expect((await alice.collect<AnyFrame>(2, isText(roomA))).map((frame) => frame.content)).toEqual(['a1', 'a2']);
    await alice.join(roomB);
    const replay = await alice.collect<AnyFrame>(2, isText(roomB));
    expect(replay.map((frame) => frame.content)).toEqual(['b1', 'b2']);
    const joinAt = alice.frames.findIndex(isJoin(roomB, aliceId));
    expect(alice.frames.slice(joinAt + 1)).toEqual(replay);
  });

  it('delivers room frames (messages, join, leave) only for the connection\'s current room; private frames still arrive', async () => {
    const oldRoom = await createRoom(server, 'seed-cur-old');
    const newRoom = await createRoom(server, 'seed-cur-new');
    const aliceId = uid('alice');
    const alice = await connect(aliceId, 'Alice');
    const oldMember = await connect(uid('old'), 'Olga');
    const newMember = await connect(uid('new'), 'Nina');
    const latecomer = await connect(uid('late'), 'Larry');
    await oldMember.join(oldRoom);
    await newMember.join(newRoom);
    await alice.join(oldRoom);
    await alice.join(newRoom); // switches: Alice's current room is now newRoom
    const switchedAt = alice.frames.length;

    await say(oldMember, oldRoom, 'old room message');
    await latecomer.join(oldRoom);
    latecomer.send({ type: 'leave_room', content: oldRoom });
    await latecomer.next(isLeave(oldRoom));
    oldMember.send({ type: 'text', content: 'private to Alice', recipient: aliceId });
    await oldMember.next(isPrivate('private to Alice'));
    // Marker: a frame of Alice's current room sent after all of the above.
    await say(newMember, newRoom, 'new room message');

    await alice.next(isText(newRoom, 'new room message'));
    const since = alice.frames.slice(switchedAt);
    expect(since.filter(inRoom(oldRoom))).toEqual([]);
    expect(since.filter(isPrivate('private to Alice'))).toHaveLength(1);
  });

  it('sends no presence frames to a seed-level connection', async () => {
    const room = await createRoom(server, 'seed-presence');
    const returningId = uid('returning');
    // A user who is a member of the room but offline.
    const returning = await server.connect(returningId, 'Rita', 2);
    await returning.join(room);
    await returning.close();

    const alice = await connect(uid('alice'), 'Alice');
    const watcher = await connect(uid('watcher'), 'Wendy', 2);
    await alice.join(room);
    await watcher.join(room);

    const back = await connect(returningId, 'Rita', 2);
    // A level-2 member is told; the seed member is not.
    await watcher.next(isPresence(returningId, 'online'));
    await back.close();
    await watcher.next(isPresence(returningId, 'offline'));
    await say(watcher, room, 'marker');
    await alice.next(isText(room, 'marker'));
    expect(alice.frames.filter((frame) => frame.type === 'presence')).toEqual([]);
  });

  it('keeps the current room when join_room names an unknown room', async () => {
    const room = await createRoom(server, 'seed-keep');
    const aliceId = uid('alice');
    const alice = await connect(aliceId, 'Alice');
    const member = await connect(uid('member'), 'Max');
    await alice.join(room);
    await member.join(room);
    alice.send({ type: 'join_room', content: 'no-such-room-' + uid('r') });
    expect(await alice.next(isError)).toMatchObject({ type: 'error', content: expect.any(String) });
    expect(await userCount(server, room)).toBe(2);
    await say(member, room, 'still here?');
    expect(await alice.next<AnyFrame>(isText(room, 'still here?'))).toMatchObject({ sender: 'Max' });
    expect(received(member, isLeave(room, aliceId))).toEqual([]);
  });

  it('delivers a message sent right after join_room without waiting for the join frame', async () => {
    const room = await createRoom(server, 'seed-eager');
    const alice = await connect(uid('alice'), 'Alice');
    alice.send({ type: 'join_room', content: room });
    alice.send({ type: 'text', content: 'eager', room });
    const frame = await alice.next<AnyFrame>((f) => isText(room, 'eager')(f) || isError(f));
    expect(frame).toMatchObject({ type: 'text', content: 'eager', room, sender: 'Alice' });
    expect(alice.frames.filter(isError)).toEqual([]);
  });

  it('delivers a message sent right after switching rooms, to the new room, without an error', async () => {
    const oldRoom = await createRoom(server, 'seed-eager-old');
    const newRoom = await createRoom(server, 'seed-eager-new');
    const alice = await connect(uid('alice'), 'Alice');
    const member = await connect(uid('member'), 'Max');
    await member.join(newRoom);
    await alice.join(oldRoom);
    alice.send({ type: 'join_room', content: newRoom });
    alice.send({ type: 'text', content: 'eager switch', room: newRoom });
    const frame = await alice.next<AnyFrame>((f) => isText(newRoom, 'eager switch')(f) || isError(f));
    expect(frame).toMatchObject({ type: 'text', content: 'eager switch', room: newRoom });
    expect(await member.next<AnyFrame>(isText(newRoom, 'eager switch'))).toMatchObject({ sender: 'Alice' });
    expect(alice.frames.filter(isError)).toEqual([]);
  });
});
