import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { Client } from 'pg';
import { backendStorage, indexesAfterCommit, indexSeeded } from '../backend-storage';
import { httpLoad, type HttpLoadResult } from '../generator/http-load';
import { otherLoadSince, waitForQuietMachine } from '../proc';
import { REPO, startServer, type ServerSpec } from '../servers';
import { WARMUP_MS } from './history';

/**
 * Search and unread counts over a million stored messages (issue 15):
 * - `GET /api/search` for a common word (in a quarter of the messages) and
 *   for a rare prefix (`xylo`, in about 200), and `GET /api/rooms` with the
 *   read state of a user in 50 rooms, at a light open-loop rate, p99;
 * - the storage write path (the backend's own repository, group commit,
 *   many messages in flight) with the search index on and off: messages/s.
 *
 * The rows go straight into the database through the backend's own storage
 * code (opened and migrated as the server does it); the index is built by
 * the backend's own rebuild after seeding (SQLite, whose server indexes new
 * messages after their commit) or by the GIN index while seeding (PostgreSQL).
 */
export type Engine = 'sqlite' | 'postgres';

export interface SearchBenchOptions {
  messages: number;
  rooms: number;
  /** Requests per second of each request kind (measured one after another). */
  rate: number;
  durationMs: number;
  connections: number;
  /** Messages appended per write measurement. */
  writes: number;
  /** Write rounds per mode (on, off, on, off … on SQLite; PostgreSQL rebuilds its index between rounds, so one each). */
  writeRounds: number;
  quietWaitMs?: number;
  /** PostgreSQL server to create the bench database on. */
  postgresUrl?: string;
}

export interface WriteRound {
  indexOn: boolean;
  perSecond: number;
}

export interface EngineResult {
  engine: Engine;
  messages: number;
  seedSeconds: number;
  indexBytes: number;
  reads: HttpLoadResult;
  otherCpuPct?: number;
  writes: WriteRound[];
}

export const COMMON_WORD = 'meeting';
export const RARE_PREFIX = 'xylo';
const READER = 'bench-reader';
const TOKEN = 'bench-search-token-000000000000000000000000';
const ROWS_PER_INSERT = 400;
const ROWS_PER_TRANSACTION = 20_000;

/** The backend's storage code, from its build (as large-history.ts does). */
interface Backend {
  openSqlite(dataDir: string): OpenDatabase;
  openPostgres(url: string, onIdleError: (error: Error) => void): Promise<OpenDatabase>;
  migrate(db: Kysely<any>): Promise<string[]>;
  SearchIndex: new (database: OpenDatabase) => { size(): Promise<number> };
  /** `search`: the index that follows commits (builds since it moved out of the commit). */
  KyselyStorage: new (database: OpenDatabase) => { search?: { catchUp(): Promise<number>; close(): Promise<void> } };
  KyselyMessagesRepository: new (storage: object, config: object) => { append(message: object): Promise<unknown>; drain(): Promise<void> };
  AppConfig: new () => object;
}
interface OpenDatabase {
  db: Kysely<any>;
  dialect: Engine;
}

export function backend(): Backend {
  const dist = join(REPO, 'backend', 'dist');
  const load = (path: string) => require(join(dist, path)) as Record<string, unknown>;
  return {
    ...(load('storage/database.js') as Pick<Backend, 'openSqlite' | 'openPostgres'>),
    ...(load('storage/migrations/index.js') as Pick<Backend, 'migrate'>),
    ...(load('storage/search-index.js') as Pick<Backend, 'SearchIndex'>),
    ...(load('storage/storage-health.js') as Pick<Backend, 'KyselyStorage'>),
    ...(load('storage/kysely/kysely-messages.repository.js') as Pick<Backend, 'KyselyMessagesRepository'>),
    ...(load('config/app-config.js') as Pick<Backend, 'AppConfig'>),
  };
}

