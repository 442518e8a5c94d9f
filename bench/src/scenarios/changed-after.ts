import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { loadBuild, timeCalls } from '../backend-build';
import type { LatencySummary } from '../stats/histogram';
import { backendStorage, type BackendStorage } from '../backend-storage';
import { migratedRoom, readings, seedMessages, syncDatabase, type ReadOptions, type ServerReading } from './large-history';

export interface ChangedAfterOptions extends ReadOptions {
  messages: number;
  /** Messages edited once each, spread evenly over the room, after all of them were stored. */
  edits: number;
  size: number;
}

export interface ChangedAfterResult {
  messages: number;
  edits: number;
  rate: number;
  seedSeconds: number;
  databaseMB: number;
  reading: ServerReading;
  /** The same pages as repository calls in one process (no HTTP), by page name. */
  direct: Record<string, LatencySummary>;
}

/** Messages per `changed_after` page, as a syncing client asks. */
const PAGE = 50;

/**
 * `GET /api/rooms/:id/messages?changed_after=<rev>` over a room of
 * `messages` messages of which `edits` were edited afterwards: the pages a
 * client gets when it comes back at the first edit, in the middle of them,
 * at the last page, and from rev 0 (a client with nothing). The database is
 * made as large-history makes it (the backend's migrations, the server's own
 * room, rows through the backend's Kysely); the edits are bulk SQL in the
 * same schema, as the server's change() leaves them.
 */
export async function changedAfter(options: ChangedAfterOptions): Promise<ChangedAfterResult> {
  if (options.edits > options.messages) throw new Error(`${options.edits} edits of ${options.messages} messages`);
  const dataDir = mkdtempSync(join(tmpdir(), 'chatstream-changed-'));
  try {
    const storage = backendStorage();
    const roomId = await migratedRoom(storage, dataDir);
    const started = Date.now();
    await seedMessages(storage, dataDir, roomId, options.messages, options.size);
    await seedEdits(storage, dataDir, roomId, options.messages, options.edits);
    const seedSeconds = (Date.now() - started) / 1000;
    const databaseMB = statSync(join(dataDir, 'chatstream.sqlite')).size / 1024 / 1024;
    const pages = changedAfterPaths(roomId, options.messages, options.edits);
    const reading = await readings(dataDir, pages, options, { check: (url) => checkPages(url, pages) });
    const direct = await directPages(dataDir, roomId, pages);
    return { messages: options.messages, edits: options.edits, rate: options.rate, seedSeconds, databaseMB, reading, direct };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The rev each page starts after, by page name. */
export function changedAfterPaths(roomId: string, messages: number, edits: number): Array<{ name: string; path: string; after: number; group: 'pages' }> {
  const base = `/api/rooms/${encodeURIComponent(roomId)}/messages?limit=${PAGE}&changed_after=`;
  const page = (name: string, after: number) => ({ name, path: `${base}${after}`, after, group: 'pages' as const });
  return [page('first-edits', messages), page('mid-edits', messages + Math.floor(edits / 2)), page('last-edits', messages + Math.max(0, edits - PAGE)), page('from-zero', 0)];
}

/**
 * Edit k (1-based) is of the message with seq k × step and takes rev
 * messages + k: the room's changes after its messages, in one transaction,
 * with the previous text kept in message_edits under the edit's rev.
 */
export async function seedEdits(storage: BackendStorage, dataDir: string, roomId: string, messages: number, edits: number): Promise<void> {
  if (edits === 0) return;
  const step = Math.floor(messages / edits);
  const at = '2026-02-01T00:00:00.000Z';
  const edited = sql`room_id = ${roomId} and seq % ${step} = 0 and seq <= ${step * edits}`;
  const rev = sql`${messages} + seq / ${step}`;
  const { db } = storage.openSqlite(dataDir);
  try {
    await db.transaction().execute(async (trx) => {
      await sql`insert into message_edits (message_id, rev, previous_content, replaced_at) select id, ${rev}, content, ${at} from messages where ${edited}`.execute(trx);
      await sql`update messages set content = 'edited ' || content, edited_at = ${at}, rev = ${rev} where ${edited}`.execute(trx);
      await trx.updateTable('rooms').set({ last_rev: messages + edits }).where('id', '=', roomId).execute();
    });
  } finally {
    await db.destroy();
  }
  syncDatabase(dataDir);
}

/** Calls of the backend's own changedAfter per page (the query and building its records), no server running. */
async function directPages(dataDir: string, roomId: string, pages: ReturnType<typeof changedAfterPaths>): Promise<Record<string, LatencySummary>> {
  const build = loadBuild();
  const storage = build.storage(build.openSqlite(dataDir));
  try {
    const repository = build.messages(storage, build.config());
    const out: Record<string, LatencySummary> = {};
    for (const { name, after } of pages) out[name] = await timeCalls(() => repository.changedAfter({ room: roomId }, after, PAGE), DIRECT_CALLS);
    return out;
  } finally {
    await storage.onApplicationShutdown();
  }
}

const DIRECT_CALLS = 1000;

/** Every page is full, in rev order, after its rev; the edit pages hold edited messages only. */
async function checkPages(url: string, pages: ReturnType<typeof changedAfterPaths>): Promise<void> {
  for (const { name, path, after } of pages) {
    const response = await fetch(url + path);
    if (response.status !== 200) throw new Error(`${name}: ${path} answered ${response.status} ${await response.text()}`);
    const { messages } = (await response.json()) as { messages: Array<{ rev: number; edited_at: string | null }> };
    const revs = messages.map((m) => m.rev);
    const ordered = revs.every((rev, i) => rev > (i === 0 ? after : revs[i - 1]));
    const edited = after === 0 || messages.every((m) => m.edited_at !== null);
    if (messages.length !== PAGE || !ordered || !edited) throw new Error(`${name}: ${messages.length} messages, revs ${revs.slice(0, 3).join(',')}…, not the page the reads assume`);
  }
}
