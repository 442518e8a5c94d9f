/**
 * What accounts mode costs, in quick runs:
 *   npm run bench:accounts
 * - sign-in: p50/p99 and sign-ins/s with Argon2id (19 MiB, t=2, p=1), on one
 *   thread-pool thread (UV_THREADPOOL_SIZE=1: one core) and on libuv's default 4;
 * - connect storm: connects/s with session cookies (every session validated
 *   once from storage, a cold cache) against AUTH=open;
 * - room delivery p99 at a steady fan-out load, with and without 20 sign-ins/s.
 * Prints a markdown table; figures from a busy machine are noisy.
 */
import BetterSqlite3 from 'better-sqlite3';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { sleep } from './clock';
import { loadBuild, timeCalls } from './backend-build';
import { httpLoad, type HttpLoadResult } from './generator/http-load';
import { otherLoadSince, waitForQuietMachine } from './proc';
import type { LatencySummary } from './stats/histogram';
import { REPO, startServer, type RunningServer, type ServerSpec } from './servers';

const PASSWORD = 'bench password 1';
const ACCOUNTS: ServerSpec = { id: 'chatstream-accounts', label: 'ChatStream (SQLite, AUTH=accounts)', kind: 'chatstream', storage: 'sqlite', env: { AUTH: 'accounts', RATE_REGISTRATIONS_PER_HOUR: '0' } };
const OPEN: ServerSpec = { id: 'chatstream-open', label: 'ChatStream (SQLite, AUTH=open)', kind: 'chatstream', storage: 'sqlite' };

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
const ms = (value: number) => value.toFixed(value < 10 ? 2 : 1);

async function post(url: string, path: string, body: unknown): Promise<Response> {
  return fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

// ---- sign-in ------------------------------------------------------------------

interface LoginResult {
  label: string;
  count: number;
  seconds: number;
  p50: number;
  p99: number;
}

async function signIns(label: string, env: Record<string, string>, count: number, concurrency: number): Promise<LoginResult> {
  const server = await startServer({ ...ACCOUNTS, id: `${ACCOUNTS.id}-${label}`, env: { ...ACCOUNTS.env, ...env } });
  try {
    const names = Array.from({ length: concurrency }, (_, i) => `bench_${i}`);
    for (const name of names) await post(server.url, '/api/auth/register', { username: name, password: PASSWORD });
    const latencies: number[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      names.map(async (name) => {
        while (next++ < count) {
          const t = performance.now();
          const response = await post(server.url, '/api/auth/login', { username: name, password: PASSWORD });
          if (response.status !== 200) throw new Error(`login: ${response.status}`);
          await response.arrayBuffer();
          latencies.push(performance.now() - t);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    return { label, count: latencies.length, seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
  } finally {
    await server.stop();
  }
}

// ---- sessions written straight into the database (a storm needs thousands; signing in each costs 50 ms) ----

function seedSessions(dataDir: string, count: number): string[] {
  const db = new BetterSqlite3(join(dataDir, 'chatstream.sqlite'));
  const now = new Date().toISOString();
  const tokens: string[] = [];
  const user = db.prepare('insert into users (id, username, created_at, password_hash) values (?, ?, ?, null)');
  const session = db.prepare('insert into sessions (id, token_hash, user_id, created_at, last_used_at, user_agent) values (?, ?, ?, ?, ?, null)');
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const id = randomUUID();
      const token = randomBytes(32).toString('base64url');
      user.run(id, `storm_${i}`, now);
      session.run(randomUUID(), createHash('sha256').update(token).digest('hex'), id, now, now);
      tokens.push(token);
    }
  })();
  db.close();
  return tokens;
}

/** An accounts server whose database already holds `count` users with a session each; answers their tokens. */
async function accountsWithSessions(count: number): Promise<{ server: RunningServer; tokens: string[]; dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'chatstream-bench-accounts-'));
  // The first start migrates the schema; the sessions go in while no server runs.
  await (await startServer(ACCOUNTS, { dataDir })).stop();
  const tokens = seedSessions(dataDir, count);
  return { server: await startServer(ACCOUNTS, { dataDir }), tokens, dataDir };
}

// ---- connect storm ----------------------------------------------------------------

function open(url: string, headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, perMessageDeflate: false });
    ws.once('message', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

async function storm(server: RunningServer, count: number, concurrency: number, handshake: (i: number) => { query: string; headers: Record<string, string> }): Promise<number> {
  const sockets: WebSocket[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < count; i = next++) {
        const { query, headers } = handshake(i);
        sockets.push(await open(`ws://127.0.0.1:${server.port}/api/ws?${query}`, headers));
      }
    }),
  );
  const rate = count / ((performance.now() - started) / 1000);
  for (const socket of sockets) socket.terminate();
  return rate;
}

