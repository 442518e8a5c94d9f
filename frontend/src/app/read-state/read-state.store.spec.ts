import { TestBed } from '@angular/core/testing';
import type { PrivateMessageFrame, RoomMessageFrame } from '@chatstream/protocol';
import { ME, settled, setUpChat } from '../../testing/harness';
import { room } from '../../testing/fake-api';
import { dmKey, roomKey } from './badges';

const GENERAL = roomKey('general');
const DEV = roomKey('dev');

/** Alice (accounts mode) in General and Dev; the server says what she has read. */
async function signedIn(read: { general: [number, number, number]; dev: [number, number, number] }) {
  const t = setUpChat({ joined: ['general', 'dev'], auth: 'accounts' });
  const [general, dev] = [read.general, read.dev].map(([last_read_seq, unread, unread_mentions]) => ({ last_read_seq, unread, unread_mentions }));
  t.api.roomList = [{ ...room('general', 'General Chat'), ...general }, { ...room('dev', 'Dev'), ...dev }];
  const socket = await t.connect();
  await settled();
  return { t, socket, readState: t.readState };
}

let n = 0;
function roomMessage(roomId: string, seq: number, from = 'id-bob', mentions: string[] = []): RoomMessageFrame {
  n++;
  return { id: `live-${n}`, type: 'text', content: `m${seq}`, sender: from.slice(3), sender_id: from, room: roomId, seq, timestamp: new Date(Date.UTC(2027, 0, 1) + n * 1000).toISOString(), mentions };
}

describe('ReadStateStore (accounts mode)', () => {
  afterEach(() => {
    jest.useRealTimers();
    TestBed.resetTestingModule();
  });

  test('badges start from the server’s counts; the title total counts joined rooms only', async () => {
    const { socket, readState } = await signedIn({ general: [10, 3, 1], dev: [4, 2, 0] });
    expect([readState.unread(GENERAL), readState.mentions(GENERAL), readState.unread(DEV)]).toEqual([3, 1, 2]);
    expect(readState.total()).toBe(5);
    socket.deliver({ id: 'leave-1', type: 'leave', content: 'alice left the room', sender: 'System', sender_id: '', room: 'dev', user_id: ME.id, username: ME.name, timestamp: new Date().toISOString() });
    expect(readState.total()).toBe(3);
  });

  test('a message from someone else raises its room’s badge (a mention both counts); one’s own does not', async () => {
    const { socket, readState } = await signedIn({ general: [10, 0, 0], dev: [4, 0, 0] });
    socket.deliver(roomMessage('dev', 5));
    socket.deliver(roomMessage('dev', 6, 'id-bob', [ME.id]));
    socket.deliver(roomMessage('dev', 7, ME.id));
    expect([readState.unread(DEV), readState.mentions(DEV), readState.total()]).toEqual([2, 1, 2]);
  });

  test('a read frame from one’s other tab lowers the badge at once', async () => {
    const { socket, readState } = await signedIn({ general: [10, 0, 0], dev: [4, 0, 0] });
    socket.deliver(roomMessage('dev', 5));
    socket.deliver(roomMessage('dev', 6));
    socket.deliver({ type: 'read', room: 'dev', seq: 6 });
    expect(readState.unread(DEV)).toBe(0);
    expect(readState.total()).toBe(0);
  });

  test('what is on screen is sent as a read frame: forward only, at most once a second per room', async () => {
    const { socket, readState } = await signedIn({ general: [10, 0, 0], dev: [4, 0, 0] });
    jest.useFakeTimers();
    readState.seen(GENERAL, 12);
    readState.seen(GENERAL, 9);
    readState.seen(GENERAL, 13);
    readState.seen(GENERAL, 14);
    expect(socket.sentOfType('read')).toEqual([{ type: 'read', room: 'general', seq: 12 }]);
    jest.advanceTimersByTime(1000);
    expect(socket.sentOfType('read')).toEqual([
      { type: 'read', room: 'general', seq: 12 },
      { type: 'read', room: 'general', seq: 14 },
    ]);
  });

  test('a private conversation reads the same way, by recipient', async () => {
    const { socket, readState } = await signedIn({ general: [10, 0, 0], dev: [4, 0, 0] });
    const frame: PrivateMessageFrame = { id: 'p-live', type: 'private', content: 'psst', sender: 'bob', sender_id: 'id-bob', recipient: ME.id, seq: 1, timestamp: new Date().toISOString() };
    socket.deliver(frame);
    expect(readState.unread(dmKey('id-bob'))).toBe(1);
    readState.seen(dmKey('id-bob'), 1);
    expect(readState.unread(dmKey('id-bob'))).toBe(0);
    await settled();
    await new Promise((resolve) => setTimeout(resolve, 350));
    await settled();
    expect(socket.sentOfType('read')).toEqual([{ type: 'read', recipient: 'id-bob', seq: 1 }]);
  });

  test('the divider is where the pointer was when the room opened, even after reading on', async () => {
    const { readState } = await signedIn({ general: [10, 3, 0], dev: [4, 0, 0] });
    readState.opened(GENERAL);
    readState.seen(GENERAL, 13);
    expect(readState.divider(GENERAL)).toBe(10);
    readState.opened(GENERAL);
    expect(readState.divider(GENERAL)).toBe(13);
  });

  test('a room opened before the counts arrived gets its divider and its read when they do', async () => {
    const t = setUpChat({ joined: ['general'], auth: 'accounts' });
    t.api.roomList = [{ ...room('general', 'General Chat'), last_read_seq: 7, unread: 2, unread_mentions: 0 }];
    await t.session.start();
    const readState = t.readState;
    readState.opened(GENERAL);
    readState.seen(GENERAL, 9);
    expect(readState.divider(GENERAL)).toBeNull();
    const socket = await t.connect();
    await settled();
    expect(readState.divider(GENERAL)).toBe(7);
    expect(socket.sentOfType('read')).toEqual([{ type: 'read', room: 'general', seq: 9 }]);
  });
});

describe('ReadStateStore (open mode)', () => {
  afterEach(() => TestBed.resetTestingModule());

  test('counts for this page only and never sends read frames (the server keeps no read state)', async () => {
    const t = setUpChat({ joined: ['general', 'dev'] });
    const socket = await t.connect();
    socket.deliver(roomMessage('dev', 1));
    socket.deliver(roomMessage('dev', 2));
    expect(t.readState.unread(DEV)).toBe(2);
    t.readState.seen(DEV, 2);
    expect(t.readState.unread(DEV)).toBe(0);
    expect(socket.sentOfType('read')).toEqual([]);
    expect(t.api.calls).not.toContain('conversations');
  });
});

