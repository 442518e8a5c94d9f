import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { sql } from 'kysely';
import { describe, type OpenDatabase } from './database';

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

  constructor(readonly database: OpenDatabase) {
    super();
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
      if (this.writeFailure) {
        // Writes failed last time: see whether one goes through now (it changes nothing).
        await this.db.updateTable('rooms').set((eb) => ({ last_seq: eb.ref('last_seq') })).where('id', '=', 'general').execute();
        this.wrote();
      }
      return undefined;
    } catch (error) {
      return `database unavailable: ${describe(error)}`;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    for (const drain of this.drainers) await drain().catch(() => undefined);
    await this.db.destroy();
  }
}