/** mulberry32: the same messages every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'ta', 'shi', 'po', 'an', 'el', 'or', 'ven', 'dra', 'qui', 'sto', 'ber', 'lin', 'gor'];

/** A vocabulary of made-up words, drawn with a Zipf-like skew, plus the words the queries look for. */
function contentMaker(seed: number): (mentions: boolean) => string {
  const next = random(seed);
  const vocabulary = Array.from({ length: 4000 }, (_, i) => {
    let word = '';
    for (let n = i + 1; n > 0; n = Math.floor(n / SYLLABLES.length)) word += SYLLABLES[n % SYLLABLES.length];
    return word;
  });
  const pick = () => vocabulary[Math.floor(vocabulary.length * next() ** 3)];
  return (mentions) => {
    const words = Array.from({ length: 8 + Math.floor(next() * 9) }, pick);
    if (next() < 0.25) words.splice(Math.floor(next() * words.length), 0, COMMON_WORD);
    if (next() < 0.0002) words.push(next() < 0.5 ? 'xylophone' : 'xylograph');
    if (next() < 0.01) words.push('café');
    if (mentions) words.unshift(`@${READER}`);
    return words.join(' ');
  };
}

/** One engine: seed, read at a light rate, then measure writes with the index on and off. */
export async function searchAtScale(engine: Engine, options: SearchBenchOptions, log: (line: string) => void): Promise<EngineResult> {
  const code = backend();
  const place = await freshDatabase(engine, options.postgresUrl);
  try {
    const started = Date.now();
    const rooms = await seed(code, place, options, log);
    const seedSeconds = (Date.now() - started) / 1000;
    const sizing = await openDatabase(code, place);
    const indexBytes = await new code.SearchIndex(sizing).size().finally(() => sizing.db.destroy());
    log(`${engine}: ${options.messages} messages seeded in ${seedSeconds.toFixed(0)} s; search index ${(indexBytes / 1024 / 1024).toFixed(1)} MB`);
    const { reads, otherCpuPct } = await readLoad(place, options);
    const writes = await writeRounds(code, place, rooms, options, log);
    return { engine, messages: options.messages, seedSeconds, indexBytes, reads, otherCpuPct, writes };
  } finally {
    await place.drop();
  }
}

interface Place {
  engine: Engine;
  dataDir?: string;
  databaseUrl?: string;
  drop(): Promise<void>;
}

