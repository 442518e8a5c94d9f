import { FakeClock } from '../testing/fakes';
import { SlidingWindowLimiter } from './limiter';

describe('SlidingWindowLimiter', () => {
  const MINUTE = 60_000;

  it('lets `limit` hits through within the window, then makes the key wait until the oldest leaves it', () => {
    const clock = new FakeClock();
    const sut = new SlidingWindowLimiter(3, 10 * MINUTE, clock);
    for (let i = 0; i < 3; i++) {
      expect(sut.waitMs('k')).toBe(0);
      sut.hit('k');
      clock.advance(MINUTE);
    }
    expect(sut.waitMs('k')).toBe(7 * MINUTE);
    clock.advance(7 * MINUTE - 1);
    expect(sut.waitMs('k')).toBe(1);
    clock.advance(1);
    expect(sut.waitMs('k')).toBe(0);
  });

  it('keeps keys apart and forgets a key on reset', () => {
    const sut = new SlidingWindowLimiter(1, MINUTE, new FakeClock());
    sut.hit('a');
    expect(sut.waitMs('a')).toBeGreaterThan(0);
    expect(sut.waitMs('b')).toBe(0);
    sut.reset('a');
    expect(sut.waitMs('a')).toBe(0);
  });

  it('forgets keys whose hits all left the window, so memory does not grow with old keys', () => {
    const clock = new FakeClock();
    const sut = new SlidingWindowLimiter(5, MINUTE, clock);
    for (let i = 0; i < 100; i++) sut.hit(`key-${i}`);
    clock.advance(2 * MINUTE);
    sut.hit('fresh');
    expect(sut.size).toBe(1);
  });

  it('limits nothing with a limit of 0', () => {
    const sut = new SlidingWindowLimiter(0, MINUTE, new FakeClock());
    for (let i = 0; i < 100; i++) sut.hit('k');
    expect(sut.waitMs('k')).toBe(0);
  });
});
