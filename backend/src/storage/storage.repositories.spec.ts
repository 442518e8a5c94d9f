import { Kysely } from 'kysely';
import { DIALECTS, type TestDatabase } from '../../test/databases';
import { AppConfig } from '../config/app-config';
import type { MessageRecord } from '../messages/messages.repository';
import { openPostgres, openSqlite, type Database, type OpenDatabase } from './database';
import { KyselyMessagesRepository } from './kysely/kysely-messages.repository';
import { KyselyRoomsRepository } from './kysely/kysely-rooms.repository';
import { KyselyUsersRepository } from './kysely/kysely-users.repository';
import { MIGRATIONS, migrate } from './migrations';
import { KyselyStorage } from './storage-health';

async function open(database: TestDatabase): Promise<OpenDatabase> {
  return database.dialect === 'sqlite'
    ? openSqlite(database.dataDir as string)
    : openPostgres(database.databaseUrl as string, () => undefined);
}

let counter = 0;
function message(fields: Partial<MessageRecord>): MessageRecord {
  counter++;
  return { id: `m-${counter}-${Math.random()}`, senderId: 'ann', senderName: 'Ann', content: `c${counter}`, timestamp: new Date().toISOString(), ...fields };
}

describe.each(DIALECTS)('repositories on %s', (_dialect, create) => {
  let database: TestDatabase;
  let storage: KyselyStorage;
  let rooms: KyselyRoomsRepository;
  let users: KyselyUsersRepository;
  let messages: KyselyMessagesRepository;

  beforeAll(async () => {
    database = await create();
    const opened = await open(database);
    expect(await migrate(opened.db)).toEqual(Object.keys(MIGRATIONS));
    storage = new KyselyStorage(opened);
    rooms = new KyselyRoomsRepository(storage);
    users = new KyselyUsersRepository(storage);
    messages = new KyselyMessagesRepository(storage, new AppConfig());
    for (const id of ['r1', 'r2', 'r3']) {
      await rooms.createRoom({ id, name: `Room ${id}`, description: '', createdAt: new Date().toISOString() });
    }
  });
  afterAll(async () => {
    await storage.onApplicationShutdown();
    await database.drop();
  });

  it('migrating an up-to-date database does nothing', async () => {
    expect(await migrate(storage.db)).toEqual([]);
  });

  it('stores rooms and refuses a name taken in another case', async () => {
    await rooms.createRoom({ id: 'books', name: 'Books', description: 'paper', createdAt: new Date().toISOString() });
    expect(await rooms.listRooms()).toContainEqual(expect.objectContaining({ id: 'books', name: 'Books', description: 'paper' }));
    await expect(rooms.createRoom({ id: 'books-2', name: 'BOOKS', description: '', createdAt: new Date().toISOString() })).rejects.toMatchObject({
      status: 409,
    });
  });

  it('stores memberships once and forgets them on removal', async () => {
    expect(await rooms.addMember({ roomId: 'r1', userId: 'ann' })).toBe(true);
    expect(await rooms.addMember({ roomId: 'r1', userId: 'ann' })).toBe(false);
    await rooms.addMember({ roomId: 'r2', userId: 'ann' });
    expect(await rooms.removeMember({ roomId: 'r2', userId: 'ann' })).toBe(true);
    expect(await rooms.removeMember({ roomId: 'r2', userId: 'ann' })).toBe(false);
    expect((await rooms.listMemberships()).filter((m) => m.userId === 'ann')).toEqual([{ roomId: 'r1', userId: 'ann' }]);
    expect((await rooms.countMembers()).get('r1')).toBeGreaterThanOrEqual(1);
    expect((await rooms.countMembers()).get('r2')).toBeUndefined();
  });

  it('records a user and their latest name', async () => {
    await users.saveUser({ id: 'u1', username: 'First' });
    await users.saveUser({ id: 'u1', username: 'Second' });
    expect((await users.listUsers()).filter((u) => u.id === 'u1')).toEqual([{ id: 'u1', username: 'Second' }]);
  });

  it('saves users arriving together in one batch, the latest name of each winning', async () => {
    await Promise.all([users.saveUser({ id: 'b1', username: 'A' }), users.saveUser({ id: 'b1', username: 'B' }), users.saveUser({ id: 'b2', username: 'C' })]);
    expect((await users.listUsers()).filter((u) => u.id.startsWith('b')).sort((x, y) => x.id.localeCompare(y.id))).toEqual([
      { id: 'b1', username: 'B' },
      { id: 'b2', username: 'C' },
    ]);
  });

  it('numbers each room\'s messages in the order they were appended, across interleaved rooms', async () => {
    const sent = Array.from({ length: 30 }, (_, i) => message({ room: i % 3 === 0 ? 'r2' : 'r3' }));
    const stored = await Promise.all(sent.map((m) => messages.append(m)));
    const r3 = stored.filter((m) => m.room === 'r3').map((m) => m.seq);
    expect(r3).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(stored.filter((m) => m.room === 'r2').map((m) => m.seq)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    const history = await messages.history('r3', 200);
    expect(history.map((m) => m.id)).toEqual(sent.filter((m) => m.room === 'r3').map((m) => m.id));
  });

  it('settles appends in the order they were made', async () => {
    const order: number[] = [];
    await Promise.all(Array.from({ length: 50 }, (_, i) => messages.append(message({ room: 'r1' })).then(() => order.push(i))));
    expect(order).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('pages history newest first, returned oldest first, and finds a message\'s seq', async () => {
    const sent = [];
    for (let i = 0; i < 10; i++) sent.push(await messages.append(message({ room: 'r2', content: `page-${i}` })));
    const newest = await messages.history('r2', 3);
    expect(newest.map((m) => m.content)).toEqual(['page-7', 'page-8', 'page-9']);
    const seq = await messages.seqOf('r2', sent[7].id);
    expect(seq).toBe(sent[7].seq);
    expect((await messages.history('r2', 3, seq)).map((m) => m.content)).toEqual(['page-4', 'page-5', 'page-6']);
    expect(await messages.seqOf('r1', sent[7].id)).toBeUndefined();
    // The same page in one step, by the anchor's id.
    expect((await messages.historyBefore('r2', 3, sent[7].id))?.map((m) => m.content)).toEqual(['page-4', 'page-5', 'page-6']);
    expect(await messages.historyBefore('r1', 3, sent[7].id)).toBeUndefined();
    expect(await messages.historyBefore('r2', 3, 'no-such-message')).toBeUndefined();
    const oldest = (await messages.history('r2', 1000))[0];
    expect(await messages.historyBefore('r2', 3, oldest.id)).toEqual([]);
  });

  it('stores a burst bigger than one INSERT takes, and batches of sizes seen before, each with its own content', async () => {
    await rooms.createRoom({ id: 'burst', name: 'Burst', description: '', createdAt: new Date().toISOString() });
    const burst = Array.from({ length: 620 }, (_, i) => message({ room: 'burst', content: `burst-${i}` }));
    const stored = await Promise.all(burst.map((m) => messages.append(m)));
    expect(stored.map((m) => m.seq)).toEqual(burst.map((_, i) => i + 1));
    for (let round = 0; round < 3; round++) {
      await Promise.all([0, 1, 2].map((k) => messages.append(message({ room: 'burst', content: `again-${round}-${k}` }))));
    }
    const all = await messages.history('burst', 1000);
    expect(all.map((m) => m.content)).toEqual([...burst.map((m) => m.content), ...[0, 1, 2].flatMap((r) => [0, 1, 2].map((k) => `again-${r}-${k}`))]);
    expect(all.map((m) => m.seq)).toEqual(all.map((_, i) => i + 1));
  });

  it('stores private messages without a room, numbered in their conversation', async () => {
    const stored = await messages.append(message({ senderId: 'solo-a', recipient: 'solo-b' }));
    expect(stored.seq).toBe(1);
    const row = await (storage.db as Kysely<Database>).selectFrom('messages').selectAll().where('id', '=', stored.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ recipient_id: 'solo-b', room_id: null, seq: 1, content: stored.content });
  });

  it('pages forward after a seq: the oldest limit messages above it', async () => {
    await rooms.createRoom({ id: 'forward', name: 'Forward', description: '', createdAt: new Date().toISOString() });
    const sent = [];
    for (let i = 0; i < 5; i++) sent.push(await messages.append(message({ room: 'forward' })));
    expect(sent.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    expect((await messages.after('forward', 2, 0)).map((m) => m.id)).toEqual([sent[0].id, sent[1].id]);
    expect((await messages.after('forward', 10, 3)).map((m) => m.seq)).toEqual([4, 5]);
    expect(await messages.after('forward', 10, 5)).toEqual([]);
  });

  it('stores a client_id once: a repeat in the same batch or a later one answers the stored message', async () => {
    const first = message({ room: 'r1', clientId: 'cid-1' });
    const [a, b] = await Promise.all([messages.append(first), messages.append({ ...first, id: 'other-id' })]);
    expect(a).toMatchObject({ id: first.id, clientId: 'cid-1' });
    expect(a.repeated).toBeUndefined();
    expect(b).toMatchObject({ id: first.id, seq: a.seq, timestamp: first.timestamp, repeated: true });
    const later = await messages.append({ ...first, id: 'third-id', content: 'changed' });
    expect(later).toMatchObject({ id: first.id, seq: a.seq, content: first.content, repeated: true });
    const rows = await (storage.db as Kysely<Database>).selectFrom('messages').select('id').where('client_id', '=', 'cid-1').execute();
    expect(rows).toHaveLength(1);
  });

  it('a repeat leaves no gap in the room sequence, and others in its batch are stored', async () => {
    const known = await messages.append(message({ room: 'r2', clientId: 'gap-1' }));
    const batch = await Promise.all([
      messages.append(message({ room: 'r2' })),
      messages.append(message({ room: 'r2', clientId: 'gap-1' })),
      messages.append(message({ room: 'r2', clientId: 'gap-2' })),
    ]);
    expect(batch[1]).toMatchObject({ id: known.id, repeated: true });
    expect([batch[0].seq, batch[2].seq]).toEqual([(known.seq as number) + 1, (known.seq as number) + 2]);
  });

  it('the same client_id of two senders is two messages', async () => {
    const [a, b] = await Promise.all([
      messages.append(message({ room: 'r1', senderId: 'ann', clientId: 'shared' })),
      messages.append(message({ room: 'r1', senderId: 'bob', clientId: 'shared' })),
    ]);
    expect(a.repeated).toBeUndefined();
    expect(b.repeated).toBeUndefined();
    expect(a.id).not.toBe(b.id);
  });

  it('a private message repeat answers the stored private message', async () => {
    const sent = await messages.append(message({ recipient: 'bob', clientId: 'dm-1' }));
    const again = await messages.append(message({ recipient: 'bob', clientId: 'dm-1' }));
    expect(again).toMatchObject({ id: sent.id, recipient: 'bob', repeated: true });
  });

  it('two writers (two instances) racing with one client_id store one message', async () => {
    const otherStorage = new KyselyStorage(await open(database));
    const other = new KyselyMessagesRepository(otherStorage, new AppConfig());
    try {
      for (let round = 0; round < 5; round++) {
        const twin = message({ room: 'r1', clientId: `race-${round}` });
        const results = await Promise.all([messages.append(twin), other.append({ ...twin, id: `${twin.id}-b` })]);
        expect(new Set(results.map((r) => r.id)).size).toBe(1);
        expect(results.filter((r) => r.repeated)).toHaveLength(1);
      }
      const all = await messages.history('r1', 1000);
      expect(all.map((m) => m.seq)).toEqual(all.map((_, i) => i + 1));
    } finally {
      await otherStorage.onApplicationShutdown();
    }
  });

  it('fails a whole batch when its transaction fails, storing none of it, and then carries on', async () => {
    const good = message({ room: 'r1' });
    const bad = message({ room: 'no-such-room' });
    const results = await Promise.allSettled([messages.append(good), messages.append(bad)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((results[0] as PromiseRejectedResult).reason).toMatchObject({ status: 503 });
    expect(await messages.seqOf('r1', good.id)).toBeUndefined();
    const after = await messages.append(message({ room: 'r1' }));
    expect(after.seq).toBeGreaterThan(0);
  });
});

describe.each(DIALECTS)('migrations on %s', (_dialect, create) => {
  it('upgrades a database of the first version and keeps its data', async () => {
    const database = await create();
    const opened = await open(database);
    let storage: KyselyStorage | undefined;
    try {
      await migrate(opened.db, '0001_initial');
      const db = opened.db as unknown as Kysely<any>;
      await db.insertInto('rooms').values({ id: 'old', name: 'Old', name_key: 'old', description: '', created_at: '2025-01-01T00:00:00.000Z' }).execute();
      await db
        .insertInto('messages')
        .values([1, 2, 3].map((seq) => ({ id: `old-${seq}`, room_id: 'old', recipient_id: null, seq, sender_id: 'a', sender_name: 'A', content: `x${seq}`, created_at: '2025-01-01T00:00:00.000Z' })))
        .execute();
      expect(await migrate(opened.db)).toEqual(Object.keys(MIGRATIONS).slice(1));
      storage = new KyselyStorage(opened);
      const messages = new KyselyMessagesRepository(storage, new AppConfig());
      const next = await messages.append(message({ room: 'old' }));
      expect(next.seq).toBe(4);
      expect((await messages.history('old', 10)).map((m) => m.id)).toEqual(['old-1', 'old-2', 'old-3', next.id]);
    } finally {
      await (storage ? storage.onApplicationShutdown() : opened.db.destroy());
      await database.drop();
    }
  });
});
