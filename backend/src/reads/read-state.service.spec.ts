import { AppConfig } from '../config/app-config';
import { chatServices } from '../testing/fakes';

describe('ReadStateService', () => {
  async function room() {
    const sut = await chatServices();
    const ann = sut.connect('ann');
    const annTab = sut.connect('ann');
    const annSeed = sut.connect('ann', 1);
    const bob = sut.connect('bob');
    await sut.rooms.join(ann.conn, 'general');
    await sut.rooms.join(bob.conn, 'general');
    for (const content of ['one', 'two @ann', 'three']) await sut.messages.send({ senderId: 'bob', senderName: 'bob', content, room: 'general' });
    const state = async (user: string) => (await sut.rooms.listFor(user)).find((r) => r.id === 'general');
    return { ...sut, ann, annTab, annSeed, bob, state };
  }
  const reads = (frames: Array<{ type: string }>) => frames.filter((f) => f.type === 'read');

  it("moves the pointer forward and tells the user's other level-2 connections, not the reader's own or a seed-level one", async () => {
    const { reads: sut, ann, annTab, annSeed, bob, state } = await room();
    await sut.read(ann.conn, { room: 'general' }, 2);
    expect(await state('ann')).toMatchObject({ last_read_seq: 2, unread: 1, unread_mentions: 0 });
    expect(reads(annTab.received)).toEqual([{ type: 'read', room: 'general', seq: 2 }]);
    expect(reads(ann.received)).toEqual([]);
    expect(reads(annSeed.received)).toEqual([]);
    expect(reads(bob.received)).toEqual([]);
  });

  it('never moves back, and says nothing when nothing moved', async () => {
    const { reads: sut, ann, annTab, state } = await room();
    await sut.read(ann.conn, { room: 'general' }, 2);
    await sut.read(ann.conn, { room: 'general' }, 1);
    await sut.read(ann.conn, { room: 'general' }, 2);
    expect((await state('ann'))?.last_read_seq).toBe(2);
    expect(reads(annTab.received)).toHaveLength(1);
  });

  it('caps the pointer at the last seq, so a later message is unread', async () => {
    const { reads: sut, messages, ann, annTab, state } = await room();
    await sut.read(ann.conn, { room: 'general' }, 1000);
    expect(reads(annTab.received)).toEqual([{ type: 'read', room: 'general', seq: 3 }]);
    await messages.send({ senderId: 'bob', senderName: 'bob', content: 'four', room: 'general' });
    expect(await state('ann')).toMatchObject({ last_read_seq: 3, unread: 1 });
  });

  it('keeps one pointer per user', async () => {
    const { reads: sut, ann, state } = await room();
    await sut.read(ann.conn, { room: 'general' }, 3);
    expect(await state('bob')).toMatchObject({ last_read_seq: 0, unread: 0 });
    expect(await state('ann')).toMatchObject({ last_read_seq: 3, unread: 0 });
  });

  it('refuses a room the user is not a member of, an unknown room or recipient, and a bad seq', async () => {
    const { reads: sut, connect } = await room();
    const eve = connect('eve');
    await expect(sut.read(eve.conn, { room: 'general' }, 1)).rejects.toMatchObject({ status: 403 });
    await expect(sut.read(eve.conn, { room: 'nowhere' }, 1)).rejects.toMatchObject({ status: 404 });
    await expect(sut.read(eve.conn, { recipient: 'nobody' }, 1)).rejects.toMatchObject({ status: 404 });
    await expect(sut.read(eve.conn, { recipient: 'bob' }, -1)).rejects.toMatchObject({ status: 400 });
    await expect(sut.read(eve.conn, {}, 1)).rejects.toMatchObject({ status: 400 });
  });

  it('is refused in AUTH=open, where nobody proves who they are', async () => {
    const sut = await chatServices({ config: Object.assign(new AppConfig(), { auth: 'open' }) });
    const ann = sut.connect('ann');
    await sut.rooms.join(ann.conn, 'general');
    await expect(sut.reads.read(ann.conn, { room: 'general' }, 1)).rejects.toMatchObject({ status: 400 });
  });
});
