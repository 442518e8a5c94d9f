import { Global, Logger, Module, type DynamicModule, type Provider } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { MessagesRepository } from '../messages/messages.repository';
import { RoomsRepository } from '../rooms/rooms.repository';
import { UsersRepository } from '../users/users.repository';
import { openPostgres, openSqlite, type OpenDatabase } from './database';
import { KyselyMessagesRepository } from './kysely/kysely-messages.repository';
import { KyselyRoomsRepository } from './kysely/kysely-rooms.repository';
import { KyselyUsersRepository } from './kysely/kysely-users.repository';
import { MemoryMessagesRepository, MemoryRoomsRepository, MemoryUsersRepository } from './memory/memory.repositories';
import { migrate } from './migrations';
import { KyselyStorage, MemoryStorageHealth, StorageHealth } from './storage-health';

const REPOSITORIES = [RoomsRepository, UsersRepository, MessagesRepository, StorageHealth];

/**
 * Provides the repositories every feature stores through: SQLite (default),
 * PostgreSQL (DATABASE_URL) or process memory (STORAGE=memory). Services see
 * only the abstract repositories; the dialect stays in this folder.
 */
@Global()
@Module({})
export class StorageModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: StorageModule, providers: config.storage === 'memory' ? memory() : sql(), exports: REPOSITORIES };
  }
}

function memory(): Provider[] {
  return [
    { provide: RoomsRepository, useClass: MemoryRoomsRepository },
    { provide: UsersRepository, useClass: MemoryUsersRepository },
    { provide: MessagesRepository, useClass: MemoryMessagesRepository },
    { provide: StorageHealth, useClass: MemoryStorageHealth },
  ];
}

function sql(): Provider[] {
  return [
    {
      provide: KyselyStorage,
      inject: [AppConfig],
      useFactory: async (config: AppConfig) => new KyselyStorage(await open(config)),
    },
    { provide: StorageHealth, useExisting: KyselyStorage },
    { provide: RoomsRepository, useClass: KyselyRoomsRepository },
    { provide: UsersRepository, useClass: KyselyUsersRepository },
    { provide: MessagesRepository, useClass: KyselyMessagesRepository },
  ];
}

/** Opens the configured database and brings its schema up to date. */
async function open(config: AppConfig): Promise<OpenDatabase> {
  const logger = new Logger('Storage');
  const database =
    config.storage === 'postgres' && config.databaseUrl
      ? await openPostgres(config.databaseUrl, (error) => logger.warn(`idle database connection lost: ${error.message}`))
      : openSqlite(config.dataDir);
  const applied = await migrate(database.db);
  logger.log(`${database.dialect} at ${database.location}${applied.length ? `; migrated: ${applied.join(', ')}` : ''}`);
  return database;
}
