import { DIALECTS, type TestDatabase } from '../../test/databases';
import { AppConfig } from '../config/app-config';
import type { MessageRecord } from '../messages/messages.repository';
import { openPostgres, openSqlite, type OpenDatabase } from './database';
import { KyselyConversationsRepository } from './kysely/kysely-conversations.repository';
import { KyselyMessagesRepository } from './kysely/kysely-messages.repository';
import { KyselyUsersRepository } from './kysely/kysely-users.repository';
import { MemoryConversationsRepository, MemoryMessagesRepository, MemoryUsersRepository } from './memory/memory.repositories';
import { migrate } from './migrations';
import { KyselyStorage } from './storage-health';
import type { ConversationsRepository } from '../conversations/conversations.repository';
import type { MessagesRepository } from '../messages/messages.repository';
import type { UsersRepository } from '../users/users.repository';

interface Repositories {
  conversations: ConversationsRepository;
  messages: MessagesRepository;
  users: UsersRepository;
  close(): Promise<void>;
}

async function kysely(database: TestDatabase): Promise<Repositories> {
  const opened: OpenDatabase =
    database.dialect === 'sqlite' ? openSqlite(database.dataDir as string) : await openPostgres(database.databaseUrl as string, () => undefined);
  await migrate(opened.db);
  const storage = new KyselyStorage(opened);
  return {
    conversations: new KyselyConversationsRepository(storage),
    messages: new KyselyMessagesRepository(storage, new AppConfig()),
    users: new KyselyUsersRepository(storage),
    close: async () => {
      await storage.onApplicationShutdown();
      await database.drop();
    },
  };
}

async function memory(): Promise<Repositories> {
  const users = new MemoryUsersRepository();
  const messages = new MemoryMessagesRepository();
  return { conversations: new MemoryConversationsRepository(messages, users), messages, users, close: async () => undefined };
}

const STORAGES: Array<[string, () => Promise<Repositories>]> = [
  ...DIALECTS.map(([dialect, create]): [string, () => Promise<Repositories>] => [dialect, async () => kysely(await create())]),
  ['memory', memory],
];

let counter = 0;
function dm(from: string, to: string, timestamp: string, fields: Partial<MessageRecord> = {}): MessageRecord {
  counter++;
  return { id: `dm-${String(counter).padStart(4, '0')}`, senderId: from, senderName: from.toUpperCase(), recipient: to, content: `${from}->${to} ${counter}`, timestamp, ...fields };
}
const at = (second: number) => `2026-01-01T00:00:${String(second).padStart(2, '0')}.000Z`;

describe.each(STORAGES)('private history on %s', (_name, open) => {
  let sut: Repositories;
  beforeAll(async () => {
    sut = await open();
    for (const id of ['ann', 'bob', 'cat', 'eve']) await sut.users.createAccount({ id, username: id.toUpperCase(), passwordHash: null, createdAt: at(0) });
  });
  afterAll(() => sut.close());

  it('pages one conversation, both directions, oldest first, never another pair\'s message', async () => {
    const sent = [dm('ann', 'bob', at(1)), dm('bob', 'ann', at(2)), dm('eve', 'bob', at(3)), dm('ann', 'bob', at(4)), dm('bob', 'ann', at(5)), dm('ann', 'cat', at(6))];
    for (const message of sent) await sut.messages.append(message);
    const newest = await sut.conversations.page('ann', 'bob', 3);
    expect(newest?.map((m) => m.id)).toEqual([sent[1].id, sent[3].id, sent[4].id]);
    expect((await sut.conversations.page('bob', 'ann', 3, sent[1].id))?.map((m) => m.id)).toEqual([sent[0].id]);
    expect(await sut.conversations.page('ann', 'bob', 3, sent[0].id)).toEqual([]);
    // An anchor of another conversation is not an anchor here.
    expect(await sut.conversations.page('ann', 'bob', 3, sent[2].id)).toBeUndefined();
    expect(await sut.conversations.page('ann', 'bob', 3, 'no-such-message')).toBeUndefined();
  });

  it('lists each conversation once with its newest message, most recent first; with names', async () => {
    const list = await sut.conversations.list('ann');
    expect(list.map((c) => [c.other, c.lastMessage.senderId])).toEqual([
      [{ id: 'cat', username: 'CAT' }, 'ann'],
      [{ id: 'bob', username: 'BOB' }, 'bob'],
    ]);
    expect((await sut.conversations.list('eve')).map((c) => c.other.id)).toEqual(['bob']);
    expect(await sut.conversations.list('nobody')).toEqual([]);
  });

  it('shows notes to oneself once, not twice', async () => {
    const note = dm('cat', 'cat', at(7));
    await sut.messages.append(note);
    expect((await sut.conversations.page('cat', 'cat', 10))?.map((m) => m.id)).toEqual([note.id]);
    expect((await sut.conversations.list('cat')).map((c) => c.other.id)).toEqual(['cat', 'ann']);
  });

  it('keeps the client_id of a message, as the live frame has it', async () => {
    await sut.messages.append(dm('eve', 'ann', at(8), { clientId: 'c-1' }));
    const [last] = (await sut.conversations.page('ann', 'eve', 1)) ?? [];
    expect(last).toMatchObject({ clientId: 'c-1', senderId: 'eve', recipient: 'ann' });
  });

  it('pages in the order the conversation numbered its messages (seq), whatever their clocks said', async () => {
    // Two instances with skewed clocks: the one stored later carries the earlier time.
    const first = dm('dan', 'fay', at(30));
    const second = dm('fay', 'dan', at(20));
    for (const message of [first, second]) await sut.messages.append(message);
    const pages: string[][] = [];
    for (let i = 0; i < 5; i++) await sut.messages.append(dm(i % 2 ? 'dan' : 'fay', i % 2 ? 'fay' : 'dan', at(40 + i)));
    let before: string | undefined;
    for (;;) {
      const page = (await sut.conversations.page('fay', 'dan', 3, before)) ?? [];
      if (page.length === 0) break;
      expect(page.map((m) => m.seq)).toEqual([...page.map((m) => m.seq)].sort((a, b) => Number(a) - Number(b)));
      pages.unshift(page.map((m) => m.id));
      before = page[0].id;
    }
    const all = pages.flat();
    expect(all.slice(0, 2)).toEqual([first.id, second.id]);
    expect(all).toHaveLength(7);
    expect(new Set(all).size).toBe(7);
  });
});
