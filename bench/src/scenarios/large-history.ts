import { fork } from 'node:child_process';
import { closeSync, cpSync, fsyncSync, mkdtempSync, openSync, rmSync, statSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from '../clock';
import { httpLoad, type HttpLoadResult } from '../generator/http-load';
import { memory, otherLoadSince, waitForQuietMachine } from '../proc';
import type { LatencySummary } from '../stats/histogram';
import { backendStorage, indexSeeded, type BackendStorage } from '../backend-storage';
import { CHATSTREAM, createRooms, REPO, startServer, type ServerSpec } from '../servers';
import { historyPaths, WARMUP_MS } from './history';

export interface LargeHistoryOptions {
  messages: number;
  size: number;
  rate: number;
  durationMs: number;
  connections: number;
  /** Wait at most this long for other jobs on the machine to calm down before each server's reads. */
  quietWaitMs?: number;
}

export interface ServerReading {
  rssStartKB: number;
  /** The lowest RSS in the AFTER_READS_MS after the reads (see settledRss). */
  rssAfterReadsKB: number;
  reads: HttpLoadResult;
  /** CPU of everything but the server and the bench process during the reads, % of one core. */
  otherCpuPct?: number;
  /** The same reads' latency from a bare `node:http` server answering a constant (baselines/http-floor): the machine's floor. */
  bareFloor?: LatencySummary;
  /**
   * The same pages from the simplest program that answers them (baselines/http-page:
   * node:http and better-sqlite3 on the same file, the same queries, rows as JSON).
   */
  barePages?: HttpLoadResult;
}

export interface LargeHistoryResult {
  messages: number;
  /** History GETs per second during the reads. */
  rate: number;
  seedSeconds: number;
  databaseMB: number;
  empty: ServerReading;
  full: ServerReading;
}

const ROOM = 'bench history 1m';
/** Rows per INSERT statement (9 columns: well under SQLite's bound-parameter limit) and per transaction. */
const ROWS_PER_INSERT = 500;
const ROWS_PER_TRANSACTION = 50_000;

/**
 * History lives in the database, not in RAM: a server over `messages`
 * stored messages must stay within a few MB of one over an empty database,
 * and history pages must stay fast. The messages are written straight into
 * the SQLite file (the server's own write path would take far too long):
 * the backend's migrations build the schema of an empty DATA_DIR, the
 * server creates the room and stops, the rows go in through the backend's
 * own Kysely database with their per-room seq and the room's last_seq, then
 * the server starts again on it.
 */
export async function largeHistory(options: LargeHistoryOptions): Promise<LargeHistoryResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'chatstream-1m-'));
  const emptyDir = mkdtempSync(join(tmpdir(), 'chatstream-1m-empty-'));
  try {
    const storage = backendStorage();
    const roomId = await migratedRoom(storage, dataDir);
    cpSync(dataDir, emptyDir, { recursive: true });
    const started = Date.now();
    const deepBefore = await seedMessages(storage, dataDir, roomId, options.messages, options.size);
    const seedSeconds = (Date.now() - started) / 1000;
    const databaseMB = statSync(join(dataDir, 'chatstream.sqlite')).size / 1024 / 1024;
    const empty = await readings(emptyDir, [historyPaths(roomId, '')[0]], options);
    const full = await readings(dataDir, historyPaths(roomId, deepBefore), options);
    return { messages: options.messages, rate: options.rate, seedSeconds, databaseMB, empty, full };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(emptyDir, { recursive: true, force: true });
  }
}

/** An empty DATA_DIR migrated by the backend, with the one room the server made in it (no server runs afterwards). */
export async function migratedRoom(storage: BackendStorage, dataDir: string): Promise<string> {
  const migrating = storage.openSqlite(dataDir).db;
  await storage.migrate(migrating).finally(() => migrating.destroy());
  const first = await startServer(CHATSTREAM, { dataDir });
  try {
    const [roomId] = await createRooms(first.url, [ROOM]);
    return roomId;
  } finally {
    await first.stop();
  }
}

/** Writes `count` messages to the room (rev = seq, as migration 0005 numbers a room's existing messages); returns the id of the message with seq 1000 (a deep `before=`). */
export async function seedMessages(storage: BackendStorage, dataDir: string, roomId: string, count: number, size: number): Promise<string> {
  const opened = storage.openSqlite(dataDir);
  const db = opened.db;
  const filler = 'm'.repeat(size);
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  let deep = '';
  const row = (seq: number) => {
    const id = randomUUID();
    if (seq === Math.min(1000, count)) deep = id;
    const sender = `seed-${seq % 1000}`;
    return { id, room_id: roomId, recipient_id: null, seq, sender_id: sender, sender_name: sender, content: `${seq} ${filler}`.slice(0, size), created_at: new Date(t0 + seq * 10).toISOString(), client_id: null, rev: seq };
  };
  try {
    for (let from = 1; from <= count; from += ROWS_PER_TRANSACTION) {
      const to = Math.min(count, from + ROWS_PER_TRANSACTION - 1);
      await db.transaction().execute(async (trx) => {
        for (let first = from; first <= to; first += ROWS_PER_INSERT) {
          const rows = Array.from({ length: Math.min(ROWS_PER_INSERT, to - first + 1) }, (_, i) => row(first + i));
          await trx.insertInto('messages').values(rows).execute();
        }
      });
    }
    await db.updateTable('rooms').set({ last_seq: count, last_rev: count }).where('id', '=', roomId).execute();
    await indexSeeded(storage, opened);
  } finally {
    await db.destroy();
  }
  syncDatabase(dataDir);
  return deep;
}

