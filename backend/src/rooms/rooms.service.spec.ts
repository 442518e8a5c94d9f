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
    const { rooms, connect } = await chatServices();
    const other = await rooms.create('Other');
    const ann = connect('ann', 1);
    await rooms.join(ann.conn, 'general');
    await rooms.join(ann.conn, other.id);
    const types = ann.received.filter((f) => f.type === 'join' || f.type === 'leave').map((f) => `${f.type}:${'room' in f ? f.room : ''}`);
    expect(types).toEqual(['join:general', 'leave:general', `join:${other.id}`]);
    expect(rooms.isMember('general', 'ann')).toBe(false);
    expect(ann.conn.currentRoom).toBe(other.id);
  });

  it('leaving ends the membership on all of the user\'s connections', async () => {
    const { rooms, fanout, connect } = await chatServices();
    const tab1 = connect('ann');
    const tab2 = connect('ann');
    await rooms.join(tab1.conn, 'general');
    await rooms.leave(tab2.conn, 'general');
    expect(rooms.isMember('general', 'ann')).toBe(false);
    expect(fanout.subscribers('general').size).toBe(0);
  });

  it('refuses to leave a room one is not a member of', async () => {
    const { rooms, connect } = await chatServices();
    const ann = connect('ann');
    await expect(rooms.leave(ann.conn, 'general')).rejects.toThrow('not a member');
  });
});
