import { ConflictException } from '@nestjs/common';
import { DIALECTS, type TestDatabase } from '../../test/databases';
import { AppConfig } from '../config/app-config';
import type { MessageRecord, MessagesRepository } from '../messages/messages.repository';
import type { RoomsRepository } from '../rooms/rooms.repository';
import { openPostgres, openSqlite, type Database, type OpenDatabase } from './database';
import { KyselyMessagesRepository } from './kysely/kysely-messages.repository';
import { KyselyRoomsRepository } from './kysely/kysely-rooms.repository';
import { MemoryMessagesRepository, MemoryRoomsRepository } from './memory/memory.repositories';
import { migrate } from './migrations';
import { KyselyStorage } from './storage-health';
import type { Kysely } from 'kysely';

interface Repositories {
  messages: MessagesRepository;
  rooms: RoomsRepository;
  /** The SQL tables, for what no read serves yet (edit history, the reactions table). */
  db?: Kysely<Database>;
  close(): Promise<void>;
}

async function kysely(database: TestDatabase): Promise<Repositories> {
  const opened: OpenDatabase =
    database.dialect === 'sqlite' ? openSqlite(database.dataDir as string) : await openPostgres(database.databaseUrl as string, () => undefined);
  await migrate(opened.db);
  const storage = new KyselyStorage(opened);
  return {
    messages: new KyselyMessagesRepository(storage, new AppConfig()),
    rooms: new KyselyRoomsRepository(storage),
    db: opened.db,
    close: async () => {
      await storage.onApplicationShutdown();
      await database.drop();
    },
  };
}

async function memory(): Promise<Repositories> {
  return { messages: new MemoryMessagesRepository(), rooms: new MemoryRoomsRepository(), close: async () => undefined };
}

const STORAGES: Array<[string, () => Promise<Repositories>]> = [
  ...DIALECTS.map(([dialect, create]): [string, () => Promise<Repositories>] => [dialect, async () => kysely(await create())]),
  ['memory', memory],
];

let counter = 0;
function message(fields: Partial<MessageRecord>): MessageRecord {
  counter++;
  return { id: `s-${counter}`, senderId: 'ann', senderName: 'Ann', content: `text ${counter}`, timestamp: new Date().toISOString(), ...fields };
}

