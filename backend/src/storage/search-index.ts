import { Logger } from '@nestjs/common';
import { CompiledQuery, sql, type QueryResult } from 'kysely';
import { describe, inSteps, type OpenDatabase, type Steps } from './database';

/** How long after a commit its messages wait for the index: the messages of that time are indexed together. */
export const INDEX_DELAY_MS = 100;
/**
 * Messages per indexing transaction (about 1 ms of the event loop): a larger
 * backlog (a burst, a crash, a bulk import) goes in several, with the
 * sockets' I/O and other queries between them.
 */
export const INDEX_CHUNK = 128;

const PROGRESS = CompiledQuery.raw('select indexed_to from search_progress where id = 1');
const PENDING = 'select count(*) as pending, max(rowid) as top from (select rowid from messages where rowid > ? order by rowid limit ?)';
const INDEX = 'insert into messages_fts(rowid, content) select rowid, content from messages where rowid > ? and rowid <= ?';
const ADVANCE = 'update search_progress set indexed_to = ? where id = 1';

/**
 * The search index of migration 0006, kept up with the messages.
 *
 * SQLite: since 0008 a commit of messages does not touch the index (it cost
 * the commit, on every message's way to its recipients, about a third of its
 * CPU and WAL pages). `soon()`, called after each commit, indexes everything
 * stored since the last run INDEX_DELAY_MS later, in transactions of INDEX_CHUNK;
 * `catchUp()` does it at once, and every search that asks the index calls
 * it first, so a search finds every committed message. The position is
 * `search_progress.indexed_to`, moved in the same transaction as the
 * entries, so a crash loses no message from search: the next run (at start
 * at the latest) takes up from it. PostgreSQL keeps its GIN index in the
 * writing transaction by itself; there all of this does nothing.
 *
 * For the operator (`npm run search -- size|check|rebuild`): its size, a check against the
 * messages, and a rebuild from them, for after a SQLite VACUUM (which may
 * renumber the rowids the FTS5 index points at) or a restored backup of only
 * some files.
 */
export class SearchIndex {
  private readonly logger = new Logger('SearchIndex');
  private timer?: NodeJS.Timeout;
  /** The run the timer started, until it ends. */
  private running?: Promise<void>;
  private closed = false;

  constructor(private readonly database: OpenDatabase) {}

  private get deferred(): boolean {
    return this.database.dialect === 'sqlite';
  }

  /** Messages were committed: index them shortly, with whatever else is committed until then. */
  soon(): void {
    if (this.timer || this.closed || !this.deferred) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.catchUp().then(
        () => undefined,
        (error: unknown) => this.logger.warn(`indexing new messages failed; the next search or commit retries: ${describe(error)}`),
      );
    }, INDEX_DELAY_MS);
    this.timer.unref();
  }

  /** Indexes every message stored since the last run; answers how many. */
  async catchUp(): Promise<number> {
    if (!this.deferred) return 0;
    let total = 0;
    for (;;) {
      // No fsync of its own: the index can be made again from the messages, and its mark moves with it.
      const indexed = await inSteps(this.database, () => indexSteps(INDEX_CHUNK), { durable: false });
      total += indexed;
      if (indexed < INDEX_CHUNK) return total;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** At shutdown, before the database closes: no timer left, nothing left waiting. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    await this.catchUp();
  }

  /** Bytes the index takes on disk. */
  async size(): Promise<number> {
    const query =
      this.database.dialect === 'sqlite'
        ? sql<{ bytes: number | null }>`select sum(pgsize) as bytes from dbstat where name like 'messages\_fts%' escape '\\'`
        : sql<{ bytes: number | null }>`select pg_relation_size('messages_search') as bytes`;
    const { rows } = await query.execute(this.database.db);
    return Number(rows[0]?.bytes ?? 0);
  }

  /** Throws when the index does not match the messages (SQLite: FTS5's integrity-check against the content; PostgreSQL: amcheck is not needed, a rebuild is cheap). */
  async check(): Promise<void> {
    if (this.database.dialect !== 'sqlite') return;
    await this.catchUp();
    await sql`insert into messages_fts(messages_fts, rank) values ('integrity-check', 1)`.execute(this.database.db);
  }

  /** Rebuilds the index from the messages' current content (deleted ones have none). */
  async rebuild(): Promise<void> {
    if (this.database.dialect === 'sqlite') {
      await inSteps(this.database, function* () {
        yield CompiledQuery.raw(`insert into messages_fts(messages_fts) values ('rebuild')`);
        yield CompiledQuery.raw('insert or replace into search_progress (id, indexed_to) values (1, coalesce((select max(rowid) from messages), 0))');
      });
      await sql`insert into messages_fts(messages_fts) values ('optimize')`.execute(this.database.db);
    } else {
      await sql`reindex index messages_search`.execute(this.database.db);
      await sql`analyze messages`.execute(this.database.db);
    }
  }
}

/** One transaction: up to `limit` messages above the mark into the index, and the mark after them. */
function* indexSteps(limit: number): Steps<number> {
  const progress: QueryResult<{ indexed_to: number }> = yield PROGRESS;
  // Without its mark the index cannot tell what it holds: starting from 0 would index every message twice.
  if (progress.rows.length === 0) throw new Error('search_progress has lost its row: run `npm run search -- rebuild`');
  const from = Number(progress.rows[0].indexed_to);
  const pending: QueryResult<{ pending: number; top: number | null }> = yield CompiledQuery.raw(PENDING, [from, limit]);
  const { pending: count, top } = pending.rows[0];
  if (Number(count) === 0 || top === null) return 0;
  yield CompiledQuery.raw(INDEX, [from, top]);
  yield CompiledQuery.raw(ADVANCE, [top]);
  return Number(count);
}
