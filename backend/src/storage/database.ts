import BetterSqlite3 from 'better-sqlite3';
import {
  Kysely,
  PostgresDialect,
  SqliteDialect,
  sql,
  CompiledQuery,
  type Generated,
  type QueryResult,
  type SqliteDatabase,
  type SqliteStatement,
} from 'kysely';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Pool } from 'pg';

/** The schema, as Kysely sees it (see migrations/). Times are ISO-8601 UTC text in both dialects. */
export interface Database {
  rooms: {
    id: string;
    name: string;
    /** Lower-cased name: unique, so names are unique regardless of case. */
    name_key: string;
    description: string;
    created_at: string;
    /** seq of the room's newest message; bumped in the transaction that stores messages. */
    last_seq: Generated<number>;
    /** rev of the room's newest change (message, edit, delete, reaction, reply count). */
    last_rev: Generated<number>;
  };
  /** Counters of private conversations; id: conversationKey(a, b). */
  conversations: {
    id: string;
    last_seq: number;
    last_rev: number;
  };
  reactions: {
    message_id: string;
    user_id: string;
    emoji: string;
    added_rev: number;
  };
  /** Every text a message had before an edit (not served yet, never lost). */
  message_edits: {
    message_id: string;
    rev: number;
    previous_content: string;
    replaced_at: string;
  };
  /** A user's read pointer in a room: the seq of the last message read (moves only forward). */
  room_reads: {
    user_id: string;
    room_id: string;
    last_read_seq: number;
  };
  /** The same in a private conversation (conversation_id: conversationKey(a, b)). */
  conversation_reads: {
    user_id: string;
    conversation_id: string;
    last_read_seq: number;
  };
  /** Who a live message mentions (never its sender), where it is: unread mention counts are index ranges of this. */
  message_mentions: {
    message_id: string;
    user_id: string;
    room_id: string | null;
    conversation_id: string | null;
    seq: number;
  };
  memberships: {
    room_id: string;
    user_id: string;
    joined_at: string;
  };
  users: {
    id: string;
    /** Unique regardless of case (an index on lower(username)). */
    username: string;
    created_at: string;
    /** Argon2id PHC string; null for users who never set a password (those of AUTH=open). */
    password_hash: string | null;
  };
  sessions: {
    /** Public id (listed, used to end the session); not the token. */
    id: string;
    /** SHA-256 (hex) of the token: the token itself is never stored. */
    token_hash: string;
    user_id: string;
    created_at: string;
    last_used_at: string;
    user_agent: string | null;
  };
  messages: {
    id: string;
    room_id: string | null;
    recipient_id: string | null;
    /** Position in the room or the private conversation. */
    seq: number | null;
    /** Private messages: conversationKey(sender, recipient). */
    conversation_id: string | null;
    sender_id: string;
    sender_name: string;
    content: string;
    created_at: string;
    /** The sender's idempotency key; unique per sender (NULLs never collide). */
    client_id: string | null;
    edited_at: string | null;
    /** 1: a tombstone (content ""). */
    deleted: Generated<number>;
    reply_to: string | null;
    reply_count: Generated<number>;
    /** JSON array of user ids. */
    mentions: Generated<string>;
    /** JSON array of {emoji, count, user_ids}: the summary of the reactions table, kept in the same transaction. */
    reactions: Generated<string>;
    /** The room's or conversation's rev at this message's last change. */
    rev: Generated<number>;
  };
}

export type Dialect = 'sqlite' | 'postgres';

export interface OpenDatabase {
  db: Kysely<Database>;
  dialect: Dialect;
  /** Where it lives, for logs (never the password). */
  location: string;
  /** SQLite only: runs a transaction's statements one after another without an await (see `inSteps`). */
  sqlite?: SyncSqlite;
}

/** better-sqlite3 answers at once: a transaction can run to its COMMIT inside one call. */
export interface SyncSqlite {
  execute<R>(query: CompiledQuery<R>): QueryResult<R>;
  /** A transaction is open: after a failed statement or COMMIT, SQLite may already have rolled it back. */
  readonly inTransaction: boolean;
}

