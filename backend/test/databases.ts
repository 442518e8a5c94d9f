import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

/** A database of one dialect, fresh for one suite, and how to throw it away. */
export interface TestDatabase {
  dialect: 'sqlite' | 'postgres';
  /** For SQLite: a DATA_DIR; for PostgreSQL: a DATABASE_URL. */
  dataDir?: string;
  databaseUrl?: string;
  drop(): Promise<void>;
}

/** Why PostgreSQL suites are skipped, or undefined when DATABASE_URL is set. */
export const postgresSkipReason = process.env.DATABASE_URL
  ? undefined
  : 'DATABASE_URL is not set: the PostgreSQL half of this suite is skipped (.ci/run sets it)';

if (postgresSkipReason) console.warn(postgresSkipReason);

export function sqliteDatabase(): TestDatabase {
  const dataDir = mkdtempSync(join(tmpdir(), 'chatstream-db-'));
  return { dialect: 'sqlite', dataDir, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
}

/** A new, empty PostgreSQL database on the server of DATABASE_URL, so runs never collide. */
export async function postgresDatabase(): Promise<TestDatabase> {
  const admin = new URL(process.env.DATABASE_URL as string);
  const name = `chatstream_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  await withClient(admin.toString(), (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(admin.toString());
  url.pathname = `/${name}`;
  return {
    dialect: 'postgres',
    databaseUrl: url.toString(),
    drop: () => withClient(admin.toString(), (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/** The dialects to run a suite against: SQLite always, PostgreSQL when DATABASE_URL is set. */
export const DIALECTS: Array<['sqlite' | 'postgres', () => Promise<TestDatabase>]> = [
  ['sqlite', async () => sqliteDatabase()],
  ...(process.env.DATABASE_URL ? [['postgres', postgresDatabase] as ['postgres', () => Promise<TestDatabase>]] : []),
];

export async function withClient<T>(url: string, use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}
