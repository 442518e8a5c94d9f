import type { PrivateMessageFrame } from '@chatstream/protocol';
import { privateMessage } from '../../testing/fake-api';
import { appendLive, mergeLatest, prependOlder } from './private-log';

const ann = { id: 'id-ann', username: 'ann' };
const ben = { id: 'id-ben', username: 'ben' };
const ids = (messages: readonly PrivateMessageFrame[]) => messages.map((message) => message.id);
const history = (count: number) => Array.from({ length: count }, (_, i) => privateMessage(i % 2 ? ann : ben, i % 2 ? ben : ann, `m${i}`));

describe('private log', () => {
  test('a live message already in the log is not added again', () => {
    const [a, b] = history(2);
    expect(ids(appendLive(appendLive([a], b), b))).toEqual([a.id, b.id]);
  });

  test('an older page goes in front, without messages already there', () => {
    const [a, b, c, d] = history(4);
    expect(ids(prependOlder([c, d], [a, b, c]))).toEqual([a.id, b.id, c.id, d.id]);
  });

  test('the first page merges with live messages that arrived while it loaded', () => {
    const [a, b, c, d] = history(4);
    expect(ids(mergeLatest([c, d], [a, b, c]))).toEqual([a.id, b.id, c.id, d.id]);
  });

  test('a catch-up page fills what was missed between known messages, each once', () => {
    const [a, b, c, d, e] = history(5);
    expect(ids(mergeLatest([a, b, e], [b, c, d, e]))).toEqual([a.id, b.id, c.id, d.id, e.id]);
  });

  test('a page sharing nothing with the log replaces the older part (the gap is paged in again); newer ones stay after it', () => {
    const all = history(10);
    expect(ids(mergeLatest(all.slice(0, 3), all.slice(6)))).toEqual(ids(all.slice(6)));
    const [a, b, c] = history(3);
    expect(ids(mergeLatest([c], [a, b]))).toEqual([a.id, b.id, c.id]);
  });
});