export async function freshDatabase(engine: Engine, postgresUrl: string | undefined): Promise<Place> {
  if (engine === 'sqlite') {
    const dataDir = mkdtempSync(join(tmpdir(), 'chatstream-search-'));
    return { engine, dataDir, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  if (!postgresUrl) throw new Error('PostgreSQL needs DATABASE_URL (a server the bench may create a database on)');
  const name = `bench_search_${process.pid}_${Date.now()}`;
  const admin = new Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  return {
    engine,
    databaseUrl: url.toString(),
    async drop() {
      const client = new Client({ connectionString: postgresUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

function openDatabase(code: Backend, place: Place): Promise<OpenDatabase> {
  return place.engine === 'sqlite' ? Promise.resolve(code.openSqlite(place.dataDir as string)) : code.openPostgres(place.databaseUrl as string, () => undefined);
}

/**
 * `rooms` rooms of the reader with `messages / rooms` messages each: every
 * 997th the reader's own, every 301st mentions the reader, every 1999th
 * deleted; the reader's pointer a few hundred messages behind in each room.
 */
export async function seed(code: Backend, place: Place, options: SearchBenchOptions, log: (line: string) => void): Promise<string[]> {
  const database = await openDatabase(code, place);
  const db = database.db;
  try {
    await code.migrate(db);
    const now = new Date().toISOString();
    await db.insertInto('users').values({ id: READER, username: READER, created_at: now, password_hash: null }).execute();
    const tokenHash = createHash('sha256').update(TOKEN).digest('hex');
    await db.insertInto('sessions').values({ id: randomUUID(), token_hash: tokenHash, user_id: READER, created_at: now, last_used_at: now, user_agent: null }).execute();
    const rooms = Array.from({ length: options.rooms }, (_, i) => `bench-room-${i}`);
    const perRoom = Math.ceil(options.messages / options.rooms);
    await db
      .insertInto('rooms')
      .values(rooms.map((id, i) => ({ id, name: id, name_key: id, description: '', created_at: now, last_seq: perRoom, last_rev: perRoom })))
      .execute();
    await db.insertInto('memberships').values(rooms.map((room_id) => ({ room_id, user_id: READER, joined_at: now }))).execute();
    await db.insertInto('room_reads').values(rooms.map((room_id, i) => ({ user_id: READER, room_id, last_read_seq: perRoom - ((i * 37) % 500) }))).execute();
    const content = contentMaker(15);
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    let written = 0;
    const row = (n: number) => {
      const room = rooms[n % options.rooms];
      const seq = Math.floor(n / options.rooms) + 1;
      const own = seq % 997 === 0;
      const mentions = !own && seq % 301 === 0;
      const deleted = seq % 1999 === 0;
      const sender = own ? READER : `seed-${n % 500}`;
      return {
        message: {
          id: randomUUID(), room_id: room, recipient_id: null, seq, conversation_id: null, sender_id: sender, sender_name: sender,
          content: deleted ? '' : content(mentions), created_at: new Date(t0 + n * 10).toISOString(), client_id: null,
          mentions: mentions ? JSON.stringify([READER]) : '[]', deleted: deleted ? 1 : 0, rev: seq,
        },
        mention: mentions && !deleted ? { room_id: room, seq } : undefined,
      };
    };
    const total = perRoom * options.rooms;
    for (let from = 0; from < total; from += ROWS_PER_TRANSACTION) {
      const to = Math.min(total, from + ROWS_PER_TRANSACTION);
      await db.transaction().execute(async (trx) => {
        for (let first = from; first < to; first += ROWS_PER_INSERT) {
          const rows = Array.from({ length: Math.min(ROWS_PER_INSERT, to - first) }, (_, i) => row(first + i));
          await trx.insertInto('messages').values(rows.map((r) => r.message)).execute();
          const mentioned = rows.filter((r) => r.mention).map((r) => ({ message_id: r.message.id, user_id: READER, conversation_id: null, ...(r.mention as { room_id: string; seq: number }) }));
          if (mentioned.length > 0) await trx.insertInto('message_mentions').values(mentioned).execute();
        }
      });
      written = to;
      if (written % 200_000 === 0) log(`${place.engine}: ${written} messages`);
    }
    // Vacuumed and analyzed now, so that autovacuum of the fresh rows does not run during the measurements.
    if (place.engine === 'postgres') await sql`vacuum analyze`.execute(db);
    else await indexSeeded(backendStorage(), database);
    return rooms;
  } finally {
    await db.destroy();
  }
}

function serverSpec(place: Place): ServerSpec {
  const base = { kind: 'chatstream' as const, env: { AUTH: 'accounts' } };
  return place.engine === 'sqlite'
    ? { ...base, id: 'chatstream-search-sqlite', label: 'ChatStream (SQLite)', storage: 'sqlite' }
    : { ...base, id: 'chatstream-search-postgres', label: 'ChatStream (PostgreSQL)', env: { ...base.env, DATABASE_URL: place.databaseUrl as string } };
}

async function readLoad(place: Place, options: SearchBenchOptions): Promise<{ reads: HttpLoadResult; otherCpuPct?: number }> {
  const server = await startServer(serverSpec(place), { dataDir: place.dataDir, timeoutMs: 120_000 });
  try {
    const paths = [
      { name: `search "${COMMON_WORD}"`, path: `/api/search?q=${COMMON_WORD}` },
      { name: `search "${RARE_PREFIX}"`, path: `/api/search?q=${RARE_PREFIX}` },
      { name: `search "${COMMON_WORD} caf"`, path: `/api/search?q=${COMMON_WORD}%20caf` },
      { name: `rooms (${options.rooms}, unread)`, path: '/api/rooms' },
    ];
    if (options.quietWaitMs) await waitForQuietMachine([server.pid], options.quietWaitMs);
    const others = otherLoadSince([server.pid]);
    // One request kind at a time: each one's latency on a server doing only that, not queued behind the slowest kind.
    const reads: HttpLoadResult[] = [];
    for (const path of paths) {
      reads.push(
        await httpLoad({
          baseUrl: server.url,
          paths: [path],
          rate: options.rate,
          durationMs: options.durationMs,
          warmupMs: WARMUP_MS,
          connections: options.connections,
          headers: { authorization: `Bearer ${TOKEN}` },
        }),
      );
    }
    return { reads: merged(reads), otherCpuPct: others() };
  } finally {
    await server.stop();
  }
}

/** The runs of several paths as one result (each path's own latencies). */
function merged(runs: HttpLoadResult[]): HttpLoadResult {
  return {
    requests: runs.reduce((n, r) => n + r.requests, 0),
    ok: runs.reduce((n, r) => n + r.ok, 0),
    failed: runs.reduce((n, r) => n + r.failed, 0),
    errors: runs.flatMap((r) => r.errors).slice(0, 5),
    perPath: Object.assign({}, ...runs.map((r) => r.perPath)),
    perGroup: {},
    all: runs[0].all,
    perSecond: runs[0].perSecond,
  };
}

/**
 * The storage write path with the index on and off: `writes` messages
 * appended through the backend's repository, 256 in flight (group commit
 * batches them), spread over the rooms. Off: SQLite without the FTS
 * triggers and with the indexer that follows commits parked (both put back
 * for the next round, which indexes what the off round wrote), PostgreSQL
 * without the GIN index (the last round: rebuilding it between rounds would
 * take minutes).
 */
async function writeRounds(code: Backend, place: Place, rooms: string[], options: SearchBenchOptions, log: (line: string) => void): Promise<WriteRound[]> {
  const database = await openDatabase(code, place);
  const content = contentMaker(99);
  const rounds: WriteRound[] = [];
  const raw = <T>(text: string) => sql.raw<T>(text).execute(database.db);
  try {
    const config = Object.assign(new code.AppConfig(), { commitWindowMs: 0 });
    const storage = new code.KyselyStorage(database);
    const repository = new code.KyselyMessagesRepository(storage, config);
    const triggers =
      place.engine === 'sqlite'
        ? (await raw<{ name: string; sql: string }>("select name, sql from sqlite_master where type = 'trigger' and name like 'messages_fts_%'")).rows
        : [];
    // Builds that index after the commit keep their place in search_progress: an off round parks it past every row.
    const progress = place.engine === 'sqlite' && (await indexesAfterCommit(database.db));
    let mark = 0;
    // A first round warms the database and the JIT and is not counted: the first measured round was always the slowest.
    const modes = [true, ...(place.engine === 'sqlite' ? Array.from({ length: options.writeRounds * 2 }, (_, i) => i % 2 === 0) : [true, false])];
    for (const [round, indexOn] of modes.entries()) {
      if (!indexOn) {
        if (place.engine === 'sqlite') {
          for (const trigger of triggers) await raw(`drop trigger ${trigger.name}`);
          if (progress) {
            mark = Number((await raw<{ indexed_to: number }>('select indexed_to from search_progress')).rows[0].indexed_to);
            await raw(`update search_progress set indexed_to = ${Number.MAX_SAFE_INTEGER}`);
          }
        } else await raw('drop index messages_search');
      }
      let sent = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: 256 }, async () => {
          while (sent < options.writes) {
            const n = sent++;
            await repository.append({ id: randomUUID(), senderId: `writer-${n % 100}`, senderName: 'writer', content: content(false), timestamp: new Date().toISOString(), room: rooms[n % rooms.length] });
          }
        }),
      );
      const perSecond = options.writes / ((performance.now() - started) / 1000);
      if (round > 0) rounds.push({ indexOn, perSecond });
      log(`${place.engine}: writes with the index ${indexOn ? 'on' : 'off'}${round === 0 ? ' (warm-up, not counted)' : ''}: ${perSecond.toFixed(0)} messages/s`);
      if (!indexOn && place.engine === 'sqlite') {
        for (const trigger of triggers) await raw(trigger.sql);
        if (progress) {
          await raw(`update search_progress set indexed_to = ${mark}`);
          await storage.search?.catchUp(); // what the off round wrote, before the next round's clock starts
        }
      }
    }
    await repository.drain();
    await storage.search?.close();
  } finally {
    await database.db.destroy();
  }
  return rounds;
}