/** Closing checkpointed the WAL into the file; put those pages on disk now, so their write-back is not still running during the reads. */
export function syncDatabase(dataDir: string): void {
  const fd = openSync(join(dataDir, 'chatstream.sqlite'), 'r');
  fsyncSync(fd);
  closeSync(fd);
}

/** How long RSS is watched after the reads (the memory reducer's compaction came 10–15 s after them in some traces, 34 s in another). */
export const AFTER_READS_MS = 45_000;

/**
 * RSS once the heap the reads grew has been given back. Right after a load
 * V8 keeps its grown heap (130 MB where 24 MB are live, in a trace of these
 * reads) until its memory reducer runs a compacting GC 10–35 s later (down
 * to 90–97 MB); a single sample shows where the GC cycle happens to be, not
 * what the server holds. Watched for AFTER_READS_MS, the lowest reading.
 */
async function settledRss(pid: number, watchMs: number): Promise<number> {
  let lowest = memory(pid).rssKB;
  for (let waited = 0; waited < watchMs; waited += 1000) {
    await sleep(1000);
    lowest = Math.min(lowest, memory(pid).rssKB);
  }
  return lowest;
}

export type ReadOptions = Pick<LargeHistoryOptions, 'rate' | 'durationMs' | 'connections' | 'quietWaitMs'> & {
  /** How long RSS is watched after the reads (AFTER_READS_MS unless told). */
  afterReadsMs?: number;
};

/** What differs between the servers read by `readings`. */
export interface ReadTarget {
  /** Looks at the answers first (a page that is not what the reads assume would measure an error path). */
  check?: (url: string) => Promise<void>;
  /** The server to read (ChatStream with AUTH=open unless told). */
  spec?: ServerSpec;
  /** Sent with every request (a bearer token in accounts mode; the baselines ignore it). */
  headers?: Record<string, string>;
  /** Who reads private history from the simplest program (it has no sessions). */
  readerId?: string;
}

/**
 * A server on `dataDir` read at `options.rate` over `pages` and
 * `/api/health`, then the same load on the bare baselines: a constant
 * answer (the floor) and the simplest program answering the same pages.
 */
export async function readings(dataDir: string, pages: Array<{ name: string; path: string; group?: string }>, options: ReadOptions, target: ReadTarget = {}): Promise<ServerReading> {
  const { check, headers } = target;
  const server = await startServer(target.spec ?? CHATSTREAM, { dataDir });
  try {
    await check?.(server.url);
    await sleep(2000);
    const rssStartKB = memory(server.pid).rssKB;
    // GET /api/health is the floor: the same server's cheapest route, no database.
    const paths = [...pages, { name: 'health', path: '/api/health' }];
    // As every other measurement: a p99 taken while someone else's build runs measures that build.
    if (options.quietWaitMs) await waitForQuietMachine([server.pid], options.quietWaitMs);
    const others = otherLoadSince([server.pid]);
    const reads = await httpLoad({ baseUrl: server.url, paths, rate: options.rate, durationMs: options.durationMs, warmupMs: WARMUP_MS, connections: options.connections, headers });
    const otherCpuPct = others();
    const reading: ServerReading = { rssStartKB, rssAfterReadsKB: await settledRss(server.pid, options.afterReadsMs ?? AFTER_READS_MS), reads, otherCpuPct };
    await server.stop();
    // After the server has stopped, so the baselines have the machine to themselves as the server had.
    const bareFloor = (await bareReads('http-floor.js', {}, [{ name: 'bare', path: '/' }], options)).perPath.bare;
    const barePages = await bareReads('http-page.js', { DATA_DIR: dataDir, READER_ID: target.readerId ?? '' }, pages, options, check);
    return { ...reading, bareFloor, barePages };
  } finally {
    await server.stop();
  }
}

/**
 * The read load of `options` over `paths` against one of the bare baselines
 * (`script` in baselines/, which tells its port over IPC), `check`ed first
 * as ChatStream's answers are.
 */
export async function bareReads(script: string, env: Record<string, string>, paths: Array<{ name: string; path: string; group?: string }>, options: ReadOptions, check?: (url: string) => Promise<void>): Promise<HttpLoadResult> {
  const child = fork(join(REPO, 'bench', 'dist', 'baselines', script), [], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (message) => resolve((message as { port: number }).port));
      child.once('exit', (code) => reject(new Error(`baselines/${script} exited with ${code}`)));
    });
    await check?.(`http://127.0.0.1:${port}`);
    const reads = await httpLoad({ baseUrl: `http://127.0.0.1:${port}`, paths, rate: options.rate, durationMs: options.durationMs, warmupMs: WARMUP_MS, connections: options.connections });
    if (reads.failed > 0) throw new Error(`baselines/${script} failed ${reads.failed} reads: ${reads.errors.join('; ')}`);
    return reads;
  } finally {
    child.kill('SIGTERM');
  }
}
