import { TestServer, isError, type Client } from './harness';
import { type AnyFrame, createRoom, expectId, expectIsoUtc, history, isPrivate, isText, say, uid, serverPerSuite } from './ws-helpers';

describe('WebSocket private messages and ordering', () => {
  let server: TestServer;
  const connect = serverPerSuite(2, (started) => (server = started));

  describe('private messages', () => {
    it('reach every connection of the recipient and of the sender, at both levels, as one message', async () => {
      const aliceId = uid('alice');
      const bobId = uid('bob');
      const alice2 = await connect(aliceId, 'Alice', 2);
      const alice1 = await connect(aliceId, 'Alice', 1);
      const bob2 = await connect(bobId, 'Bob', 2);
      const bob1 = await connect(bobId, 'Bob', 1);

      alice2.send({ type: 'text', content: 'hello bob', recipient: bobId });
      const copies: AnyFrame[] = [];
      for (const conn of [alice2, alice1, bob2, bob1]) copies.push(await conn.next<AnyFrame>(isPrivate('hello bob')));
      for (const copy of copies) {
        expect(copy).toMatchObject({ type: 'private', content: 'hello bob', sender: 'Alice', sender_id: aliceId, recipient: bobId });
        expectId(copy.id);
        expectIsoUtc(copy.timestamp);
      }
      expect(new Set(copies.map((copy) => copy.id)).size).toBe(1);
      expect(new Set(copies.map((copy) => copy.timestamp)).size).toBe(1);
    });

    it('to a known recipient who is offline is accepted: the sender gets its copy and no error', async () => {
      const aliceId = uid('alice');
      const carolId = uid('carol');
      const carol = await server.connect(carolId, 'Carol', 2);
      await carol.close();
      const alice = await connect(aliceId, 'Alice', 2);
      const aliceSeed = await connect(aliceId, 'Alice', 1);

      alice.send({ type: 'text', content: 'while you were away', recipient: carolId });
      const copy = await alice.next<AnyFrame>((frame) => isPrivate('while you were away')(frame) || isError(frame));
      expect(copy).toMatchObject({ type: 'private', sender_id: aliceId, recipient: carolId, content: 'while you were away' });
      expectId(copy.id);
      expectIsoUtc(copy.timestamp);
      expect(await aliceSeed.next<AnyFrame>(isPrivate('while you were away'))).toMatchObject({ id: copy.id });
      expect(alice.frames.filter(isError)).toEqual([]);
    });

    it('to oneself arrives once per connection', async () => {
      const aliceId = uid('alice');
      const tab1 = await connect(aliceId, 'Alice', 2);
      const tab2 = await connect(aliceId, 'Alice', 2);
      tab1.send({ type: 'text', content: 'note to self', recipient: aliceId });
      await tab1.next(isPrivate('note to self'));
      await tab2.next(isPrivate('note to self'));
      // A marker after it: no second copy came in between.
      tab1.send({ type: 'text', content: 'second note', recipient: aliceId });
      for (const tab of [tab1, tab2]) {
        await tab.next(isPrivate('second note'));
        expect(tab.frames.filter(isPrivate('note to self'))).toHaveLength(1);
      }
    });
  });

  it('gives every message a unique string id and an ISO-8601 UTC timestamp', async () => {
    const room = await createRoom(server, 'ids');
    const aliceId = uid('alice');
    const bobId = uid('bob');
    const alice = await connect(aliceId, 'Alice', 2);
    const bob = await connect(bobId, 'Bob', 1);
    await alice.join(room);
    await bob.join(room);
    for (let i = 0; i < 10; i++) alice.send({ type: 'text', content: `room ${i}`, room });
    for (let i = 0; i < 10; i++) alice.send({ type: 'text', content: `private ${i}`, recipient: bobId });
    const roomCopies = await alice.collect<AnyFrame>(10, isText(room));
    const privateCopies = await alice.collect<AnyFrame>(10, isPrivate());
    const others = alice.frames.filter((frame) => frame.type === 'system' || frame.type === 'join') as AnyFrame[];
    const all = [...roomCopies, ...privateCopies, ...others];
    for (const frame of all) {
      expectId(frame.id);
      expectIsoUtc(frame.timestamp);
    }
    expect(new Set(all.map((frame) => frame.id)).size).toBe(all.length);
  });

  it('delivers 200 rapid messages from one member to all 3 members complete, exactly once, in the same order as history', async () => {
    const room = await createRoom(server, 'rapid');
    const sender = await connect(uid('sender'), 'Sam', 2);
    const member2 = await connect(uid('member2'), 'Mia', 2);
    const member1 = await connect(uid('member1'), 'Moe', 1);
    const members = [sender, member2, member1];
    for (const member of members) await member.join(room);

    const sent = Array.from({ length: 200 }, (_, i) => `rapid ${String(i).padStart(3, '0')}`);
    for (const content of sent) sender.send({ type: 'text', content, room });
    const seen: AnyFrame[][] = [];
    for (const member of members) seen.push(await member.collect<AnyFrame>(200, isText(room)));

    const ids = seen.map((frames) => frames.map((frame) => frame.id));
    expect(seen[0].map((frame) => frame.content).sort()).toEqual(sent);
    expect(new Set(ids[0]).size).toBe(200);
    expect(ids[1]).toEqual(ids[0]);
    expect(ids[2]).toEqual(ids[0]);
    expect(sender.frames.filter(isError)).toEqual([]);

    const stored = await history(server, room, 200);
    expect(stored.map((message) => message.id)).toEqual(ids[0]);
    expect(stored.map((message) => message.content)).toEqual(seen[0].map((frame) => frame.content));

    // Exactly once: a marker after the 200 is the very next room message everyone gets.
    sender.send({ type: 'text', content: 'marker', room });
    for (const member of members) expect(await member.next<AnyFrame>(isText(room))).toMatchObject({ content: 'marker' });
  });

  it('two senders interleaving 100 messages each: every member sees the same order, equal to history order', async () => {
    const room = await createRoom(server, 'interleave');
    const anna = await connect(uid('anna'), 'Anna', 2);
    const bert = await connect(uid('bert'), 'Bert', 1);
    const cleo = await connect(uid('cleo'), 'Cleo', 2);
    const members = [anna, bert, cleo];
    for (const member of members) await member.join(room);

    const expected: string[] = [];
    for (let i = 0; i < 100; i++) {
      anna.send({ type: 'text', content: `anna ${i}`, room });
      bert.send({ type: 'text', content: `bert ${i}`, room });
      expected.push(`anna ${i}`, `bert ${i}`);
    }
    const seen: AnyFrame[][] = [];
    for (const member of members) seen.push(await member.collect<AnyFrame>(200, isText(room)));

    const ids = seen.map((frames) => frames.map((frame) => frame.id));
    expect(seen[0].map((frame) => frame.content).sort()).toEqual([...expected].sort());
    expect(new Set(ids[0]).size).toBe(200);
    expect(ids[1]).toEqual(ids[0]);
    expect(ids[2]).toEqual(ids[0]);

    const stored = await history(server, room, 200);
    expect(stored.map((message) => message.id)).toEqual(ids[0]);
    expect(stored.map((message) => message.content)).toEqual(seen[0].map((frame) => frame.content));
  });
});
