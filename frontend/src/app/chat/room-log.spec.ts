import type { MembershipFrame } from '@chatstream/protocol';
import { message } from '../../testing/fake-api';
import { appendLive, mergeLatest, oldestMessageId, prependOlder, type RoomEntry } from './room-log';

const ids = (entries: readonly RoomEntry[]) => entries.map((entry) => entry.id);
const history = (count: number) => Array.from({ length: count }, (_, i) => message('r', `m${i}`));

describe('room log', () => {
  test('a live entry already in the log is not added again', () => {
    const [a, b] = history(2);
    expect(ids(appendLive(appendLive([a], b), b))).toEqual([a.id, b.id]);
  });

  test('an older page goes in front, without entries already there', () => {
    const [a, b, c, d] = history(4);
    expect(ids(prependOlder([c, d], [a, b, c]))).toEqual([a.id, b.id, c.id, d.id]);
  });

  test('the first page merges with live entries that arrived while it loaded', () => {
    const [a, b, c, d] = history(4);
    // c arrived live before the page (a, b, c); d arrived live after the page was read.
    expect(ids(mergeLatest([c, d], [a, b, c]))).toEqual([a.id, b.id, c.id, d.id]);
  });

  test('a catch-up page fills what was missed between known entries, each once', () => {
    const [a, b, c, d, e] = history(5);
    // Known: a, b, then e live after the reconnect; missed: c, d.
    expect(ids(mergeLatest([a, b, e], [b, c, d, e]))).toEqual([a.id, b.id, c.id, d.id, e.id]);
  });

  test('join and leave lines (not in history) keep their place among messages', () => {
    const [a, b, c] = history(3);
    const join: MembershipFrame = {
      id: 'j1',
      type: 'join',
      content: 'bob joined the room',
      sender: 'System',
      sender_id: '',
      room: 'r',
      user_id: 'b',
      username: 'bob',
      timestamp: a.timestamp,
    };
    expect(ids(mergeLatest([a, join, b], [a, b, c]))).toEqual([a.id, 'j1', b.id, c.id]);
  });

  test('a catch-up page sharing nothing with the log replaces the older part: the gap is paged in again', () => {
    const all = history(10);
    const known = all.slice(0, 3);
    const page = all.slice(6);
    expect(ids(mergeLatest(known, page))).toEqual(ids(page));
  });

  test('entries newer than a page that shares nothing stay after it', () => {
    const [a, b, c] = history(3);
    expect(ids(mergeLatest([c], [a, b]))).toEqual([a.id, b.id, c.id]);
  });

  test('the oldest history message is the anchor of the next older page', () => {
    const [a, b] = history(2);
    const join = { ...a, id: 'j', type: 'join' } as unknown as RoomEntry;
    expect(oldestMessageId([join, a, b])).toBe(a.id);
    expect(oldestMessageId([])).toBeUndefined();
  });
});
