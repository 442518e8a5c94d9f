import { sql, type Kysely } from 'kysely';

/**
 * Messages that change: edits (the previous text kept in message_edits),
 * tombstones, replies, reactions (their own table, keyed by message, user and
 * emoji; the message row keeps their summary so a page is one query),
 * mentions, and `rev`. Every room and every private conversation counts its
 * changes (`last_rev`), bumped in the transaction of the change; a message
 * carries the rev of its last change. A private conversation also numbers its
 * messages (`seq`), as a room does.
 *
 * Existing messages: a room message's rev is its seq; a private message gets
 * its conversation's seq in (created_at, id) order, and the same rev.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('messages')
    .addColumn('conversation_id', 'text')
    .execute();
  for (const [column, type, fallback] of [
    ['edited_at', 'text', null],
    ['deleted', 'integer', 0],
    ['reply_to', 'text', null],
    ['reply_count', 'integer', 0],
    ['mentions', 'text', '[]'],
    ['reactions', 'text', '[]'],
    ['rev', 'integer', 0],
  ] as const) {
    await db.schema
      .alterTable('messages')
      .addColumn(column, type, (col) => (fallback === null ? col : col.notNull().defaultTo(fallback)))
      .execute();
  }
  await db.schema.alterTable('rooms').addColumn('last_rev', 'integer', (col) => col.notNull().defaultTo(0)).execute();
  await db.schema
    .createTable('conversations')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('last_seq', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('last_rev', 'integer', (col) => col.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable('reactions')
    .addColumn('message_id', 'text', (col) => col.notNull())
    .addColumn('user_id', 'text', (col) => col.notNull())
    .addColumn('emoji', 'text', (col) => col.notNull())
    /** The rev that added it: first-use order of a message's emoji, and of the users of one emoji. */
    .addColumn('added_rev', 'integer', (col) => col.notNull())
    .addPrimaryKeyConstraint('reactions_pk', ['message_id', 'emoji', 'user_id'])
    .execute();
  await db.schema
    .createTable('message_edits')
    .addColumn('message_id', 'text', (col) => col.notNull())
    .addColumn('rev', 'integer', (col) => col.notNull())
    .addColumn('previous_content', 'text', (col) => col.notNull())
    .addColumn('replaced_at', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('message_edits_pk', ['message_id', 'rev'])
    .execute();

  await sql`update messages set rev = seq where room_id is not null`.execute(db);
  await sql`update rooms set last_rev = last_seq`.execute(db);
  await numberPrivateMessages(db);

  // A changed_after page is one range of these; a thread one range of the last.
  await db.schema.createIndex('messages_room_rev').on('messages').columns(['room_id', 'rev']).execute();
  await db.schema.createIndex('messages_conversation_rev').on('messages').columns(['conversation_id', 'rev']).execute();
  await db.schema.createIndex('messages_conversation_seq').unique().on('messages').columns(['conversation_id', 'seq']).execute();
  await db.schema
    .createIndex('messages_replies')
    .on('messages')
    .columns(['reply_to', 'seq'])
    .where(sql.ref('reply_to'), 'is not', null)
    .execute();
}

/** Frozen copy of conversationKey (messages.repository.ts) as this migration used it. */
function conversationKey(a: string, b: string): string {
  return a < b ? `${a}\u001f${b}` : `${b}\u001f${a}`;
}

async function numberPrivateMessages(db: Kysely<any>): Promise<void> {
  const rows: Array<{ id: string; sender_id: string; recipient_id: string }> = await db
    .selectFrom('messages')
    .select(['id', 'sender_id', 'recipient_id'])
    .where('recipient_id', 'is not', null)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const counters = new Map<string, number>();
  for (const row of rows) {
    const key = conversationKey(row.sender_id, row.recipient_id);
    const seq = (counters.get(key) ?? 0) + 1;
    counters.set(key, seq);
    await db.updateTable('messages').set({ conversation_id: key, seq, rev: seq }).where('id', '=', row.id).execute();
  }
  for (const [id, last] of counters) await db.insertInto('conversations').values({ id, last_seq: last, last_rev: last }).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const index of ['messages_replies', 'messages_conversation_seq', 'messages_conversation_rev', 'messages_room_rev']) {
    await db.schema.dropIndex(index).execute();
  }
  await db.schema.dropTable('message_edits').execute();
  await db.schema.dropTable('reactions').execute();
  await db.schema.dropTable('conversations').execute();
  await db.schema.alterTable('rooms').dropColumn('last_rev').execute();
  await sql`update messages set seq = null where room_id is null`.execute(db);
  for (const column of ['rev', 'reactions', 'mentions', 'reply_count', 'reply_to', 'deleted', 'edited_at', 'conversation_id']) {
    await db.schema.alterTable('messages').dropColumn(column).execute();
  }
}
