import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import * as initial from './0001_initial';
import * as roomSequence from './0002_room_sequence';
import * as clientId from './0003_client_id';
import * as accounts from './0004_accounts';
import * as messageState from './0005_message_state';
import * as readStateSearch from './0006_read_state_search';
import * as partialHistoryIndexes from './0007_partial_history_indexes';
import * as searchAfterCommit from './0008_search_after_commit';

/** Every migration, in order. Add new ones at the end; never edit a released one. */
export const MIGRATIONS: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_room_sequence': roomSequence,
  '0003_client_id': clientId,
  '0004_accounts': accounts,
  '0005_message_state': messageState,
  '0006_read_state_search': readStateSearch,
  '0007_partial_history_indexes': partialHistoryIndexes,
  '0008_search_after_commit': searchAfterCommit,
};

class StaticProvider implements MigrationProvider {
  constructor(private readonly migrations: Record<string, Migration>) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return this.migrations;
  }
}

/** Brings the schema to `target` (default: the latest); a no-op when it is there already. Returns what ran. */
export async function migrate(db: Kysely<any>, target?: string): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new StaticProvider(MIGRATIONS) });
  const { error, results } = target ? await migrator.migrateTo(target) : await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
}
