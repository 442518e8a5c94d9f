import { EMPTY_BADGE, ReadThrottle, arrive, change, mentionsOf, read, seed, unreadOf, type Arrival, type Badge } from './badges';

const server = (last_read_seq: number, unread: number, unread_mentions = 0) => ({ last_read_seq, unread, unread_mentions });
const theirs = (seq: number, mentionsMe = false): Arrival => ({ id: `m${seq}`, seq, mine: false, mentionsMe });
const mine = (seq: number): Arrival => ({ id: `m${seq}`, seq, mine: true, mentionsMe: false });

function after(...steps: Array<(badge: Badge) => Badge>): Badge {
  return steps.reduce((badge, step) => step(badge), EMPTY_BADGE);
}

describe('badge maths', () => {
  test('the server’s counts are the badge; messages of others arriving after the pointer add to it, one’s own do not', () => {
    const badge = after(
      (b) => seed(b, server(10, 3, 1)),
      (b) => arrive(b, theirs(14)),
      (b) => arrive(b, mine(15)),
      (b) => arrive(b, theirs(16, true)),
    );
    expect([unreadOf(badge), mentionsOf(badge)]).toEqual([5, 2]);
  });

  test('the same message arriving twice counts once; one at or before the pointer not at all', () => {
    const badge = after(
      (b) => seed(b, server(10, 0)),
      (b) => arrive(b, theirs(9)),
      (b) => arrive(b, theirs(11)),
      (b) => arrive(b, theirs(11)),
    );
    expect(unreadOf(badge)).toBe(1);
  });

  test('reading up to the newest message known clears the badge, the server’s share included', () => {
    const badge = after(
      (b) => seed(b, server(10, 3, 1)),
      (b) => arrive(b, theirs(14, true)),
      (b) => read(b, 14),
    );
    expect([unreadOf(badge), mentionsOf(badge), badge.stale]).toEqual([0, 0, false]);
  });

  test('reading part of what arrived live lowers the count by exactly what was read', () => {
    const badge = after(
      (b) => seed(b, server(10, 0)),
      (b) => arrive(b, theirs(11)),
      (b) => arrive(b, theirs(12, true)),
      (b) => arrive(b, theirs(13)),
      (b) => read(b, 12),
    );
    expect([unreadOf(badge), mentionsOf(badge), badge.stale]).toEqual([1, 0, false]);
  });

  test('a read inside what only the server counted keeps the count and asks for a fresh one', () => {
    const badge = after(
      (b) => seed(b, server(10, 3)),
      (b) => read(b, 12),
    );
    expect([unreadOf(badge), badge.lastRead, badge.stale]).toEqual([3, 12, true]);
  });

  test('the pointer never moves back', () => {
    const badge = after(
      (b) => seed(b, server(10, 0)),
      (b) => arrive(b, theirs(11)),
      (b) => read(b, 11),
      (b) => read(b, 5),
      (b) => arrive(b, theirs(11)),
    );
    expect([badge.lastRead, unreadOf(badge)]).toEqual([11, 0]);
  });

  test('a mention edited away stops counting as a mention; a deleted message stops counting at all', () => {
    const badge = after(
      (b) => seed(b, server(0, 0)),
      (b) => arrive(b, theirs(1, true)),
      (b) => arrive(b, theirs(2)),
      (b) => change(b, theirs(1, false)),
      (b) => change(b, { ...theirs(2), deleted: true }),
    );
    expect([unreadOf(badge), mentionsOf(badge)]).toEqual([1, 0]);
  });

  test('a change to a message only the server counted asks for fresh counts', () => {
    const badge = after(
      (b) => seed(b, server(10, 2)),
      (b) => change(b, { ...theirs(11), deleted: true }),
    );
    expect([unreadOf(badge), badge.stale]).toEqual([2, true]);
  });

  test('fresh counts replace what was counted live', () => {
    const badge = after(
      (b) => seed(b, server(10, 0)),
      (b) => arrive(b, theirs(11)),
      (b) => arrive(b, theirs(12)),
      (b) => seed(b, server(11, 1)),
    );
    expect([unreadOf(badge), badge.lastRead]).toEqual([1, 11]);
  });

  test('fresh counts older than a read made here do not bring the badge back', () => {
    const badge = after(
      (b) => seed(b, server(10, 0)),
      (b) => arrive(b, theirs(11)),
      (b) => arrive(b, theirs(12)),
      (b) => read(b, 12),
      // Answered before the server applied the read frame.
      (b) => seed(b, server(10, 2)),
    );
    expect([unreadOf(badge), badge.lastRead]).toEqual([0, 12]);
  });
});

describe('ReadThrottle', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function throttle() {
    const sent: Array<[string, number]> = [];
    const sut = new ReadThrottle((key, seq) => sent.push([key, seq]), 1000);
    return { sut, sent };
  }

  test('the first read goes at once; more within the second go once, at its end, with the newest seq', () => {
    const { sut, sent } = throttle();
    sut.offer('room:general', 3);
    expect(sent).toEqual([['room:general', 3]]);
    sut.offer('room:general', 4);
    sut.offer('room:general', 7);
    jest.advanceTimersByTime(999);
    expect(sent).toHaveLength(1);
    jest.advanceTimersByTime(1);
    expect(sent).toEqual([
      ['room:general', 3],
      ['room:general', 7],
    ]);
  });

  test('at most one a second however many reads come', () => {
    const { sut, sent } = throttle();
    for (let ms = 0; ms < 5000; ms += 50) {
      sut.offer('room:general', ms + 1);
      jest.advanceTimersByTime(50);
    }
    expect(sent.length).toBeLessThanOrEqual(6);
    expect(sent.length).toBeGreaterThanOrEqual(5);
    expect(sent.at(-1)?.[1]).toBeGreaterThan(4000);
  });

  test('only forward: a seq at or below what was sent, or what the server already has, is not sent', () => {
    const { sut, sent } = throttle();
    sut.known('room:general', 10);
    sut.offer('room:general', 8);
    sut.offer('room:general', 10);
    jest.advanceTimersByTime(5000);
    expect(sent).toEqual([]);
    sut.offer('room:general', 11);
    expect(sent).toEqual([['room:general', 11]]);
  });

  test('each room and conversation has its own second', () => {
    const { sut, sent } = throttle();
    sut.offer('room:general', 1);
    sut.offer('room:dev', 1);
    sut.offer('dm:id-bob', 4);
    expect(sent).toEqual([
      ['room:general', 1],
      ['room:dev', 1],
      ['dm:id-bob', 4],
    ]);
  });

  test('a read another device made meanwhile makes the pending send unnecessary', () => {
    const { sut, sent } = throttle();
    sut.offer('room:general', 1);
    sut.offer('room:general', 5);
    sut.known('room:general', 9);
    jest.advanceTimersByTime(1000);
    expect(sent).toEqual([['room:general', 1]]);
  });
});
