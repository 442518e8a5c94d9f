import { sql, type Kysely } from 'kysely';

/**
 * Accounts: a password per user, sessions, usernames unique regardless of
 * case, and the indexes private history reads.
 *
 * Users of AUTH=open keep their ids, names and messages and get no password
 * (they cannot sign in until the operator sets one). Open mode let two ids
 * share a name in different cases (or the same case); before the unique
 * index goes on, the oldest user (by created_at, then id) keeps the name and
 * every later one becomes `<name>-2`, `<name>-3`, … (the first suffix taken
 * by nobody). Their messages keep the sender name they were sent with.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('password_hash', 'text').execute();
  await renameCaseDuplicates(db);
  await db.schema.createIndex('users_username_key').unique().on('users').expression(sql`lower(username)`).execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('token_hash', 'text', (col) => col.notNull().unique())
    .addColumn('user_id', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('last_used_at', 'text', (col) => col.notNull())
    .addColumn('user_agent', 'text')
    .execute();
  await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();

  // A page of the conversation A-B is two ranges of this index (A to B, B to A), each read newest first up to the limit.
  await db.schema.dropIndex('messages_recipient').execute();
  await db.schema
    .createIndex('messages_private_pair')
    .on('messages')
    .columns(['sender_id', 'recipient_id', 'created_at', 'id'])
    .where(sql.ref('recipient_id'), 'is not', null)
    .execute();
  // A user's conversations: what they received, by sender (what they sent is the index above).
  await db.schema
    .createIndex('messages_private_received')
    .on('messages')
    .columns(['recipient_id', 'sender_id', 'created_at'])
    .where(sql.ref('recipient_id'), 'is not', null)
    .execute();
}

async function renameCaseDuplicates(db: Kysely<any>): Promise<void> {
  // lower() of the database, the same function the unique index uses.
  const users: Array<{ id: string; username: string; key: string }> = await db
    .selectFrom('users')
    .select(['id', 'username', sql<string>`lower(username)`.as('key')])
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const taken = new Set(users.map((user) => user.key));
  const kept = new Set<string>();
  for (const user of users) {
    if (!kept.has(user.key)) {
      kept.add(user.key);
      continue;
    }
    let n = 2;
    while (taken.has(`${user.key}-${n}`)) n++;
    taken.add(`${user.key}-${n}`);
    kept.add(`${user.key}-${n}`);
    await db.updateTable('users').set({ username: `${user.username}-${n}` }).where('id', '=', user.id).execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('messages_private_received').execute();
  await db.schema.dropIndex('messages_private_pair').execute();
  await db.schema.createIndex('messages_recipient').on('messages').columns(['recipient_id', 'created_at']).execute();
  await db.schema.dropTable('sessions').execute();
  await db.schema.dropIndex('users_username_key').execute();
  await db.schema.alterTable('users').dropColumn('password_hash').execute();
}
