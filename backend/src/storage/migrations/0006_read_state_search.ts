import { sql, SqliteAdapter, type Kysely } from 'kysely';

/**
 * Read state and search.
 *
 * Read pointers: one per user and room (`room_reads`) and per user and
 * private conversation (`conversation_reads`), the seq of the last message
 * read. `message_mentions` lists who a message mentions (the sender left out),
 * with the message's place, kept in the transaction of its insert, edit and
 * delete, so an unread mention count is one index range.
 *
 * Unread counts are a subtraction and indexed counts, never a scan of the
 * room: seqs have no gaps, so `last_seq - last_read_seq` messages follow the
 * pointer; take away the user's own (an index range of (place, sender, seq))
 * and the deleted ones of others (a partial index of the few tombstones).
 *
 * Search: SQLite keeps an FTS5 index of `content` (external content: the text
 * is not stored twice), kept in step by triggers in the writing transaction;
 * PostgreSQL a GIN index of the content's tsvector, accents removed
 * (`unaccent`), and an index of (created_at, id) for newest-first pages of
 * common words. Existing messages are indexed here.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('room_reads')
    .addColumn('user_id', 'text', (col) => col.notNull())
    .addColumn('room_id', 'text', (col) => col.notNull())
    .addColumn('last_read_seq', 'integer', (col) => col.notNull())
    .addPrimaryKeyConstraint('room_reads_pk', ['user_id', 'room_id'])
    .execute();
  await db.schema
    .createTable('conversation_reads')
    .addColumn('user_id', 'text', (col) => col.notNull())
    .addColumn('conversation_id', 'text', (col) => col.notNull())
    .addColumn('last_read_seq', 'integer', (col) => col.notNull())
    .addPrimaryKeyConstraint('conversation_reads_pk', ['user_id', 'conversation_id'])
    .execute();
  await db.schema
    .createTable('message_mentions')
    .addColumn('message_id', 'text', (col) => col.notNull())
    .addColumn('user_id', 'text', (col) => col.notNull())
    .addColumn('room_id', 'text')
    .addColumn('conversation_id', 'text')
    .addColumn('seq', 'integer', (col) => col.notNull())
    .addPrimaryKeyConstraint('message_mentions_pk', ['message_id', 'user_id'])
    .execute();
  await db.schema.createIndex('message_mentions_room').on('message_mentions').columns(['user_id', 'room_id', 'seq']).where(sql.ref('room_id'), 'is not', null).execute();
  await db.schema
    .createIndex('message_mentions_conversation')
    .on('message_mentions')
    .columns(['user_id', 'conversation_id', 'seq'])
    .where(sql.ref('conversation_id'), 'is not', null)
    .execute();
  await backfillMentions(db);

  // Own messages after the pointer, and tombstones after it (partial: deleted = 1 is rare, and costs an insert nothing).
  await db.schema.createIndex('messages_room_sender').on('messages').columns(['room_id', 'sender_id', 'seq']).where(sql.ref('room_id'), 'is not', null).execute();
  await db.schema
    .createIndex('messages_conversation_sender')
    .on('messages')
    .columns(['conversation_id', 'sender_id', 'seq'])
    .where(sql.ref('conversation_id'), 'is not', null)
    .execute();
  // A user's rooms (the primary key is (room_id, user_id): without this, listing them scans every membership).
  await db.schema.createIndex('memberships_user').on('memberships').columns(['user_id', 'room_id']).execute();
  await db.schema.createIndex('messages_room_deleted').on('messages').columns(['room_id', 'seq']).where(sql.ref('deleted'), '=', 1).execute();
  await db.schema.createIndex('messages_conversation_deleted').on('messages').columns(['conversation_id', 'seq']).where(sql.ref('deleted'), '=', 1).execute();

  if (isSqlite(db)) await searchSqlite(db);
  else await searchPostgres(db);
}

function isSqlite(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof SqliteAdapter;
}

async function backfillMentions(db: Kysely<any>): Promise<void> {
  const rows: Array<{ id: string; sender_id: string; room_id: string | null; conversation_id: string | null; seq: number; mentions: string }> = await db
    .selectFrom('messages')
    .select(['id', 'sender_id', 'room_id', 'conversation_id', 'seq', 'mentions'])
    .where('mentions', '<>', '[]')
    .where('deleted', '=', 0)
    .execute();
  for (const row of rows) {
    const users = (JSON.parse(row.mentions) as string[]).filter((user) => user !== row.sender_id);
    if (users.length === 0) continue;
    await db
      .insertInto('message_mentions')
      .values(users.map((user_id) => ({ message_id: row.id, user_id, room_id: row.room_id, conversation_id: row.conversation_id, seq: Number(row.seq) })))
      .execute();
  }
}

/**
 * FTS5 over messages.content by rowid. Triggers keep it in the writing
 * transaction: a tombstone's content is '', so a deleted message leaves the
 * index, and an edit replaces its words. (The rowid of a table without an
 * INTEGER PRIMARY KEY can change under VACUUM: rebuild the index after one,
 * see docs/operations.md.)
 */
async function searchSqlite(db: Kysely<any>): Promise<void> {
  await sql`create virtual table messages_fts using fts5(content, content='messages', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2', detail='none', columnsize=0)`.execute(db);
  await sql`create trigger messages_fts_insert after insert on messages begin
      insert into messages_fts(rowid, content) values (new.rowid, new.content);
    end`.execute(db);
  await sql`create trigger messages_fts_delete after delete on messages begin
      insert into messages_fts(messages_fts, rowid, content) values ('delete', old.rowid, old.content);
    end`.execute(db);
  await sql`create trigger messages_fts_update after update of content on messages when old.content <> new.content begin
      insert into messages_fts(messages_fts, rowid, content) values ('delete', old.rowid, old.content);
      insert into messages_fts(rowid, content) values (new.rowid, new.content);
    end`.execute(db);
  await sql`insert into messages_fts(messages_fts) values ('rebuild')`.execute(db);
}

/**
 * tsvector of the unaccented content with the `simple` configuration (no
 * stemming, no stop words: every word is findable as a prefix). `unaccent()`
 * is only STABLE (its dictionary could change), so an index needs an
 * IMMUTABLE wrapper naming the dictionary.
 */
async function searchPostgres(db: Kysely<any>): Promise<void> {
  await sql`create extension if not exists unaccent`.execute(db);
  await sql`create or replace function chatstream_search_vector(content text) returns tsvector
      language sql immutable parallel safe
      as $$ select to_tsvector('simple'::regconfig, public.unaccent('public.unaccent'::regdictionary, content)) $$`.execute(db);
  await sql`create index messages_search on messages using gin (chatstream_search_vector(content))`.execute(db);
  await db.schema.createIndex('messages_created').on('messages').columns(['created_at', 'id']).execute();
  await sql`analyze messages`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (isSqlite(db)) {
    for (const trigger of ['messages_fts_update', 'messages_fts_delete', 'messages_fts_insert']) await sql`drop trigger ${sql.ref(trigger)}`.execute(db);
    await sql`drop table messages_fts`.execute(db);
  } else {
    await db.schema.dropIndex('messages_created').execute();
    await db.schema.dropIndex('messages_search').execute();
    await sql`drop function chatstream_search_vector(text)`.execute(db);
  }
  for (const index of ['messages_conversation_deleted', 'memberships_user', 'messages_room_deleted', 'messages_conversation_sender', 'messages_room_sender']) {
    await db.schema.dropIndex(index).execute();
  }
  for (const table of ['message_mentions', 'conversation_reads', 'room_reads']) await db.schema.dropTable(table).execute();
}
