import { sql, SqliteAdapter, type Kysely } from 'kysely';

/**
 * SQLite: new messages reach the search index after their commit, not in it.
 *
 * The FTS5 insert trigger of 0006 made every commit of a message also write
 * the index: a one-message commit cost about a third more CPU and wrote about
 * a third more WAL pages for its fsync, on the path between a frame and its
 * delivery. Now `SearchIndex` indexes the messages stored since its last run,
 * shortly after their commit, many in one transaction (see search-index.ts);
 * a search first indexes whatever is still waiting, so it finds every
 * committed message as before.
 *
 * `search_progress.indexed_to` is the highest messages.rowid in the index,
 * written in the transaction that indexes up to it: a crash between a commit
 * and the indexing loses nothing, the next run takes up from there. The edit
 * and delete triggers stay, for the rows the index holds (an FTS5 'delete'
 * of a row it never indexed would damage it); a row above the mark is
 * indexed later with its content as it is then.
 *
 * PostgreSQL's GIN index is maintained by PostgreSQL itself: nothing changes there.
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (!isSqlite(db)) return;
  await sql`create table search_progress (id integer primary key check (id = 1), indexed_to integer not null)`.execute(db);
  await sql`insert into search_progress (id, indexed_to) values (1, coalesce((select max(rowid) from messages), 0))`.execute(db);
  await dropTriggers(db);
  await sql`create trigger messages_fts_delete after delete on messages
      when old.rowid <= (select indexed_to from search_progress where id = 1) begin
      insert into messages_fts(messages_fts, rowid, content) values ('delete', old.rowid, old.content);
    end`.execute(db);
  await sql`create trigger messages_fts_update after update of content on messages
      when old.content <> new.content and old.rowid <= (select indexed_to from search_progress where id = 1) begin
      insert into messages_fts(messages_fts, rowid, content) values ('delete', old.rowid, old.content);
      insert into messages_fts(rowid, content) values (new.rowid, new.content);
    end`.execute(db);
}

/** Back to the triggers of 0006, with whatever was still waiting indexed first. */
export async function down(db: Kysely<any>): Promise<void> {
  if (!isSqlite(db)) return;
  await sql`insert into messages_fts(rowid, content) select rowid, content from messages where rowid > (select indexed_to from search_progress where id = 1)`.execute(db);
  await dropTriggers(db);
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
  await sql`drop table search_progress`.execute(db);
}

async function dropTriggers(db: Kysely<any>): Promise<void> {
  for (const trigger of ['messages_fts_insert', 'messages_fts_delete', 'messages_fts_update']) await sql`drop trigger if exists ${sql.ref(trigger)}`.execute(db);
}

function isSqlite(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof SqliteAdapter;
}
