import { TestBed } from '@angular/core/testing';
import { ME, settled, setUpChat } from '../../testing/harness';

const presence = (content: 'online' | 'offline', id: string, username: string) => ({
  type: 'presence',
  content,
  user_id: id,
  username,
  timestamp: new Date().toISOString(),
});

describe('UsersStore', () => {
  afterEach(() => TestBed.resetTestingModule());

  test('lists everyone online but oneself, by name, from GET /api/users', async () => {
    const t = setUpChat({ joined: ['general'] });
    t.api.users = [
      { id: ME.id, username: ME.name },
      { id: 'id-zoe', username: 'zoe' },
      { id: 'id-bob', username: 'bob' },
    ];
    await t.connect();
    expect(t.users.others().map((u) => u.username)).toEqual(['bob', 'zoe']);
  });

  test('presence frames update the list at once', async () => {
    const t = setUpChat({ joined: ['general'] });
    const socket = await t.connect();
    socket.deliver(presence('online', 'id-bob', 'bob'));
    expect(t.users.isOnline('id-bob')).toBe(true);
    socket.deliver(presence('offline', 'id-bob', 'bob'));
    expect(t.users.isOnline('id-bob')).toBe(false);
  });

  test('someone joining a shared room is online', async () => {
    const t = setUpChat({ joined: ['general'] });
    const socket = await t.connect();
    socket.deliver({
      id: 'j',
      type: 'join',
      content: 'bob joined the room',
      sender: 'System',
      sender_id: '',
      room: 'general',
      user_id: 'id-bob',
      username: 'bob',
      timestamp: new Date().toISOString(),
    });
    expect(t.users.others().map((u) => u.username)).toEqual(['bob']);
  });

  test('the list is fetched again every poll interval (the issue asks for at least every 10 s)', async () => {
    const t = setUpChat({ joined: ['general'], pollMs: 20 });
    await t.connect();
    t.api.users = [{ id: 'id-cy', username: 'cy' }];
    await new Promise((resolve) => setTimeout(resolve, 50));
    await settled();
    expect(t.users.others().map((u) => u.username)).toEqual(['cy']);
  });
});
