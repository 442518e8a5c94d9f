import type { Kysely } from 'kysely';
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
  openSqlite(dataDir: string): { db: Kysely<any> };
  migrate(db: Kysely<any>): Promise<string[]>;
  /** SHA-256 of a session token, as sessions are stored. */
  hashToken(token: string): string;
  /** The id of the private conversation of two users. */
  conversationKey(a: string, b: string): string;
}

export function backendStorage(): BackendStorage {
  const dist = join(REPO, 'backend', 'dist');
  const { openSqlite } = require(join(dist, 'storage', 'database.js')) as Pick<BackendStorage, 'openSqlite'>;
  const { migrate } = require(join(dist, 'storage', 'migrations', 'index.js')) as Pick<BackendStorage, 'migrate'>;
  const { hashToken } = require(join(dist, 'auth', 'sessions.service.js')) as Pick<BackendStorage, 'hashToken'>;
  const { conversationKey } = require(join(dist, 'messages', 'messages.repository.js')) as Pick<BackendStorage, 'conversationKey'>;
  return { openSqlite, migrate, hashToken, conversationKey };
}

/** A fresh DATA_DIR's database, migrated by the backend, for `use`; closed afterwards. */
export async function withMigratedSqlite<T>(storage: BackendStorage, dataDir: string, use: (db: Kysely<any>) => Promise<T>): Promise<T> {
  const { db } = storage.openSqlite(dataDir);
  try {
    await storage.migrate(db);
    return await use(db);
  } finally {
    await db.destroy();
  }
}
