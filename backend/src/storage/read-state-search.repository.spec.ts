import { Kysely, sql } from 'kysely';
import { DIALECTS, type TestDatabase } from '../../test/databases';
import { AppConfig } from '../config/app-config';
import type { MessageRecord } from '../messages/messages.repository';
import { openPostgres, openSqlite, type OpenDatabase } from './database';
import { KyselyMessagesRepository } from './kysely/kysely-messages.repository';
import { KyselyReadStateRepository } from './kysely/kysely-read-state.repository';
import { KyselyRoomsRepository } from './kysely/kysely-rooms.repository';
import { KyselySearchRepository } from './kysely/kysely-search.repository';
import { migrate } from './migrations';
import { SearchIndex } from './search-index';
import { KyselyStorage } from './storage-health';

async function open(database: TestDatabase): Promise<OpenDatabase> {
  return database.dialect === 'sqlite' ? openSqlite(database.dataDir as string) : openPostgres(database.databaseUrl as string, () => undefined);
}

let counter = 0;
function message(fields: Partial<MessageRecord>): MessageRecord {
  counter++;
  return { id: `m-${counter}-${Math.random()}`, senderId: 'bob', senderName: 'Bob', content: `c${counter}`, timestamp: new Date(Date.now() + counter).toISOString(), ...fields };
}

