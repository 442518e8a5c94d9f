import type { MembershipFrame } from '@chatstream/protocol';
import { message } from '../../testing/fake-api';
import { appendLine, completeThrough, insertMessages, oldestMessageId, type RoomEntry } from './room-log';

const ids = (entries: readonly RoomEntry[]) => entries.map((entry) => entry.id);
const history = (count: number) => Array.from({ length: count }, (_, i) => message('r', `m${i}`, 'carol', 'id-carol', i + 1));
const join = (id: string): MembershipFrame => ({
  id,
  type: 'join',
  content: 'bob joined the room',
  sender: 'System',
  sender_id: '',
  room: 'r',
  user_id: 'b',
  username: 'bob',
  timestamp: '2026-01-01T00:00:00.000Z',
});

describe('room log', () => {
  test('a message already in the log is not added again', () => {
    const [a, b] = history(2);
    expect(ids(insertMessages(insertMessages([a], [b]), [b]))).toEqual([a.id, b.id]);
  });

  test('an older page goes in front, without entries already there', () => {
    const [a, b, c, d] = history(4);
    expect(ids(insertMessages([c, d], [a, b, c]))).toEqual([a.id, b.id, c.id, d.id]);
  });

  test('a catch-up page fills what was missed, in seq order, each once, whatever order it comes in', () => {
    const [a, b, c, d, e] = history(5);
    expect(ids(insertMessages([a, b, e], [d, c, e]))).toEqual([a.id, b.id, c.id, d.id, e.id]);
  });

  test('join and leave lines keep their place: a live message goes after them, a missed one before the next message', () => {
    const [a, b, c, d] = history(4);
    const withLine = appendLine([a, c], join('j1'));
    expect(ids(insertMessages(withLine, [d]))).toEqual([a.id, c.id, 'j1', d.id]);
    expect(ids(insertMessages([a, join('j2'), c], [b]))).toEqual([a.id, 'j2', b.id, c.id]);
    expect(appendLine(withLine, join('j1'))).toBe(withLine);
  });

  test('the log is complete through the last seq before its first gap', () => {
    const [a, b, c, d, e] = history(5);
    expect(completeThrough([])).toBe(0);
    expect(completeThrough([a, b, c])).toBe(3);
    expect(completeThrough([c, d, join('j'), e])).toBe(5);
    // e arrived live after a reconnect, before the catch-up filled c and d.
    expect(completeThrough([a, b, e])).toBe(2);
  });

  test('the oldest history message is the anchor of the next older page', () => {
    const [a, b] = history(2);
    expect(oldestMessageId([join('j'), a, b])).toBe(a.id);
    expect(oldestMessageId([])).toBeUndefined();
  });
});
