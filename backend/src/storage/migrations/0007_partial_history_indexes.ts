import { sql, type Kysely } from 'kysely';

/**
 * The history indexes only for the rows they serve: a room message no longer
 * gets entries in the two conversation indexes of 0005, nor a private message
 * in the room indexes (`(room_id, seq)` of 0001, `(room_id, rev)` of 0005).
 * Each entry is one more B-tree page that the commit storing a message writes
 * to the WAL and syncs: with every index on every row, a one-message commit
 * wrote three pages more than before the message state (a longer fsync, the
 * p99 of plain messages). The queries compare the column with `=`, which
 * implies IS NOT NULL, so SQLite and PostgreSQL still use these indexes.
 */
const INDEXES = [
  { name: 'messages_room_seq', columns: ['room_id', 'seq'], column: 'room_id', unique: true },
  { name: 'messages_room_rev', columns: ['room_id', 'rev'], column: 'room_id', unique: false },
  { name: 'messages_conversation_rev', columns: ['conversation_id', 'rev'], column: 'conversation_id', unique: false },
  { name: 'messages_conversation_seq', columns: ['conversation_id', 'seq'], column: 'conversation_id', unique: true },
] as const;

export async function up(db: Kysely<any>): Promise<void> {
  await recreate(db, true);
}

export async function down(db: Kysely<any>): Promise<void> {
  await recreate(db, false);
}

async function recreate(db: Kysely<any>, partial: boolean): Promise<void> {
  for (const { name, columns, column, unique } of INDEXES) {
    await db.schema.dropIndex(name).execute();
    let index = db.schema.createIndex(name).on('messages').columns([...columns]);
    if (unique) index = index.unique();
    if (partial) index = index.where(sql.ref(column), 'is not', null);
    await index.execute();
  }
}
