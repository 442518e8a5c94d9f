import { Global, Logger, Module, type DynamicModule, type Provider } from '@nestjs/common';
import { SessionsRepository } from '../auth/sessions.repository';
import { AppConfig } from '../config/app-config';
import { ConversationsRepository } from '../conversations/conversations.repository';
import { MessagesRepository } from '../messages/messages.repository';
import { ReadStateRepository } from '../reads/read-state.repository';
import { RoomsRepository } from '../rooms/rooms.repository';
import { SearchRepository } from '../search/search.repository';
import { UsersRepository } from '../users/users.repository';
import { describe, openPostgres, openSqlite, StorageStartError, type OpenDatabase } from './database';
import { KyselyConversationsRepository } from './kysely/kysely-conversations.repository';
import { KyselyMessagesRepository } from './kysely/kysely-messages.repository';
import { KyselyReadStateRepository } from './kysely/kysely-read-state.repository';
import { KyselyRoomsRepository } from './kysely/kysely-rooms.repository';
import { KyselySearchRepository } from './kysely/kysely-search.repository';
import { KyselySessionsRepository } from './kysely/kysely-sessions.repository';
import { KyselyUsersRepository } from './kysely/kysely-users.repository';
import {
  MemoryConversationsRepository,
  MemoryMessagesRepository,
  MemoryReadStateRepository,
  MemoryRoomsRepository,
  MemorySearchRepository,
  MemorySessionsRepository,
  MemoryUsersRepository,
} from './memory/memory.repositories';
import { migrate } from './migrations';
import { SearchIndex } from './search-index';
import { KyselyStorage, MemoryStorageHealth, StorageHealth } from './storage-health';

const REPOSITORIES = [RoomsRepository, UsersRepository, MessagesRepository, SessionsRepository, ConversationsRepository, ReadStateRepository, SearchRepository, StorageHealth];

/**
 * Provides the repositories every feature stores through: SQLite (default),
 * PostgreSQL (DATABASE_URL) or process memory (STORAGE=memory). Services see
 * only the abstract repositories; the dialect stays in this folder.
 */
@Global()
@Module({})
export class StorageModule {
  /** `database`: opened and migrated by `openStorage` before the app is built; none for memory storage. */
  static forRoot(database?: OpenDatabase): DynamicModule {
    return { module: StorageModule, providers: database ? sql(database) : memory(), exports: REPOSITORIES };
  }
}

function memory(): Provider[] {
  return [
    { provide: RoomsRepository, useClass: MemoryRoomsRepository },
    { provide: UsersRepository, useClass: MemoryUsersRepository },
    { provide: MessagesRepository, useClass: MemoryMessagesRepository },
    { provide: SessionsRepository, useClass: MemorySessionsRepository },
    { provide: ConversationsRepository, useClass: MemoryConversationsRepository },
    { provide: ReadStateRepository, useClass: MemoryReadStateRepository },
    { provide: SearchRepository, useClass: MemorySearchRepository },
    { provide: StorageHealth, useClass: MemoryStorageHealth },
  ];
}

function sql(database: OpenDatabase): Provider[] {
  return [
    { provide: KyselyStorage, useValue: new KyselyStorage(database) },
    { provide: StorageHealth, useExisting: KyselyStorage },
    { provide: RoomsRepository, useClass: KyselyRoomsRepository },
    { provide: UsersRepository, useClass: KyselyUsersRepository },
    { provide: MessagesRepository, useClass: KyselyMessagesRepository },
    { provide: SessionsRepository, useClass: KyselySessionsRepository },
    { provide: ConversationsRepository, useClass: KyselyConversationsRepository },
    { provide: ReadStateRepository, useClass: KyselyReadStateRepository },
    { provide: SearchRepository, useClass: KyselySearchRepository },
  ];
}

/**
 * Opens the configured database and brings its schema up to date, before
 * Nest starts, so a bad DATA_DIR or DATABASE_URL stops the start with one
 * line; undefined for memory storage.
 */
export async function openStorage(config: AppConfig): Promise<OpenDatabase | undefined> {
  if (config.storage === 'memory') return undefined;
  const logger = new Logger('Storage');
  const database =
    config.storage === 'postgres' && config.databaseUrl
      ? await openPostgres(config.databaseUrl, (error) => logger.warn(`idle database connection lost: ${error.message}`))
      : openSqlite(config.dataDir);
  let applied: string[];
  try {
    applied = await migrate(database.db);
  } catch (error) {
    await database.db.destroy().catch(() => undefined);
    const variable = database.dialect === 'postgres' ? 'DATABASE_URL' : 'DATA_DIR';
    throw new StorageStartError(`${variable} ${database.location}: migrating the schema failed: ${describe(error)}`);
  }
  logger.log(`${database.dialect} at ${database.location}${applied.length ? `; migrated: ${applied.join(', ')}` : ''}`);
  // What was committed but not yet in the search index when the last run stopped (SQLite; see search-index.ts).
  await new SearchIndex(database).catchUp().then(
    (indexed) => indexed > 0 && logger.log(`search index: indexed ${indexed} messages the last run left waiting`),
    (error: unknown) => logger.warn(`search index: catching up failed (${describe(error)}); the first search tries again`),
  );
  return database;
}
