import type { PresenceFrame, ServerFrame } from '@chatstream/protocol';
import { chatServices } from '../testing/fakes';

describe('UsersService presence', () => {
  const presence = (frames: ServerFrame[]) => frames.filter((f): f is PresenceFrame => f.type === 'presence');

  it('announces online once for the first tab and offline only when the last tab closes', async () => {
    const sut = await chatServices();
    const bob = sut.connect('bob');
    await sut.rooms.join(bob.conn, 'general');
    const ann1 = sut.connect('ann');
    await sut.rooms.join(ann1.conn, 'general');
    sut.users.disconnect(ann1.conn);
    const ann2 = sut.connect('ann');
    const ann3 = sut.connect('ann');
    sut.users.disconnect(ann2.conn);
    expect(presence(bob.received).map((f) => f.content)).toEqual(['offline', 'online']);
    sut.users.disconnect(ann3.conn);
    expect(presence(bob.received).map((f) => f.content)).toEqual(['offline', 'online', 'offline']);
  });

  it('tells only users who share a room, and never seed-level connections', async () => {
    const sut = await chatServices();
    const member = sut.connect('member');
    const seed = sut.connect('seed', 1);
    const stranger = sut.connect('stranger');
    await sut.rooms.join(member.conn, 'general');
    await sut.rooms.join(seed.conn, 'general');
    const ann = sut.connect('ann');
    await sut.rooms.join(ann.conn, 'general');
    sut.users.disconnect(ann.conn);
    expect(presence(member.received)).toHaveLength(1);
    expect(presence(seed.received)).toHaveLength(0);
    expect(presence(stranger.received)).toHaveLength(0);
  });

  it('lists online users with the current room of a seed-level connection', async () => {
    const sut = await chatServices();
    const ann = sut.connect('ann', 1, 'Ann');
    sut.connect('bob', 2, 'Bob');
    await sut.rooms.join(ann.conn, 'general');
    expect(await sut.users.online()).toEqual([
      { id: 'ann', username: 'Ann', room: 'general' },
      { id: 'bob', username: 'Bob' },
    ]);
    sut.users.disconnect(ann.conn);
    expect((await sut.users.online()).map((u) => u.id)).toEqual(['bob']);
  });

  it('knows a user after their first connection, also once they are offline', async () => {
    const sut = await chatServices();
    const ann = sut.connect('ann');
    sut.users.disconnect(ann.conn);
    expect(sut.users.isKnown('ann')).toBe(true);
    expect(sut.users.isKnown('bob')).toBe(false);
  });
});
