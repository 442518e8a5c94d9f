import { TestBed } from '@angular/core/testing';
import type { MembershipFrame } from '@chatstream/protocol';
import { ME, settled, setUpChat } from '../../testing/harness';
import { FakeWebSocket } from '../../testing/fake-web-socket';
import { room } from '../../testing/fake-api';

function membership(type: 'join' | 'leave', roomId: string, userId = ME.id, username = ME.name): MembershipFrame {
  return {
    id: `${type}-${roomId}-${userId}-${Math.random()}`,
    type,
    content: `${username} ${type === 'join' ? 'joined' : 'left'} the room`,
    sender: 'System',
    sender_id: '',
    room: roomId,
    user_id: userId,
    username,
    timestamp: new Date().toISOString(),
  };
}

describe('RoomsStore', () => {
  afterEach(() => TestBed.resetTestingModule());

  test('a first visit joins General and opens it', async () => {
    const t = setUpChat();
    const socket = await t.connect();
    expect(socket.sentOfType('join_room')).toEqual([{ type: 'join_room', content: 'general' }]);
    expect(t.rooms.openId()).toBe('general');
    expect(t.rooms.joining().has('general')).toBe(true);
    socket.deliver(membership('join', 'general'));
    expect(t.rooms.openJoined()).toBe(true);
    expect(JSON.parse(localStorage.getItem(`chatstream.${ME.id}.joined`) ?? '[]')).toEqual(['general']);
  });

  test('every (re)connect rejoins the rooms this device remembers', async () => {
    const t = setUpChat({ joined: ['general', 'dev'], open: 'dev' });
    t.api.roomList.push(room('dev', 'Dev'));
    const first = await t.connect();
    expect(first.sentOfType('join_room').map((f) => f['content'])).toEqual(['general', 'dev']);
    expect(t.rooms.openId()).toBe('dev');
    first.drop();
    await new Promise((resolve) => setTimeout(resolve, 30));
    FakeWebSocket.last.accept();
    expect(FakeWebSocket.last.sentOfType('join_room').map((f) => f['content'])).toEqual(['general', 'dev']);
  });

  test('creating a room joins it and opens it (the server does not make the creator a member)', async () => {
    const t = setUpChat({ joined: ['general'] });
    const socket = await t.connect();
    expect(await t.rooms.create('Launch Plans', 'dates')).toBeNull();
    expect(t.rooms.rooms().map((r) => r.name)).toContain('Launch Plans');
    expect(t.rooms.openId()).toBe('launch-plans');
    expect(socket.sentOfType('join_room').at(-1)).toEqual({ type: 'join_room', content: 'launch-plans' });
  });

  test('a taken name is refused with the server’s reason', async () => {
    const t = setUpChat({ joined: ['general'] });
    await t.connect();
    expect(await t.rooms.create('general chat', '')).toMatch(/already exists/);
  });

  test('leaving is done when the leave frame comes back; the room stays open, read-only', async () => {
    const t = setUpChat({ joined: ['general'] });
    const socket = await t.connect();
    t.rooms.leave('general');
    expect(socket.sentOfType('leave_room')).toEqual([{ type: 'leave_room', content: 'general' }]);
    expect(t.rooms.openJoined()).toBe(true);
    socket.deliver(membership('leave', 'general'));
    expect(t.rooms.openJoined()).toBe(false);
    expect(t.rooms.openId()).toBe('general');
  });

  test('membership changes refresh the member counts', async () => {
    const t = setUpChat({ joined: ['general'] });
    const socket = await t.connect();
    const before = t.api.calls.filter((call) => call === 'rooms').length;
    t.api.roomList[0].user_count = 2;
    socket.deliver(membership('join', 'general', 'id-bob', 'bob'));
    await new Promise((resolve) => setTimeout(resolve, 350));
    await settled();
    expect(t.api.calls.filter((call) => call === 'rooms').length).toBe(before + 1);
    expect(t.rooms.rooms()[0].user_count).toBe(2);
  });

  test('a message from a room this device forgot proves the membership', async () => {
    const t = setUpChat({ joined: [] });
    const socket = await t.connect();
    socket.deliver(t.api.post('general', 'hi'));
    expect(t.rooms.isJoined('general')).toBe(true);
  });

  test('after a reconnect, rooms the server no longer has are forgotten', async () => {
    const t = setUpChat({ joined: ['general', 'gone'], open: 'gone' });
    t.api.roomList.push(room('gone', 'Gone'));
    const first = await t.connect();
    t.api.roomList.pop();
    first.drop();
    await new Promise((resolve) => setTimeout(resolve, 30));
    FakeWebSocket.last.accept();
    await settled();
    expect(t.rooms.isJoined('gone')).toBe(false);
    expect(t.rooms.openId()).toBe('general');
  });

  test('the room list follows room_created frames, once per room, and is not polled', async () => {
    const t = setUpChat({ joined: ['general'], pollMs: 20 });
    const socket = await t.connect();
    const before = t.api.calls.filter((call) => call === 'rooms').length;
    const room = { id: 'made-elsewhere', name: 'Made Elsewhere', description: '', user_count: 0, created_at: '2026-01-01T00:00:00.000Z' };
    socket.deliver({ type: 'room_created', room, timestamp: '2026-01-01T00:00:00.000Z' });
    socket.deliver({ type: 'room_created', room, timestamp: '2026-01-01T00:00:00.000Z' });
    expect(t.rooms.rooms().filter((r) => r.id === 'made-elsewhere')).toEqual([room]);
    await new Promise((resolve) => setTimeout(resolve, 70));
    expect(t.api.calls.filter((call) => call === 'rooms').length).toBe(before);
  });
});
