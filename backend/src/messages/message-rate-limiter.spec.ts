import { chatServices } from '../testing/fakes';
import { MessageRateLimiter } from './message-rate-limiter';

/** A clock the spec moves by hand. */
function fakeClock() {
  let now = 1_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('MessageRateLimiter', () => {
  it('lets a burst through, then refuses with the wait until the next message', () => {
    const clock = fakeClock();
    const sut = new MessageRateLimiter(3, 5, clock.now);
    expect([sut.take('ann'), sut.take('ann'), sut.take('ann')]).toEqual([0, 0, 0]);
    expect(sut.take('ann')).toBe(200);
  });

  it('refills at the configured rate, never above the burst', () => {
    const clock = fakeClock();
    const sut = new MessageRateLimiter(2, 5, clock.now);
    sut.take('ann');
    sut.take('ann');
    clock.advance(150);
    expect(sut.take('ann')).toBe(50);
    clock.advance(50);
    expect(sut.take('ann')).toBe(0);
    expect(sut.take('ann')).toBe(200);
    clock.advance(60_000);
    expect([sut.take('ann'), sut.take('ann'), sut.take('ann')]).toEqual([0, 0, 200]);
  });

  it('a refused message uses up nothing: the wait shrinks as time passes', () => {
    const clock = fakeClock();
    const sut = new MessageRateLimiter(1, 1, clock.now);
    sut.take('ann');
    expect(sut.take('ann')).toBe(1000);
    clock.advance(400);
    expect(sut.take('ann')).toBe(600);
    clock.advance(600);
    expect(sut.take('ann')).toBe(0);
  });

  it('keeps one allowance per user', () => {
    const clock = fakeClock();
    const sut = new MessageRateLimiter(1, 1, clock.now);
    expect(sut.take('ann')).toBe(0);
    expect(sut.take('ann')).toBeGreaterThan(0);
    expect(sut.take('bob')).toBe(0);
  });

  it('with 0 per second there is no limit', () => {
    const sut = new MessageRateLimiter(1, 0);
    for (let i = 0; i < 1000; i++) expect(sut.take('ann')).toBe(0);
    expect(sut.enabled).toBe(false);
  });

  it('forgets users whose allowance is full again, so the map does not grow with every user ever seen', () => {
    const clock = fakeClock();
    const sut = new MessageRateLimiter(5, 5, clock.now);
    for (let i = 0; i < 5000; i++) sut.take(`user-${i}`);
    clock.advance(10_000);
    for (let i = 0; i < 5000; i++) sut.take(`other-${i}`);
    // 10,000 users seen; the first 5,000 are full again and need no bucket.
    expect(sut.size).toBeLessThan(10_000);
  });
});

describe('MessagesService with a message limit', () => {
  it('refuses a message over the limit with 429 and the wait, stores and delivers nothing, and accepts again after the wait', async () => {
    const clock = fakeClock();
    const sut = await chatServices({ limiter: new MessageRateLimiter(2, 4, clock.now) });
    const ann = sut.connect('ann');
    const bob = sut.connect('bob');
    await sut.rooms.join(ann.conn, 'general');
    await sut.rooms.join(bob.conn, 'general');
    const send = (content: string) => sut.messages.send({ senderId: 'ann', senderName: 'Ann', content, room: 'general' }, ann.conn);
    await send('one');
    await send('two');
    await expect(send('three')).rejects.toMatchObject({ status: 429, retryAfterMs: 250 });
    clock.advance(250);
    await send('four');
    const texts = (frames: Array<{ type: string; content?: string }>) => frames.filter((f) => f.type === 'text').map((f) => f.content);
    expect(texts(bob.received)).toEqual(['one', 'two', 'four']);
    expect((await sut.messages.history('general')).map((m) => m.content)).toEqual(['one', 'two', 'four']);
  });

  it('a refused message (not a member) does not use up the allowance', async () => {
    const clock = fakeClock();
    const sut = await chatServices({ limiter: new MessageRateLimiter(1, 1, clock.now) });
    const eve = sut.connect('eve');
    await expect(sut.messages.send({ senderId: 'eve', senderName: 'Eve', content: 'x', room: 'general' })).rejects.toMatchObject({ status: 403 });
    await sut.rooms.join(eve.conn, 'general');
    await expect(sut.messages.send({ senderId: 'eve', senderName: 'Eve', content: 'x', room: 'general' })).resolves.toMatchObject({ content: 'x' });
  });
});
