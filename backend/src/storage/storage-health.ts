import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { MAX_CONTENT_LENGTH } from '@chatstream/protocol';
import { sql } from 'kysely';
import { describe, inSteps, type OpenDatabase } from './database';
import { SearchIndex } from './search-index';

const PROBE_ID = '__health_probe__';

/** Whether storage can serve; `GET /api/health` asks it. */
export abstract class StorageHealth {
  /** undefined when healthy, else the reason. */
  abstract check(): Promise<string | undefined>;
}

@Injectable()
export class MemoryStorageHealth extends StorageHealth {
  async check(): Promise<string | undefined> {
    return undefined;
  }
}

/**
 * Holds the open database for the repositories. Tracks whether writes fail,
 * closes the database last at shutdown, after the repositories have drained.
 */
@Injectable()
export class KyselyStorage extends StorageHealth implements OnApplicationShutdown {
  private readonly logger = new Logger('Storage');
  private writeFailure?: string;
  private readonly drainers: Array<() => Promise<void>> = [];
  /** Brings committed messages into the search index after their commit (SQLite). */
  readonly search: SearchIndex;

  constructor(readonly database: OpenDatabase) {
    super();
    this.search = new SearchIndex(database);
  }

  get db() {
    return this.database.db;
  }

  /** Repositories report each write's outcome; a failure makes health 503 until a write succeeds. */
  wrote(error?: unknown): void {
    if (error === undefined) {
      if (this.writeFailure) this.logger.log('database writes work again');
      this.writeFailure = undefined;
    } else {
      const reason = describe(error);
      if (!this.writeFailure) this.logger.error(`database write failed: ${reason}`);
      this.writeFailure = reason;
    }
  }

  /** Work to finish before the database closes. */
  onClose(drain: () => Promise<void>): void {
    this.drainers.push(drain);
  }

  async check(): Promise<string | undefined> {
    try {
      await sql`select 1`.execute(this.db);
      if (this.writeFailure) await this.probeWrite();
      return undefined;
    } catch (error) {
      return `database unavailable: ${describe(error)}`;
    }
  }

  /**
   * Writes failed last time: commit a transaction that writes a row the size
   * of a large message and removes it again, to see whether writes work again.
   */
  private async probeWrite(): Promise<void> {
    const db = this.db;
    try {
      // Inserted and removed in one transaction: the commit still writes (and syncs) the pages, and no row is left
      // behind, nor a rowid above the search index's mark that a later message could take again (search-index.ts).
      await inSteps(this.database, function* () {
        yield db
          .insertInto('messages')
          .values({ id: PROBE_ID, room_id: null, recipient_id: null, seq: null, sender_id: '', sender_name: '', content: 'x'.repeat(MAX_CONTENT_LENGTH), created_at: '' })
          .onConflict((oc) => oc.column('id').doNothing())
          .compile();
        yield db.deleteFrom('messages').where('id', '=', PROBE_ID).compile();
      });
    } catch (error) {
      this.wrote(error);
      throw error;
    }
    this.wrote();
  }

  async onApplicationShutdown(): Promise<void> {
    for (const drain of this.drainers) await drain().catch(() => undefined);
    await this.search.close().catch(() => undefined);
    await this.db.destroy();
  }
}
