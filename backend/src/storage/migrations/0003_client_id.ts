import type { Kysely } from 'kysely';

/**
 * A message may carry its sender's idempotency key. Unique per sender, so a
 * repeat is found by the index (and refused by it when two arrive at once);
 * messages without one (NULL) never collide.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('messages').addColumn('client_id', 'text').execute();
  await db.schema.createIndex('messages_sender_client').unique().on('messages').columns(['sender_id', 'client_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('messages_sender_client').execute();
  await db.schema.alterTable('messages').dropColumn('client_id').execute();
}
