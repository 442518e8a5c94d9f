/**
 * Copies a ChatStream SQLite database into an empty PostgreSQL one:
 *   npm run copy-to-postgres -- <DATA_DIR> <DATABASE_URL>
 * Stop the server first; start it again with DATABASE_URL set.
 */
import { describe, openPostgres, openSqlite, type Database } from './database';
import { migrate } from './migrations';

const TABLES: Array<keyof Database> = ['rooms', 'memberships', 'users', 'messages', 'conversations', 'reactions', 'message_edits', 'room_reads', 'conversation_reads', 'message_mentions'];
const CHUNK = 1000;

export async function copyToPostgres(dataDir: string, databaseUrl: string, log: (line: string) => void): Promise<void> {
  const source = openSqlite(dataDir);
  const target = await openPostgres(databaseUrl, () => undefined);
  try {
    await migrate(source.db);
    await migrate(target.db);
    const existing = await target.db.selectFrom('messages').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    if (Number(existing.n) > 0) throw new Error('the PostgreSQL database already holds messages; copy into an empty one');
    await target.db.transaction().execute(async (trx) => {
      // The default room exists in both after migration and first start; the source's copy wins.
      await trx.deleteFrom('rooms').execute();
      for (const table of TABLES) {
        let copied = 0;
        let chunk: unknown[] = [];
        const flush = async () => {
          if (chunk.length > 0) await trx.insertInto(table).values(chunk as never).execute();
          copied += chunk.length;
          chunk = [];
        };
        for await (const row of source.db.selectFrom(table).selectAll().stream()) {
          chunk.push(row);
          if (chunk.length === CHUNK) await flush();
        }
        await flush();
        log(`${table}: ${copied} rows`);
      }
    });
  } finally {
    await source.db.destroy();
    await target.db.destroy();
  }
}

if (require.main === module) {
  const [dataDir, databaseUrl] = process.argv.slice(2);
  if (!dataDir || !databaseUrl) {
    console.error('usage: npm run copy-to-postgres -- <DATA_DIR> <DATABASE_URL>');
    process.exit(2);
  }
  copyToPostgres(dataDir, databaseUrl, (line) => console.log(line)).then(
    () => console.log('done: start ChatStream with DATABASE_URL set'),
    (error: unknown) => {
      console.error(`copy failed: ${describe(error)}`);
      process.exit(1);
    },
  );
}