/** Names the variable to blame when the database cannot be opened at start. */
export class StorageStartError extends Error {}

/** Embedded SQLite in `dataDir`: WAL, and a commit is on disk before it returns. */
export function openSqlite(dataDir: string): OpenDatabase {
  const file = join(resolve(dataDir), 'chatstream.sqlite');
  let handle: BetterSqlite3.Database;
  try {
    mkdirSync(resolve(dataDir), { recursive: true });
    handle = new BetterSqlite3(file);
    handle.pragma('journal_mode = WAL');
    // FULL: each commit is fsynced, so an acknowledged message survives power loss too; group commit pays it once per batch.
    handle.pragma('synchronous = FULL');
    handle.pragma('busy_timeout = 5000');
    // Fail here, not on the first message, when the folder or file cannot be written.
    handle.exec('CREATE TABLE IF NOT EXISTS chatstream_probe (x INTEGER); DROP TABLE chatstream_probe;');
  } catch (error) {
    throw new StorageStartError(`DATA_DIR ${resolve(dataDir)} is not usable: ${describe(error)}`);
  }
  const database = reusingStatements(handle);
  const sqlite: SyncSqlite = {
    execute<R>(query: CompiledQuery<R>): QueryResult<R> {
      // What Kysely's SQLite connection does with a query, without its promise.
      const statement = database.prepare(query.sql);
      const parameters = query.parameters as unknown[];
      if (statement.reader) return { rows: statement.all(parameters) as R[] };
      const { changes } = statement.run(parameters);
      return { rows: [], numAffectedRows: BigInt(changes) };
    },
    get inTransaction() {
      return handle.inTransaction;
    },
  };
  return { db: new Kysely<Database>({ dialect: new SqliteDialect({ database }) }), dialect: 'sqlite', location: file, sqlite };
}

/**
 * Kysely's SQLite driver prepares every query anew; the hot queries (a batch's
 * BEGIN, counter bump, INSERT, COMMIT, a history page) have the same text each
 * time, so keep their prepared statements.
 */
function reusingStatements(handle: BetterSqlite3.Database): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    close: () => handle.close(),
    prepare: (text: string) => {
      let statement = statements.get(text);
      if (!statement) {
        if (statements.size >= 256) statements.clear();
        statement = withFastRows(handle.prepare(text));
        statements.set(text, statement);
      }
      return statement;
    },
  };
}

/**
 * better-sqlite3 builds each result row through V8's generic property API,
 * one map transition and key lookup per column. Reading rows as arrays and
 * turning them into objects with one object literal of the statement's
 * columns gives the same rows for about a third less CPU (a 50-message
 * history page: ~170 -> ~120 µs).
 */
function withFastRows(statement: BetterSqlite3.Statement): SqliteStatement {
  if (!statement.reader) return statement as unknown as SqliteStatement;
  const toRow = rowLiteral(statement.columns().map((column) => column.name));
  const raw = statement.raw(true);
  return {
    reader: true,
    all: (parameters) => (raw.all(parameters) as unknown[][]).map(toRow),
    run: (parameters) => raw.run(parameters),
    *iterate(parameters) {
      for (const values of raw.iterate(parameters) as IterableIterator<unknown[]>) yield toRow(values);
    },
  };
}

/** `(values) => ({ "a": values[0], "b": values[1], … })`; a later column of the same name wins, as in better-sqlite3. */
function rowLiteral(columns: string[]): (values: unknown[]) => Record<string, unknown> {
  const fields = columns.map((name, i) => `${JSON.stringify(name)}: values[${i}]`).join(', ');
  return new Function('values', `return { ${fields} };`) as (values: unknown[]) => Record<string, unknown>;
}

