import { sql, type Kysely } from 'kysely';
import { join } from 'node:path';
import { REPO } from './servers';

/**
 * The backend's own code, from its build, for benches that write straight
 * into a server's database: the database is opened and migrated exactly as
 * the server does it, so seeded rows meet the real schema (a column added by
 * a migration and missing here fails the insert instead of going
 * unnoticed), and keys are made by the backend's own functions.
 */
export interface BackendStorage {
  openSqlite(dataDir: string): OpenSqlite;
  migrate(db: Kysely<any>): Promise<string[]>;
  /** SHA-256 of a session token, as sessions are stored. */
  hashToken(token: string): string;
  /** The id of the private conversation of two users. */
  conversationKey(a: string, b: string): string;
  SearchIndex: new (opened: OpenSqlite) => { rebuild(): Promise<void> };
}

/** The backend's OpenDatabase, as far as the benches use it. */
type OpenSqlite = { db: Kysely<any> };

export function backendStorage(): BackendStorage {
  const dist = join(REPO, 'backend', 'dist');
  const { openSqlite } = require(join(dist, 'storage', 'database.js')) as Pick<BackendStorage, 'openSqlite'>;
  const { migrate } = require(join(dist, 'storage', 'migrations', 'index.js')) as Pick<BackendStorage, 'migrate'>;
  const { hashToken } = require(join(dist, 'auth', 'sessions.service.js')) as Pick<BackendStorage, 'hashToken'>;
  const { conversationKey } = require(join(dist, 'messages', 'messages.repository.js')) as Pick<BackendStorage, 'conversationKey'>;
  const { SearchIndex } = require(join(dist, 'storage', 'search-index.js')) as Pick<BackendStorage, 'SearchIndex'>;
  return { openSqlite, migrate, hashToken, conversationKey, SearchIndex };
}

/**
 * Puts messages seeded straight into the tables into the search index, as
 * the server's own writes would be. Since migration 0008 the server indexes
 * its messages after their commit, not by trigger; rows written around it
 * wait, and a million of them would make its next start index them all.
 * (Builds before 0008 indexed them by trigger as they went in: nothing to do.)
 */
export async function indexSeeded(storage: BackendStorage, opened: OpenSqlite): Promise<void> {
  if (await indexesAfterCommit(opened.db)) await new storage.SearchIndex(opened).rebuild();
}

/** Whether a SQLite database's build indexes messages for search after their commit (migration 0008: it keeps its place in search_progress). */
export async function indexesAfterCommit(db: Kysely<any>): Promise<boolean> {
  const { rows } = await sql<{ n: number }>`select count(*) as n from sqlite_master where name = 'search_progress'`.execute(db);
  return Number(rows[0].n) > 0;
}

/** A fresh DATA_DIR's database, migrated by the backend, for `use`; closed afterwards. */
export async function withMigratedSqlite<T>(storage: BackendStorage, dataDir: string, use: (db: Kysely<any>) => Promise<T>): Promise<T> {
  const opened = storage.openSqlite(dataDir);
  const db = opened.db;
  try {
    await storage.migrate(db);
    const result = await use(db);
    await indexSeeded(storage, opened);
    return result;
  } finally {
    await db.destroy();
  }
}
