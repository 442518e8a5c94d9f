import type { Kysely } from 'kysely';
import { Accounts } from '../src/auth/accounts';
import { openPostgres, openSqlite, type OpenDatabase } from '../src/storage/database';
import { migrate, MIGRATIONS } from '../src/storage/migrations';
import { UsersRepository } from '../src/users/users.repository';
import { PASSWORD, username } from './accounts';
import { DIALECTS, type TestDatabase } from './databases';
import { TestServer } from './harness';

/* A database written by the release before accounts (every migration before 0004_accounts, AUTH=open) upgrades in place on first start. */

const NAMES = Object.keys(MIGRATIONS);
const PREVIOUS_RELEASE = NAMES[NAMES.indexOf('0004_accounts') - 1];
const at = (month: number) => `2025-0${month}-01T00:00:00.000Z`;

async function open(database: TestDatabase): Promise<OpenDatabase> {
  return database.dialect === 'sqlite' ? openSqlite(database.dataDir as string) : openPostgres(database.databaseUrl as string, () => undefined);
}

/** What the previous release stored: users (three of them one name in different cases), a room, messages, private ones. */
async function writePreviousRelease(database: TestDatabase): Promise<void> {
  const opened = await open(database);
  try {
    await migrate(opened.db, PREVIOUS_RELEASE);
    const db = opened.db as unknown as Kysely<any>;
    await db
      .insertInto('users')
      .values([
        { id: 'u-ann', username: 'Ann', created_at: at(1) },
        { id: 'u-ann-lower', username: 'ann', created_at: at(2) },
        { id: 'u-ann-upper', username: 'ANN', created_at: at(3) },
        { id: 'u-bob', username: 'Bob', created_at: at(4) },
        { id: 'u-ann-2', username: 'ann-2', created_at: at(5) },
        { id: 'u-free', username: 'Free Spirit', created_at: at(6) },
      ])
      .execute();
    await db.insertInto('rooms').values({ id: 'old', name: 'Old Room', name_key: 'old room', description: '', created_at: at(1), last_seq: 2 }).execute();
    await db.insertInto('memberships').values({ room_id: 'old', user_id: 'u-bob', joined_at: at(4) }).execute();
    const message = (id: string, fields: object) => ({ id, room_id: null, recipient_id: null, seq: null, sender_id: 'u-bob', sender_name: 'Bob', content: id, created_at: at(5), ...fields });
    await db
      .insertInto('messages')
      .values([
        message('room-1', { room_id: 'old', seq: 1 }),
        message('room-2', { room_id: 'old', seq: 2 }),
        message('dm-1', { recipient_id: 'u-ann', created_at: at(6) }),
        message('dm-2', { sender_id: 'u-ann', sender_name: 'Ann', recipient_id: 'u-bob', created_at: at(7) }),
      ])
      .execute();
  } finally {
    await opened.db.destroy();
  }
}

describe.each(DIALECTS)('upgrading a database of the previous release on %s', (dialect, create) => {
  let database: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    database = await create();
    await writePreviousRelease(database);
    const storage = dialect === 'postgres' ? { storage: 'postgres' as const, databaseUrl: database.databaseUrl } : { dataDir: database.dataDir };
    server = await TestServer.start({ auth: 'accounts', ...storage });
  });
  afterAll(async () => {
    await server.close();
    await database.drop();
  });

  it('keeps every user as an account without a password; the oldest keeps a name shared in another case, later ones get a suffix', async () => {
    const accounts = await server.app.get(UsersRepository).listAccounts();
    expect(accounts.map((a) => [a.id, a.username, a.passwordHash])).toEqual([
      ['u-ann', 'Ann', null],
      ['u-ann-lower', 'ann-3', null],
      ['u-ann-upper', 'ANN-4', null],
      ['u-bob', 'Bob', null],
      ['u-ann-2', 'ann-2', null],
      ['u-free', 'Free Spirit', null],
    ]);
  });

  it('lets nobody sign in as an old user until the operator sets a password; their names stay taken', async () => {
    expect((await server.request('POST', '/api/auth/login', { body: { username: 'Bob', password: PASSWORD } })).status).toBe(401);
    for (const name of ['bob', 'ANN', 'ann-3']) {
      expect((await server.request('POST', '/api/auth/register', { body: { username: name, password: PASSWORD } })).status).toBe(409);
    }
  });

  it('keeps room history and private history; an old user signs in once a password is set and finds both', async () => {
    const newcomer = await server.register(username('new'));
    const history = await server.request('GET', '/api/rooms/old/messages', { bearer: newcomer.token });
    expect(history.body.messages.map((m: { id: string }) => m.id)).toEqual(['room-1', 'room-2']);
    await server.app.get(Accounts, { strict: false }).setPassword('ann', PASSWORD);
    const ann = await server.login('Ann');
    expect(ann.user).toEqual({ id: 'u-ann', username: 'Ann' });
    const conversations = await server.request('GET', '/api/conversations', { bearer: ann.token });
    // Upgraded conversations have read state too: nothing read yet, Bob's message unread.
    expect(conversations.body.conversations).toEqual([
      { user: { id: 'u-bob', username: 'Bob' }, last_message: expect.objectContaining({ id: 'dm-2' }), last_read_seq: 0, unread: 1, unread_mentions: 0 },
    ]);
    const dms = await server.request('GET', '/api/conversations/u-bob/messages', { bearer: ann.token });
    expect(dms.body.messages.map((m: { id: string }) => m.id)).toEqual(['dm-1', 'dm-2']);
  });

  it('lets new accounts message old users', async () => {
    const newcomer = await server.register(username('hello'));
    const sent = await server.request('POST', '/api/messages', { bearer: newcomer.token, body: { content: 'hello Bob', recipient: 'u-bob' } });
    expect(sent.status).toBe(201);
  });
});
