import { sql, type Kysely } from 'kysely';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DIALECTS, sqliteDatabase, type TestDatabase } from '../../test/databases';
import { AppConfig } from '../config/app-config';
import type { MessageRecord } from '../messages/messages.repository';
import { openPostgres, openSqlite, type OpenDatabase } from './database';
import { KyselyMessagesRepository } from './kysely/kysely-messages.repository';
import { KyselyRoomsRepository } from './kysely/kysely-rooms.repository';
import { KyselySearchRepository } from './kysely/kysely-search.repository';
import { migrate } from './migrations';
import { INDEX_CHUNK, INDEX_DELAY_MS, SearchIndex } from './search-index';
import { KyselyStorage } from './storage-health';
import { openStorage } from './storage.module';

/** A second process on the same database: holds the write lock while it stores a message, then commits. */
const OTHER_WRITER = `
const [sqlite, file] = process.argv.slice(1);
const db = new (require(sqlite))(file);
db.pragma('busy_timeout = 5000');
db.exec('begin immediate');
db.prepare("insert into messages (id, room_id, seq, sender_id, sender_name, content, created_at) values ('other-1', 'r1', 1, 'bob', 'Bob', 'written elsewhere', '2026-01-01T00:00:00.000Z')").run();
process.stdout.write('locked\\n');
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
db.exec('commit');
db.close();
`;

let counter = 0;
function message(content: string): MessageRecord {
  counter++;
  return { id: `si-${counter}`, room: 'r1', senderId: 'bob', senderName: 'Bob', content, timestamp: new Date(Date.now() + counter).toISOString() };
}

/**
 * What a catch-up came to, as text. (A better-sqlite3 error thrown in a later
 * test file of a jest worker is of an earlier file's realm, not instanceof
 * this one's Error, so `rejects.toThrow` would not see it.)
 */
async function outcomeOf(run: Promise<number>): Promise<string> {
  return run.then(
    (indexed) => `indexed ${indexed}`,
    (error: unknown) => String(error),
  );
}

