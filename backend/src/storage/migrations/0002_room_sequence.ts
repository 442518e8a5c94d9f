import { sql, type Kysely } from 'kysely';

/**
 * Each room counts its messages, so the next seq is one row update in the
 * transaction that stores a batch, whichever instance writes it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('rooms').addColumn('last_seq', 'integer', (col) => col.notNull().defaultTo(0)).execute();
  await sql`update rooms set last_seq = coalesce((select max(seq) from messages where messages.room_id = rooms.id), 0)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('rooms').dropColumn('last_seq').execute();
}