describe.each(STORAGES)('message state on %s', (_name, open) => {
  let repos: Repositories;
  let sut: MessagesRepository;
  let roomNo = 0;
  /** A fresh room per test: revs start at 1. */
  async function room(): Promise<string> {
    const id = `state-${++roomNo}`;
    await repos.rooms.createRoom({ id, name: id, description: '', createdAt: new Date().toISOString() });
    return id;
  }

  beforeAll(async () => {
    repos = await open();
    sut = repos.messages;
  });
  afterAll(() => repos.close());

  it('a new message takes the next rev of its room and starts with an empty state', async () => {
    const r = await room();
    const first = await sut.append(message({ room: r, mentions: ['bob'] }));
    const second = await sut.append(message({ room: r }));
    expect([first.rev, second.rev]).toEqual([1, 2]);
    expect(await sut.find(first.id)).toMatchObject({ mentions: ['bob'], reactions: [], replyCount: 0, deleted: false, editedAt: null, rev: 1 });
  });

  it('every change takes the next rev; changed_after answers each message once, in its current state, oldest change first', async () => {
    const r = await room();
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => sut.append(message({ room: r }))));
    await sut.change(a.id, () => ({ kind: 'edit', content: 'fixed', mentions: [], at: '2026-01-01T00:00:00.000Z' }));
    await sut.change(b.id, () => ({ kind: 'delete' }));
    await sut.change(a.id, () => ({ kind: 'react', userId: 'bob', emoji: '👍' }));
    const page = await sut.changedAfter({ room: r }, 2, 10);
    expect(page.map((m) => [m.id, m.rev])).toEqual([
      [c.id, 3],
      [b.id, 5],
      [a.id, 6],
    ]);
    expect(page[2]).toMatchObject({ content: 'fixed', editedAt: '2026-01-01T00:00:00.000Z', reactions: [{ emoji: '👍', count: 1, user_ids: ['bob'] }] });
    expect(page[1]).toMatchObject({ content: '', deleted: true });
    expect((await sut.changedAfter({ room: r }, 0, 2)).map((m) => m.rev)).toEqual([3, 5]);
    expect(await sut.changedAfter({ room: r }, 6, 10)).toEqual([]);
  });

  it('messages and changes arriving together each take their own rev: none lost, none shared, every message stored', async () => {
    const r = await room();
    const first = await sut.append(message({ room: r }));
    // Reactions (a transaction each, with awaits inside) race appends (group commits) on the same counter.
    const work = Array.from({ length: 12 }, (_, i) => [
      sut.append(message({ room: r })),
      sut.change(first.id, () => ({ kind: 'react', userId: `user-${i}`, emoji: '👍' })),
    ]).flat();
    await Promise.all(work);
    const messages = await sut.changedAfter({ room: r }, 0, 100);
    expect(messages).toHaveLength(13);
    expect(messages.map((m) => m.seq)).toEqual(expect.arrayContaining(Array.from({ length: 13 }, (_, i) => i + 1)));
    expect(messages.find((m) => m.id === first.id)?.reactions).toEqual([{ emoji: '👍', count: 12, user_ids: expect.any(Array) }]);
    // 13 messages and 12 reactions: 25 changes, each with its own rev, the newest change of each message shown.
    const revs = messages.map((m) => m.rev as number);
    expect(new Set(revs).size).toBe(13);
    expect(Math.max(...revs)).toBe(25);
    expect(await sut.changedAfter({ room: r }, 25, 10)).toEqual([]);
  });

  it('a change decided as none stores nothing and takes no rev', async () => {
    const r = await room();
    const m = await sut.append(message({ room: r }));
    expect(await sut.change(m.id, () => undefined)).toMatchObject({ changed: false, message: { rev: 1 } });
    expect((await sut.change(m.id, () => ({ kind: 'delete' })))?.message.rev).toBe(2);
  });

  it('a refused change stores nothing and takes no rev; an unknown message is undefined', async () => {
    const r = await room();
    const m = await sut.append(message({ room: r }));
    await expect(
      sut.change(m.id, () => {
        throw new ConflictException('no');
      }),
    ).rejects.toBeInstanceOf(ConflictException);
    expect((await sut.change(m.id, () => ({ kind: 'delete' })))?.message.rev).toBe(2);
    expect(await sut.change('no-such-message', () => ({ kind: 'delete' }))).toBeUndefined();
  });

  it('reactions keep the order of first use, and users in the order they reacted', async () => {
    const r = await room();
    const m = await sut.append(message({ room: r }));
    for (const [userId, emoji] of [
      ['bob', '👍'],
      ['cy', ':tada:'],
      ['ann', '👍'],
    ]) {
      await sut.change(m.id, () => ({ kind: 'react', userId, emoji }));
    }
    expect((await sut.find(m.id))?.reactions).toEqual([
      { emoji: '👍', count: 2, user_ids: ['bob', 'ann'] },
      { emoji: ':tada:', count: 1, user_ids: ['cy'] },
    ]);
    await sut.change(m.id, () => ({ kind: 'unreact', userId: 'bob', emoji: '👍' }));
    await sut.change(m.id, () => ({ kind: 'unreact', userId: 'cy', emoji: ':tada:' }));
    expect((await sut.find(m.id))?.reactions).toEqual([{ emoji: '👍', count: 1, user_ids: ['ann'] }]);
    if (repos.db) {
      const rows = await repos.db.selectFrom('reactions').select(['user_id', 'emoji']).where('message_id', '=', m.id).execute();
      expect(rows).toEqual([{ user_id: 'ann', emoji: '👍' }]);
    }
  });

  it('an edit keeps the previous text in the edit history', async () => {
    const r = await room();
    const m = await sut.append(message({ room: r, content: 'teh first' }));
    await sut.change(m.id, () => ({ kind: 'edit', content: 'the first', mentions: [], at: new Date().toISOString() }));
    await sut.change(m.id, () => ({ kind: 'edit', content: 'the 1st', mentions: [], at: new Date().toISOString() }));
    expect((await sut.find(m.id))?.content).toBe('the 1st');
    if (repos.db) {
      const rows = await repos.db.selectFrom('message_edits').select(['previous_content', 'rev']).where('message_id', '=', m.id).orderBy('rev').execute();
      expect(rows.map((row) => row.previous_content)).toEqual(['teh first', 'the first']);
    }
  });

  it('a reply moves its parent reply_count with a rev of its own; replies page by seq', async () => {
    const r = await room();
    const parent = await sut.append(message({ room: r }));
    const [one, two] = await Promise.all([sut.append(message({ room: r, replyTo: parent.id })), sut.append(message({ room: r, replyTo: parent.id }))]);
    expect(await sut.find(parent.id)).toMatchObject({ replyCount: 2, rev: 5 });
    expect([one.rev, two.rev]).toEqual([2, 4]);
    expect((await sut.replies(parent.id, 10, 0)).map((m) => m.id)).toEqual([one.id, two.id]);
    expect((await sut.replies(parent.id, 10, one.seq as number)).map((m) => m.id)).toEqual([two.id]);
    expect((await sut.changedAfter({ room: r }, 0, 10)).map((m) => m.id)).toEqual([one.id, two.id, parent.id]);
  });

  it('a private conversation numbers its messages and counts its changes, whoever writes', async () => {
    const a = await sut.append(message({ senderId: 'p-ann', recipient: 'p-bob' }));
    const b = await sut.append(message({ senderId: 'p-bob', recipient: 'p-ann' }));
    const other = await sut.append(message({ senderId: 'p-ann', recipient: 'p-cy' }));
    expect([a.seq, a.rev, b.seq, b.rev, other.seq]).toEqual([1, 1, 2, 2, 1]);
    await sut.change(a.id, () => ({ kind: 'react', userId: 'p-bob', emoji: '❤️' }));
    expect((await sut.changedAfter({ between: ['p-bob', 'p-ann'] }, 1, 10)).map((m) => [m.id, m.rev])).toEqual([
      [b.id, 2],
      [a.id, 3],
    ]);
    expect((await sut.conversationAfter(['p-ann', 'p-bob'], 10, 1)).map((m) => m.id)).toEqual([b.id]);
  });
});