/** Entries FTS5 holds for a word: what the index has, whatever the messages say. */
async function inIndex(opened: OpenDatabase, word: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*) as n from messages_fts where messages_fts match ${`"${word}"`}`.execute(opened.db);
  return Number(rows[0].n);
}

describe.each(DIALECTS)('the search index after commits, on %s', (dialect, create) => {
  let database: TestDatabase;
  let opened: OpenDatabase;
  let storage: KyselyStorage;
  let messages: KyselyMessagesRepository;
  let search: KyselySearchRepository;

  beforeEach(async () => {
    database = await create();
    opened = dialect === 'sqlite' ? openSqlite(database.dataDir as string) : await openPostgres(database.databaseUrl as string, () => undefined);
    await migrate(opened.db);
    storage = new KyselyStorage(opened);
    messages = new KyselyMessagesRepository(storage, new AppConfig());
    search = new KyselySearchRepository(storage);
    search.recentWindow = 0; // the index alone
    await new KyselyRoomsRepository(storage).createRoom({ id: 'r1', name: 'R1', description: '', createdAt: new Date().toISOString() });
  });
  afterEach(async () => {
    await storage.onApplicationShutdown();
    await database.drop();
  });

  const found = async (word: string) => (await search.search({ words: [word], limit: 10 }))?.map((m) => m.id);

  it('finds a message searched for right after its commit, and indexes it shortly after without a search', async () => {
    const first = await messages.append(message('lighthouse keeper'));
    if (dialect === 'sqlite') expect(await inIndex(opened, 'lighthouse')).toBe(0); // the commit did not write the index
    expect(await found('lighthouse')).toEqual([first.id]);
    await messages.append(message('harbour master'));
    await new Promise((resolve) => setTimeout(resolve, INDEX_DELAY_MS * 4));
    if (dialect === 'sqlite') expect(await inIndex(opened, 'harbour')).toBe(1);
    expect(await found('harbour')).toHaveLength(1);
  });

  it('keeps search exact through edits and deletes of messages on both sides of what is indexed', async () => {
    const apple = await messages.append(message('apple one'));
    const banana = await messages.append(message('banana two'));
    await storage.search.catchUp();
    const cherry = await messages.append(message('cherry three'));
    const durian = await messages.append(message('durian four'));
    const edit = (content: string) => () => ({ kind: 'edit' as const, content, mentions: [], at: new Date().toISOString() });
    await messages.change(apple.id, edit('apricot one'));
    await messages.change(cherry.id, edit('citrus three'));
    await messages.change(banana.id, () => ({ kind: 'delete' }));
    await messages.change(durian.id, () => ({ kind: 'delete' }));
    expect(await found('apple')).toEqual([]);
    expect(await found('apricot')).toEqual([apple.id]);
    expect(await found('cherry')).toEqual([]);
    expect(await found('citrus')).toEqual([cherry.id]);
    expect(await found('banana')).toEqual([]);
    expect(await found('durian')).toEqual([]);
    expect(await found('one')).toEqual([apple.id]);
    await new SearchIndex(opened).check();
  });
});

describe('the search index on SQLite, across restarts and migrations', () => {
  let database: TestDatabase;
  beforeEach(() => {
    database = sqliteDatabase();
  });
  afterEach(() => database.drop());

  it('indexes at start what was committed when the last run stopped before indexing it', async () => {
    const config = Object.assign(new AppConfig(), { dataDir: database.dataDir });
    const before = (await openStorage(config)) as OpenDatabase;
    await new KyselyRoomsRepository(new KyselyStorage(before)).createRoom({ id: 'r1', name: 'R1', description: '', createdAt: new Date().toISOString() });
    // What a commit leaves when the process dies before the index's turn: the rows, nothing in FTS5.
    const db = before.db as unknown as Kysely<any>;
    await db.insertInto('messages').values({ id: 'left-1', room_id: 'r1', seq: 1, sender_id: 'bob', sender_name: 'Bob', content: 'unfinished symphony', created_at: new Date().toISOString() }).execute();
    // And a backlog larger than one indexing transaction.
    const backlog = Array.from({ length: INDEX_CHUNK * 2 + 5 }, (_, i) => ({
      id: `left-${i + 2}`, room_id: 'r1', seq: i + 2, sender_id: 'bob', sender_name: 'Bob', content: `backlog ${i}`, created_at: new Date().toISOString(),
    }));
    await db.insertInto('messages').values(backlog).execute();
    expect(await inIndex(before, 'symphony')).toBe(0);
    await before.db.destroy();

    const after = (await openStorage(config)) as OpenDatabase;
    try {
      expect(await inIndex(after, 'symphony')).toBe(1);
      expect(await inIndex(after, 'backlog')).toBe(INDEX_CHUNK * 2 + 5);
      await new SearchIndex(after).check();
    } finally {
      await after.db.destroy();
    }
  });

  it('indexes without an fsync of its own, and leaves every other commit with one, even when indexing fails', async () => {
    const opened = openSqlite(database.dataDir as string);
    const synchronous = async () => Number((await sql<{ synchronous: number }>`pragma synchronous`.execute(opened.db)).rows[0].synchronous);
    const FULL = 2;
    try {
      await migrate(opened.db);
      const storage = new KyselyStorage(opened);
      await new KyselyRoomsRepository(storage).createRoom({ id: 'r1', name: 'R1', description: '', createdAt: new Date().toISOString() });
      await new KyselyMessagesRepository(storage, new AppConfig()).append(message('waiting for the index'));
      expect(await storage.search.catchUp()).toBe(1);
      expect(await synchronous()).toBe(FULL);
      await sql`drop table search_progress`.execute(opened.db);
      expect(await outcomeOf(storage.search.catchUp())).toMatch(/no such table: search_progress/);
      expect(await synchronous()).toBe(FULL);
      await storage.search.close().catch(() => undefined);
    } finally {
      await opened.db.destroy();
    }
  });

  it('indexes while another process (the operator\'s command line) holds the write lock, by waiting for it', async () => {
    const config = Object.assign(new AppConfig(), { dataDir: database.dataDir });
    const opened = (await openStorage(config)) as OpenDatabase;
    try {
      const storage = new KyselyStorage(opened);
      await new KyselyRoomsRepository(storage).createRoom({ id: 'r1', name: 'R1', description: '', createdAt: new Date().toISOString() });
      // Another process takes the write lock, stores a message and commits 300 ms later.
      const file = join(database.dataDir as string, 'chatstream.sqlite');
      const other = spawn(process.execPath, ['-e', OTHER_WRITER, require.resolve('better-sqlite3'), file], { stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise((resolve) => other.once('exit', resolve));
      await new Promise<void>((resolve) => other.stdout.once('data', () => resolve()));
      expect(await storage.search.catchUp()).toBe(1); // waited for that commit, then indexed its message
      expect(await exited).toBe(0);
      expect(await inIndex(opened, 'elsewhere')).toBe(1);
      await storage.search.close();
    } finally {
      await opened.db.destroy();
    }
  });

  it('refuses to index without its mark rather than index every message again, and a rebuild mends it', async () => {
    const opened = openSqlite(database.dataDir as string);
    try {
      await migrate(opened.db);
      const storage = new KyselyStorage(opened);
      await new KyselyRoomsRepository(storage).createRoom({ id: 'r1', name: 'R1', description: '', createdAt: new Date().toISOString() });
      await new KyselyMessagesRepository(storage, new AppConfig()).append(message('indexed once'));
      await storage.search.catchUp();
      await sql`delete from search_progress`.execute(opened.db);
      expect(await outcomeOf(storage.search.catchUp())).toMatch(/npm run search -- rebuild/);
      await storage.search.rebuild();
      expect(await storage.search.catchUp()).toBe(0);
      expect(await inIndex(opened, 'once')).toBe(1);
      await storage.search.check();
      await storage.search.close();
    } finally {
      await opened.db.destroy();
    }
  });

  it('upgrades a database indexed by triggers, and goes back to them with what was waiting indexed', async () => {
    const opened = openSqlite(database.dataDir as string);
    const db = opened.db as unknown as Kysely<any>;
    try {
      await migrate(opened.db, '0007_partial_history_indexes');
      await db.insertInto('rooms').values({ id: 'r1', name: 'R1', name_key: 'r1', description: '', created_at: new Date().toISOString() }).execute();
      const row = (id: string, seq: number, content: string) => ({ id, room_id: 'r1', seq, rev: seq, sender_id: 'bob', sender_name: 'Bob', content, created_at: new Date().toISOString() });
      await db.insertInto('messages').values(row('old-1', 1, 'before the upgrade')).execute();
      expect(await migrate(opened.db)).toEqual(['0008_search_after_commit']);
      expect(await inIndex(opened, 'upgrade')).toBe(1);
      await new SearchIndex(opened).check();

      await db.insertInto('messages').values(row('new-1', 2, 'after the upgrade, never indexed')).execute();
      expect(await inIndex(opened, 'never')).toBe(0);
      await migrate(opened.db, '0007_partial_history_indexes');
      expect(await inIndex(opened, 'never')).toBe(1);
      await db.insertInto('messages').values(row('old-2', 3, 'triggers again')).execute();
      expect(await inIndex(opened, 'triggers')).toBe(1);
      await sql`insert into messages_fts(messages_fts, rank) values ('integrity-check', 1)`.execute(opened.db);
    } finally {
      await opened.db.destroy();
    }
  });
});
