import { chatServices } from '../testing/fakes';

describe('RoomsService', () => {
  it('always has the General Chat room', async () => {
    const { rooms } = await chatServices();
    expect(await rooms.list()).toEqual([expect.objectContaining({ id: 'general', name: 'General Chat', user_count: 0 })]);
  });

  it('refuses a second room whose name differs only in case', async () => {
    const { rooms } = await chatServices();
    await rooms.create('Book Club');
    await expect(rooms.create('  book club ')).rejects.toMatchObject({ status: 409 });
  });

  it('gives a new room a URL-safe id and no members', async () => {
    const { rooms } = await chatServices();
    const room = await rooms.create('Ünïcode & Friends!');
    expect(room.id).toMatch(/^[a-z0-9-]+$/);
    expect(room.user_count).toBe(0);
  });

  it('counts a member once however many connections they have', async () => {
    const { rooms, connect } = await chatServices();
    const tab1 = connect('ann');
    const tab2 = connect('ann');
    await rooms.join(tab1.conn, 'general');
    await rooms.join(tab2.conn, 'general');
    expect((await rooms.list())[0].user_count).toBe(1);
  });

  it('a level-2 join reaches every tab of the joiner and the other members', async () => {
    const { rooms, connect } = await chatServices();
    const bob = connect('bob');
    await rooms.join(bob.conn, 'general');
    const tab1 = connect('ann');
    const tab2 = connect('ann');
    await rooms.join(tab1.conn, 'general');
    for (const who of [bob, tab1, tab2]) {
      expect(who.received).toContainEqual(expect.objectContaining({ type: 'join', user_id: 'ann', room: 'general' }));
    }
  });

  it('a seed-level connection joining another room leaves its current one first', async () => {
    const { rooms, membership, connect } = await chatServices();
    const other = await rooms.create('Other');
    const ann = connect('ann', 1);
    await rooms.join(ann.conn, 'general');
    await rooms.join(ann.conn, other.id);
    const types = ann.received.filter((f) => f.type === 'join' || f.type === 'leave').map((f) => `${f.type}:${'room' in f ? f.room : ''}`);
    expect(types).toEqual(['join:general', 'leave:general', `join:${other.id}`]);
    expect(membership.isMember('general', 'ann')).toBe(false);
    expect(ann.conn.currentRoom).toBe(other.id);
  });

  it('leaving ends the membership on all of the user\'s connections', async () => {
    const { rooms, membership, fanout, connect } = await chatServices();
    const tab1 = connect('ann');
    const tab2 = connect('ann');
    await rooms.join(tab1.conn, 'general');
    await rooms.leave(tab2.conn, 'general');
    expect(membership.isMember('general', 'ann')).toBe(false);
    expect(fanout.subscribers('general').size).toBe(0);
  });

  it('refuses to leave a room one is not a member of', async () => {
    const { rooms, connect } = await chatServices();
    const ann = connect('ann');
    await expect(rooms.leave(ann.conn, 'general')).rejects.toThrow('not a member');
  });

  it('two tabs joining at once make one join for the others, and each tab gets one join frame', async () => {
    const { rooms, membership, connect } = await chatServices();
    const bob = connect('bob');
    await rooms.join(bob.conn, 'general');
    const tab1 = connect('ann');
    const tab2 = connect('ann');
    await Promise.all([rooms.join(tab1.conn, 'general'), rooms.join(tab2.conn, 'general')]);
    const joins = (frames: Array<{ type: string }>) => frames.filter((f) => f.type === 'join' && 'user_id' in f && f.user_id === 'ann');
    expect(joins(bob.received)).toHaveLength(1);
    expect(joins(tab1.received)).toHaveLength(1);
    expect(joins(tab2.received)).toHaveLength(1);
    expect(membership.isMember('general', 'ann')).toBe(true);
  });

  it('two tabs leaving at once: one leave passes, the other is refused', async () => {
    const { rooms, connect } = await chatServices();
    const bob = connect('bob');
    await rooms.join(bob.conn, 'general');
    const tab1 = connect('ann');
    const tab2 = connect('ann');
    await rooms.join(tab1.conn, 'general');
    const results = await Promise.allSettled([rooms.leave(tab1.conn, 'general'), rooms.leave(tab2.conn, 'general')]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(bob.received.filter((f) => f.type === 'leave')).toHaveLength(1);
  });

  it('announces a new room to level-2 connections only', async () => {
    const { rooms, connect } = await chatServices();
    const modern = connect('ann', 2);
    const seed = connect('bob', 1);
    const room = await rooms.create('Fresh');
    expect(modern.received).toContainEqual({ type: 'room_created', room, timestamp: expect.any(String) });
    expect(seed.received.filter((f) => f.type === 'room_created')).toEqual([]);
  });
});
