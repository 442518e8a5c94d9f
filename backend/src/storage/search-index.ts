import { sql } from 'kysely';
import type { OpenDatabase } from './database';

/**
 * The search index of migration 0006, for the operator: its size, a check
 * against the messages, and a rebuild from them. The server keeps it in step
 * by itself; a rebuild is for after a SQLite VACUUM (which may renumber the
 * rowids the FTS5 index points at) or a restored backup of only some files.
 */
export class SearchIndex {
  constructor(private readonly database: OpenDatabase) {}

  /** Bytes the index takes on disk. */
  async size(): Promise<number> {
    const query =
      this.database.dialect === 'sqlite'
        ? sql<{ bytes: number | null }>`select sum(pgsize) as bytes from dbstat where name like 'messages\_fts%' escape '\\'`
        : sql<{ bytes: number | null }>`select pg_relation_size('messages_search') as bytes`;
    const { rows } = await query.execute(this.database.db);
    return Number(rows[0]?.bytes ?? 0);
  }

  /** Throws when the index does not match the messages (SQLite: FTS5's integrity-check against the content; PostgreSQL: amcheck is not needed, a rebuild is cheap). */
  async check(): Promise<void> {
    if (this.database.dialect === 'sqlite') await sql`insert into messages_fts(messages_fts, rank) values ('integrity-check', 1)`.execute(this.database.db);
  }

  /** Rebuilds the index from the messages' current content (deleted ones have none). */
  async rebuild(): Promise<void> {
    if (this.database.dialect === 'sqlite') {
      await sql`insert into messages_fts(messages_fts) values ('rebuild')`.execute(this.database.db);
      await sql`insert into messages_fts(messages_fts) values ('optimize')`.execute(this.database.db);
    } else {
      await sql`reindex index messages_search`.execute(this.database.db);
      await sql`analyze messages`.execute(this.database.db);
    }
  }
}