/** PostgreSQL through a `pg` pool; checks that it answers before the server starts. */
export async function openPostgres(url: string, onIdleError: (error: Error) => void): Promise<OpenDatabase> {
  const pool = new Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5000 });
  // A backend that dies must not crash the process. `pg` reports the loss of an idle client on the
  // pool, but a checked-out client between two queries (a transaction held open, a health probe)
  // emits 'error' on itself, and an 'error' without a listener throws. The query in flight, if any,
  // still gets its own error; the pool drops the broken client and opens a new one when needed.
  pool.on('error', onIdleError);
  pool.on('connect', (client) => client.on('error', onIdleError));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const location = redact(url);
  try {
    await sql`select 1`.execute(db);
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw new StorageStartError(`DATABASE_URL ${location} cannot be reached: ${describe(error)}`);
  }
  return { db, dialect: 'postgres', location };
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://…';
  }
}

export function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describe(error.errors[0]);
  return error instanceof Error ? error.message || error.constructor.name : String(error);
}

/** A transaction written once for both dialects: it yields each query and gets its result back. */
export type Steps<T> = Generator<CompiledQuery, T, QueryResult<any>>;

/**
 * Runs the queries `work` yields in one transaction. On SQLite they run
 * synchronously, BEGIN to COMMIT within one call, on the connection Kysely
 * holds for us (so no other query interleaves): a one-message batch then
 * costs SQLite's own work and not a promise per statement. On PostgreSQL each
 * query is awaited, as `inTransaction` does.
 */
export async function inSteps<T>(database: OpenDatabase, work: () => Steps<T>, { durable = true }: StepsOptions = {}): Promise<T> {
  const sqlite = database.sqlite;
  if (!sqlite) {
    return inTransaction(database.db, async (trx) => {
      const steps = work();
      let step = steps.next();
      while (!step.done) step = steps.next(await trx.executeQuery(step.value));
      return step.value;
    });
  }
  return database.db.connection().execute(async () => {
    if (!durable) sqlite.execute(SYNC_NORMAL);
    sqlite.execute(BEGIN);
    try {
      const steps = work();
      let step = steps.next();
      while (!step.done) step = steps.next(sqlite.execute(step.value));
      sqlite.execute(COMMIT);
      return step.value;
    } catch (error) {
      if (sqlite.inTransaction) {
        try {
          sqlite.execute(ROLLBACK);
        } catch {
          // The error that broke the transaction is the one to report.
        }
      }
      throw error;
    } finally {
      // Still inside the connection's lock: no other transaction ever commits without its fsync.
      if (!durable) sqlite.execute(SYNC_FULL);
    }
  });
}

export interface StepsOptions {
  /**
   * false: SQLite commits this transaction without an fsync (WAL with
   * `synchronous=NORMAL`: atomic, but a power loss may undo it; the next
   * durable commit's fsync covers it). For data that can be derived again,
   * such as the search index with its mark. PostgreSQL ignores it.
   */
  durable?: boolean;
}

/**
 * Every inSteps transaction writes: IMMEDIATE takes the write lock at its
 * start (waiting up to busy_timeout for another process's writer, such as
 * the operator's command line), so a transaction that reads before it writes
 * never finds its snapshot made stale by another commit ("database is
 * locked" at its first write).
 */
const BEGIN = CompiledQuery.raw('begin immediate');
const COMMIT = CompiledQuery.raw('commit');
const ROLLBACK = CompiledQuery.raw('rollback');
/** openSqlite's setting, which every other transaction commits with. */
const SYNC_FULL = CompiledQuery.raw('pragma synchronous = full');
const SYNC_NORMAL = CompiledQuery.raw('pragma synchronous = normal');

/**
 * Runs `work` in one transaction and throws the error that broke it. (Kysely's
 * `transaction()` rethrows its ROLLBACK's error instead when that fails too, as
 * it does after SQLite already rolled back a commit that hit a full disk.)
 */
export async function inTransaction<T>(db: Kysely<Database>, work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.connection().execute(async (conn) => {
    await sql`begin`.execute(conn);
    try {
      const result = await work(conn);
      await sql`commit`.execute(conn);
      return result;
    } catch (error) {
      await sql`rollback`.execute(conn).catch(() => undefined);
      throw error;
    }
  });
}