describe.each(DIALECTS)('read state and search storage on %s', (_dialect, create) => {
  let database: TestDatabase;
  let opened: OpenDatabase;
  let messages: KyselyMessagesRepository;
  let reads: KyselyReadStateRepository;
  let search: KyselySearchRepository;
  let storage: KyselyStorage | undefined;

  beforeEach(async () => {
    database = await create();
    opened = await open(database);
    storage = undefined;
  });
  afterEach(async () => {
    // The storage's shutdown ends the search index's work before it closes the database.
    await (storage ? storage.onApplicationShutdown() : opened.db.destroy());
    await database.drop();
  });

  async function ready(): Promise<void> {
    await migrate(opened.db);
    storage = new KyselyStorage(opened);
    messages = new KyselyMessagesRepository(storage, new AppConfig());
    reads = new KyselyReadStateRepository(storage);
    search = new KyselySearchRepository(storage);
    const rooms = new KyselyRoomsRepository(storage);
    await rooms.createRoom({ id: 'r1', name: 'R1', description: '', createdAt: new Date().toISOString() });
    await rooms.addMember({ roomId: 'r1', userId: 'ann' });
  }

  it('the migration indexes the messages and mentions that were there before it', async () => {
    await migrate(opened.db, '0005_message_state');
    const db = opened.db as unknown as Kysely<any>;
    await db.insertInto('rooms').values({ id: 'old', name: 'Old', name_key: 'old', description: '', created_at: '2025-01-01T00:00:00.000Z', last_seq: 2, last_rev: 2 }).execute();
    await db.insertInto('memberships').values({ room_id: 'old', user_id: 'ann', joined_at: '2025-01-01T00:00:00.000Z' }).execute();
    const old = (seq: number, content: string, mentions: string[]) => ({
      id: `old-${seq}`, room_id: 'old', seq, rev: seq, sender_id: 'bob', sender_name: 'Bob', content, created_at: `2025-01-01T00:00:0${seq}.000Z`, mentions: JSON.stringify(mentions),
    });
    await db.insertInto('messages').values([old(1, 'Déjà vu @ann', ['ann']), old(2, 'nothing new', [])]).execute();
    await ready();
    search.recentWindow = 0; // the index alone
    expect((await search.search({ words: ['deja'], userId: 'eve', limit: 10 }))?.map((m) => m.id)).toEqual(['old-1']);
    expect((await reads.roomStates('ann')).get('old')).toEqual({ lastReadSeq: 0, unread: 2, unreadMentions: 1 });
  });

  it('moves a pointer only forward and caps it at the last seq, whatever order concurrent reads land in', async () => {
    await ready();
    for (let i = 0; i < 5; i++) await messages.append(message({ room: 'r1' }));
    const moved = await Promise.all([4, 2, 9, 3].map((seq) => reads.markRead('ann', { room: 'r1' }, seq)));
    expect(moved.filter((seq) => seq !== undefined).every((seq) => (seq as number) <= 5)).toBe(true);
    expect((await reads.roomStates('ann')).get('r1')).toEqual({ lastReadSeq: 5, unread: 0, unreadMentions: 0 });
    expect(await reads.markRead('ann', { room: 'r1' }, 1)).toBeUndefined();
    expect(await reads.markRead('ann', { room: 'nowhere' }, 1)).toBeUndefined();
    expect(await reads.markRead('ann', { between: ['ann', 'nobody'] }, 1)).toBeUndefined();
  });

  it('an index that lost step is mended by rebuild, and then checks clean', async () => {
    await ready();
    const kept = await messages.append(message({ room: 'r1', content: 'rebuild me please' }));
    search.recentWindow = 0; // the index alone
    const index = new SearchIndex(opened);
    expect(await index.size()).toBeGreaterThan(0);
    if (opened.dialect === 'sqlite') {
      await index.catchUp(); // the message in the index, then the index emptied behind its back
      await sql`insert into messages_fts(messages_fts) values ('delete-all')`.execute(opened.db);
      expect(await search.search({ words: ['rebuild'], limit: 5 })).toEqual([]);
    }
    await index.rebuild();
    await index.check();
    expect((await search.search({ words: ['rebuild'], limit: 5 }))?.map((m) => m.id)).toEqual([kept.id]);
  });

  it('the newest messages and the index give the same pages, whatever the window between them', async () => {
    await ready();
    const rooms = new KyselyRoomsRepository(new KyselyStorage(opened));
    await rooms.createRoom({ id: 'r2', name: 'R2', description: '', createdAt: new Date().toISOString() });
    const contents = ['Café meeting', 'meeting notes', 'no match', 'the MEETINGS', 'cafe later', 'meeting room', 'xylophone meeting'];
    for (const [i, content] of contents.entries()) {
      await messages.append(message({ content, ...(i === 3 ? { recipient: 'bob', senderId: 'ann' } : i === 5 ? { room: 'r2' } : { room: 'r1' }) }));
    }
    const gone = await messages.append(message({ room: 'r1', content: 'meeting gone' }));
    await messages.change(gone.id, () => ({ kind: 'delete' }));
    const page = async (window: number, q: Omit<Parameters<typeof search.search>[0], 'limit'> & { limit?: number }) => {
      search.recentWindow = window;
      return (await search.search({ limit: 10, ...q }))?.map((m) => m.content);
    };
    for (const window of [0, 1, 2, 3, 1000]) {
      expect([window, await page(window, { words: ['meet'], userId: 'eve' })]).toEqual([window, ['xylophone meeting', 'meeting room', 'meeting notes', 'Café meeting']]);
      expect([window, await page(window, { words: ['meet'], userId: 'bob' })]).toEqual([window, ['xylophone meeting', 'meeting room', 'the MEETINGS', 'meeting notes', 'Café meeting']]);
      expect([window, await page(window, { words: ['cafe', 'meet'], userId: 'eve' })]).toEqual([window, ['Café meeting']]);
      expect([window, await page(window, { words: ['meet'], userId: 'eve', room: 'r1', limit: 2 })]).toEqual([window, ['xylophone meeting', 'meeting notes']]);
      const first = await search.search({ words: ['meet'], userId: 'eve', limit: 2 });
      expect([window, await page(window, { words: ['meet'], userId: 'eve', before: first?.[1].id })]).toEqual([window, ['meeting notes', 'Café meeting']]);
    }
  });

  it('migrates back down to 0005 and up again', async () => {
    await ready();
    await messages.append(message({ room: 'r1', content: 'still here' }));
    await migrate(opened.db, '0005_message_state');
    expect(await migrate(opened.db)).toContain('0006_read_state_search');
    search.recentWindow = 0; // the index alone
    expect((await search.search({ words: ['still'], limit: 5 }))?.map((m) => m.content)).toEqual(['still here']);
  });
});