// ---- delivery under sign-ins ----------------------------------------------------------

interface DeliveryResult {
  logins: number;
  delivered: number;
  p50: number;
  p99: number;
}

/** `members` sessions in `rooms` rooms; one message per room every `1000 / ratePerRoom` ms for `seconds`. */
async function delivery(server: RunningServer, tokens: string[], options: { rooms: number; ratePerRoom: number; seconds: number; loginsPerSecond: number }): Promise<DeliveryResult> {
  const origin = server.url;
  const sockets = await Promise.all(tokens.map((token) => open(`ws://127.0.0.1:${server.port}/api/ws?protocol=2`, { cookie: `chatstream_session=${token}`, origin })));
  const roomIds = ['general'];
  for (let r = 1; r < options.rooms; r++) {
    const response = await fetch(`${server.url}/api/rooms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[0]}` },
      body: JSON.stringify({ name: `bench room ${r} ${randomUUID().slice(0, 6)}` }),
    });
    roomIds.push(((await response.json()) as { room: { id: string } }).room.id);
  }
  const latencies: number[] = [];
  sockets.forEach((socket, i) => {
    socket.send(JSON.stringify({ type: 'join_room', content: roomIds[i % roomIds.length] }));
    socket.on('message', (data: Buffer) => {
      const text = data.toString();
      const at = text.indexOf('"content":"t=');
      if (at >= 0) latencies.push(performance.now() - Number(text.slice(at + 13, text.indexOf('"', at + 13))));
    });
  });
  await sleep(500);
  await post(server.url, '/api/auth/register', { username: 'bench_login', password: PASSWORD });
  let loginsDone = 0;
  let stop = false;
  const logins = (async () => {
    if (options.loginsPerSecond === 0) return;
    const every = 1000 / options.loginsPerSecond;
    const pending: Array<Promise<void>> = [];
    for (let t = performance.now(); !stop; t += every) {
      pending.push(post(server.url, '/api/auth/login', { username: 'bench_login', password: PASSWORD }).then((r) => void r.arrayBuffer().then(() => loginsDone++)));
      await sleep(Math.max(0, t + every - performance.now()));
    }
    await Promise.all(pending);
  })();
  const every = 1000 / options.ratePerRoom;
  const end = performance.now() + options.seconds * 1000;
  const warmupUntil = performance.now() + 1000;
  for (let t = performance.now(); t < end; t += every) {
    roomIds.forEach((_, r) => sockets[r].send(JSON.stringify({ type: 'text', room: roomIds[r], content: `t=${performance.now()}` })));
    if (t < warmupUntil) latencies.length = 0;
    await sleep(Math.max(0, t + every - performance.now()));
  }
  await sleep(1000);
  stop = true;
  await logins;
  for (const socket of sockets) socket.terminate();
  latencies.sort((a, b) => a - b);
  return { logins: loginsDone, delivered: latencies.length, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

// ---- private history ------------------------------------------------------------------

const WARMUP_ROUNDS = 50;

/** The backend's own key of a private conversation (its build): seeded rows must land where the server reads. */
const { conversationKey } = require(join(REPO, 'backend', 'dist', 'messages', 'messages.repository.js')) as { conversationKey(a: string, b: string): string };

/**
 * `total` private messages: half in one conversation (ann and bob), the rest
 * spread over 1,000 pairs; then pages of ann-bob read newest and deep, and
 * ann's conversation list. Rows go straight into the database, numbered as
 * the server numbers them (seq and rev per conversation, its counters in
 * `conversations`).
 */
async function privateHistory(total: number, reads: number): Promise<{ newest: number[]; deep: number[]; list: number[]; floor: number[]; otherCpuPct: number; direct?: Record<'newest' | 'deep', LatencySummary>; openLoop?: HttpLoadResult }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'chatstream-bench-history-'));
  await (await startServer(ACCOUNTS, { dataDir })).stop();
  const [token] = seedSessions(dataDir, 1);
  const db = new BetterSqlite3(join(dataDir, 'chatstream.sqlite'));
  const ann = (db.prepare('select user_id from sessions').get() as { user_id: string }).user_id;
  db.prepare("insert into users (id, username, created_at) values ('bob', 'bob', ?)").run(new Date().toISOString());
  const insert = db.prepare(
    'insert into messages (id, room_id, recipient_id, seq, rev, conversation_id, sender_id, sender_name, content, created_at) values (?, null, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const counter = db.prepare('insert into conversations (id, last_seq, last_rev) values (?, ?, ?)');
  const counters = new Map<string, number>();
  const store = (id: string, from: string, to: string, content: string, at: string): void => {
    const key = conversationKey(from, to);
    const seq = (counters.get(key) ?? 0) + 1;
    counters.set(key, seq);
    insert.run(id, to, seq, seq, key, from, from, content, at);
  };
  const base = Date.parse('2026-01-01T00:00:00.000Z');
  const ids: string[] = [];
  db.transaction(() => {
    for (let i = 0; i < total; i++) {
      const id = randomUUID();
      const at = new Date(base + i * 10).toISOString();
      if (i % 2 === 0) {
        const [from, to] = i % 4 === 0 ? [ann, 'bob'] : ['bob', ann];
        store(id, from, to, `message ${i} of a long conversation`, at);
        ids.push(id);
      } else {
        store(id, `user-${(i + 1) % 1000}`, `user-${i % 1000}`, `other message ${i}`, at);
      }
    }
    for (const [key, last] of counters) counter.run(key, last, last);
  })();
  db.close();
  const server = await startServer(ACCOUNTS, { dataDir });
  const get = async (path: string): Promise<number> => {
    const t = performance.now();
    const response = await fetch(server.url + path, { headers: { authorization: `Bearer ${token}` } });
    if (response.status !== 200) throw new Error(`${path}: ${response.status}`);
    const text = await response.text();
    const took = performance.now() - t;
    const body = JSON.parse(text) as { messages?: unknown[] };
    if (body.messages !== undefined && body.messages.length !== 50 && !path.includes('before=')) throw new Error(`${path}: ${body.messages.length} messages, not a full page`);
    return took;
  };
  const newest: number[] = [];
  const deep: number[] = [];
  const list: number[] = [];
  const floor: number[] = [];
  let otherCpuPct = NaN;
  let direct: Record<'newest' | 'deep', LatencySummary> | undefined;
  let openLoop: HttpLoadResult | undefined;
  try {
    // As the suite's reads do: a p99 taken while someone else's build runs measures that build.
    await waitForQuietMachine([server.pid], 60_000);
    const others = otherLoadSince([server.pid]);
    // Untimed first rounds: a fresh server compiles these routes on its first requests.
    for (let i = -WARMUP_ROUNDS; i < reads; i++) {
      const timed = i >= 0;
      const t = await get('/api/conversations/bob/messages?limit=50');
      const d = await get(`/api/conversations/bob/messages?limit=50&before=${ids[Math.floor(Math.random() * ids.length)]}`);
      const f = await get('/api/auth/me');
      if (timed) {
        newest.push(t);
        deep.push(d);
        floor.push(f);
      }
      if (i % 10 === 0) {
        const l = await get('/api/conversations');
        if (timed) list.push(l);
      }
    }
    // Room history's harness as well (large-history): open loop at 100/s over 16 keep-alive connections.
    const page = '/api/conversations/bob/messages?limit=50';
    openLoop = await httpLoad({
      baseUrl: server.url,
      headers: { authorization: `Bearer ${token}` },
      paths: [
        { name: 'newest', path: page },
        { name: 'deep', path: `${page}&before=${ids[Math.min(ids.length - 1, 1000)]}` },
        { name: 'list', path: '/api/conversations' },
        { name: 'floor', path: '/api/auth/me' },
      ],
      rate: 100,
      durationMs: 10_000,
      warmupMs: 1000,
      connections: 16,
    });
    otherCpuPct = others();
    await server.stop();
    direct = await directPages(dataDir, ann, ids);
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  for (const sample of [newest, deep, list, floor]) sample.sort((a, b) => a - b);
  return { newest, deep, list, floor, otherCpuPct, direct, openLoop };
}

/** The backend's own ConversationsRepository.page on the same database, no server running: the query alone. */
async function directPages(dataDir: string, reader: string, ids: string[]): Promise<Record<'newest' | 'deep', LatencySummary>> {
  const build = loadBuild();
  const storage = build.storage(build.openSqlite(dataDir));
  try {
    const conversations = build.conversations(storage);
    return {
      newest: await timeCalls(() => conversations.page(reader, 'bob', 50), 1000),
      deep: await timeCalls(() => conversations.page(reader, 'bob', 50, ids[Math.floor(Math.random() * ids.length)]), 1000),
    };
  } finally {
    await storage.onApplicationShutdown();
  }
}

async function main(): Promise<void> {
  const lines: string[] = [];
  const say = (line: string) => {
    lines.push(line);
    console.log(line);
  };
  say('| measure | result |');
  say('|---|---|');
  // --only=history: just the private-history reads.
  const historyOnly = process.argv.includes('--only=history');
  if (!historyOnly) await accessCosts(say);
  const stored = Number(process.env.PRIVATE_MESSAGES ?? 200_000);
  const history = await privateHistory(stored, 1000);
  const line = (sample: number[]) => `p50 ${ms(percentile(sample, 50))} / p99 ${ms(percentile(sample, 99))} ms`;
  say(
    `| private history over HTTP, ${stored.toLocaleString('en')} stored private messages (half in the conversation read) | newest page of 50 ${line(history.newest)}; ` +
      `page before a random message ${line(history.deep)}; conversation list (the reader has one conversation of ${(stored / 2).toLocaleString('en')} messages) ${line(history.list)}; \`GET /api/auth/me\` (the floor: same token check, no query) ${line(history.floor)}; other jobs ${history.otherCpuPct.toFixed(0)} % of a core meanwhile |`,
  );
  const o = history.openLoop;
  if (o) {
    const at = (name: string) => `p50 ${ms(o.perPath[name]?.p50 ?? NaN)} / p99 ${ms(o.perPath[name]?.p99 ?? NaN)} ms`;
    say(
      `| the same, open loop at 100/s over 16 connections (room history's harness; deep = before the 1,000th message) | newest ${at('newest')}; deep ${at('deep')}; ` +
        `conversation list ${at('list')}; \`/api/auth/me\` ${at('floor')}; ${o.failed} failed |`,
    );
  }
  const d = history.direct;
  if (d) say(`| the same pages as ConversationsRepository.page calls, no HTTP (1,000 each) | newest p50 ${ms(d.newest.p50)} / p99 ${ms(d.newest.p99)} ms; before a random message p50 ${ms(d.deep.p50)} / p99 ${ms(d.deep.p99)} ms |`);
}

/** Sign-in, connect storm, delivery during sign-ins. */
async function accessCosts(say: (line: string) => void): Promise<void> {
  for (const [label, env] of [
    ['one core (UV_THREADPOOL_SIZE=1)', { UV_THREADPOOL_SIZE: '1' }],
    ['thread pool of 4 (default)', {}],
  ] as const) {
    const r = await signIns(label, env, 100, 8);
    say(`| sign-in, ${label} | p50 ${ms(r.p50)} ms, p99 ${ms(r.p99)} ms, ${(r.count / r.seconds).toFixed(1)} sign-ins/s (${r.count} in ${r.seconds.toFixed(1)} s, 8 at a time) |`);
  }

  const STORM = 2000;
  const openServer = await startServer(OPEN);
  const openRate = await storm(openServer, STORM, 64, (i) => ({ query: `user_id=storm-${i}&username=storm-${i}&protocol=2`, headers: {} }));
  await openServer.stop();
  const { server: accounts, tokens, dataDir } = await accountsWithSessions(STORM);
  const cookieRate = await storm(accounts, STORM, 64, (i) => ({ query: 'protocol=2', headers: { cookie: `chatstream_session=${tokens[i]}`, origin: accounts.url } }));
  say(`| connect storm, ${STORM} connections, 64 at a time | AUTH=open ${openRate.toFixed(0)}/s; session cookies (each validated from storage once) ${cookieRate.toFixed(0)}/s = ${(cookieRate / openRate).toFixed(2)}x |`);

  const members = tokens.slice(0, 400);
  const load = { rooms: 10, ratePerRoom: 10, seconds: 5 };
  const quiet = await delivery(accounts, members, { ...load, loginsPerSecond: 0 });
  const busy = await delivery(accounts, members, { ...load, loginsPerSecond: 20 });
  say(
    `| room delivery, 400 members in 10 rooms, 100 messages/s (4,000 deliveries/s) | without sign-ins p50 ${ms(quiet.p50)} / p99 ${ms(quiet.p99)} ms; ` +
      `with 20 sign-ins/s (${busy.logins} done) p50 ${ms(busy.p50)} / p99 ${ms(busy.p99)} ms = ${(busy.p99 / quiet.p99).toFixed(2)}x p99 |`,
  );
  await accounts.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
