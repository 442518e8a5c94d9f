import { MAX_CONTENT_LENGTH } from '@chatstream/protocol';
import { chatServices } from '../testing/fakes';

describe('MessagesService', () => {
  async function room() {
    const sut = await chatServices();
    const ann = sut.connect('ann');
    const bob = sut.connect('bob');
    const eve = sut.connect('eve');
    await sut.rooms.join(ann.conn, 'general');
    await sut.rooms.join(bob.conn, 'general');
    return { ...sut, ann, bob, eve };
  }
  const texts = (frames: Array<{ type: string }>) => frames.filter((f) => f.type === 'text' || f.type === 'private');

  it('delivers a room message to every member, the sender included, and not to others', async () => {
    const { messages, ann, bob, eve } = await room();
    await messages.send({ senderId: 'ann', senderName: 'Ann', content: 'hi', room: 'general' });
    expect(texts(ann.received)).toEqual([expect.objectContaining({ content: 'hi', sender: 'Ann', room: 'general' })]);
    expect(texts(bob.received)).toHaveLength(1);
    expect(texts(eve.received)).toHaveLength(0);
  });

  it('refuses a room message from a non-member', async () => {
    const { messages } = await room();
    await expect(messages.send({ senderId: 'eve', senderName: 'Eve', content: 'hi', room: 'general' })).rejects.toMatchObject({ status: 403 });
  });

  it('routes a private message only to recipient and sender', async () => {
    const { messages, ann, bob, eve } = await room();
    await messages.send({ senderId: 'ann', senderName: 'Ann', content: 'psst', recipient: 'eve' });
    expect(texts(eve.received)).toEqual([expect.objectContaining({ type: 'private', recipient: 'eve', sender_id: 'ann' })]);
    expect(texts(ann.received)).toHaveLength(1);
    expect(texts(bob.received)).toHaveLength(0);
  });

  it('refuses a private message to a user that never connected', async () => {
    const { messages } = await room();
    await expect(messages.send({ senderId: 'ann', senderName: 'Ann', content: 'x', recipient: 'ghost' })).rejects.toMatchObject({ status: 404 });
  });

  it.each([
    ['empty', ''],
    ['blank', ' \n\t '],
    ['too long', 'x'.repeat(MAX_CONTENT_LENGTH + 1)],
  ])('refuses %s content', async (_, content) => {
    const { messages } = await room();
    await expect(messages.send({ senderId: 'ann', senderName: 'Ann', content, room: 'general' })).rejects.toMatchObject({ status: 400 });
  });

  it('accepts content of exactly the limit', async () => {
    const { messages } = await room();
    const frame = await messages.send({ senderId: 'ann', senderName: 'Ann', content: 'x'.repeat(MAX_CONTENT_LENGTH), room: 'general' });
    expect(frame.content).toHaveLength(MAX_CONTENT_LENGTH);
  });

  it('needs exactly one of room and recipient', async () => {
    const { messages } = await room();
    await expect(messages.send({ senderId: 'ann', senderName: 'Ann', content: 'x' })).rejects.toMatchObject({ status: 400 });
    await expect(
      messages.send({ senderId: 'ann', senderName: 'Ann', content: 'x', room: 'general', recipient: 'bob' }),
    ).rejects.toMatchObject({ status: 400 });
  });

  it('returns history oldest first and pages older messages with before', async () => {
    const { messages } = await room();
    const sent = [];
    for (let i = 0; i < 5; i++) sent.push(await messages.send({ senderId: 'ann', senderName: 'Ann', content: `m${i}`, room: 'general' }));
    expect((await messages.history('general', { limit: 2 })).map((m) => m.content)).toEqual(['m3', 'm4']);
    expect((await messages.history('general', { limit: 2, before: sent[3].id })).map((m) => m.content)).toEqual(['m1', 'm2']);
    await expect(messages.history('general', { limit: 2, before: 'no-such-id' })).rejects.toMatchObject({ status: 400 });
  });
});
