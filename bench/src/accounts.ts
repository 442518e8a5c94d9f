/**
 * What accounts mode costs (issue 11), every comparison interleaved:
 *   npm run bench:accounts -- [--only=sign-in,storm,delivery,history] [--rounds=3] [--against=[NAME=]DIR,…]
 * - sign-in: p50/p99 and sign-ins/s, the server pinned to one CPU and on all;
 * - connect storm: connects/s with session cookies (each session validated
 *   once from storage, a cold cache) against AUTH=open;
 * - room delivery p99 at a steady fan-out load, with and without 20 sign-ins/s;
 * - private history pages over a database of seeded private messages.
 * With --against, sign-in and delivery also run on those builds, in the same
 * rounds, the order alternating. Medians over the rounds go between the
 * accounts markers of docs/benchmarks.md (see its method text).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import WebSocket from 'ws';
import { ACCOUNTS_USAGE, parseAccountsArguments, type AccountsArgs } from './args';
import { backendStorage, withMigratedSqlite, type BackendStorage } from './backend-storage';
import { nowMs, sleep } from './clock';
import { generated, interleaved } from './light-load';
import { machine, otherLoadSince, waitForQuietMachine } from './proc';
import { readings, syncDatabase, type ServerReading } from './scenarios/large-history';
import { writeBetweenMarkers } from './report/doc-file';
import { snapshotBuilds } from './snapshot';
import { createRooms, killServers, startServer, type RunningServer, type ServerSpec, type StartOptions } from './servers';
import { median } from './suite';
import { Histogram, type LatencySummary } from './stats/histogram';

const PASSWORD = 'bench password 1';
const ACCOUNTS: ServerSpec = { id: 'chatstream-accounts', label: 'ChatStream (SQLite, AUTH=accounts)', kind: 'chatstream', storage: 'sqlite', env: { AUTH: 'accounts', RATE_REGISTRATIONS_PER_HOUR: '0' } };
const OPEN: ServerSpec = { id: 'chatstream-open', label: 'ChatStream (SQLite, AUTH=open)', kind: 'chatstream', storage: 'sqlite' };
const SIGN_INS = { count: 100, concurrency: 8 };
const STORM = { connections: 2000, concurrency: 64 };
/** The fan-out of the delivery comparison: members in rooms, one message per room every 1000 / ratePerRoom ms. */
const DELIVERY = { members: 400, rooms: 10, ratePerRoom: 10, seconds: 5, loginsPerSecond: 20 };
/** Before each delivery run, wait at most this long for other jobs on the machine to use less than a third of a core. */
const QUIET_WAIT_MS = 20_000;

/** A backend build under test: this worktree's, or the one given with --against. */
interface Build {
  label: string;
  start: Pick<StartOptions, 'chatstreamMain'>;
}

const ms = (value: number): string => value.toFixed(value < 10 ? 2 : 1);
const p50p99 = (s: LatencySummary): string => `p50 ${ms(s.p50)} / p99 ${ms(s.p99)} ms`;

function post(url: string, path: string, body: unknown): Promise<Response> {
  return fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

// ---- sign-in ------------------------------------------------------------------

interface SignInRound {
  latency: LatencySummary;
  perSecond: number;
}

/** SIGN_INS.count sign-ins, SIGN_INS.concurrency at a time, each as its own user. */
async function signIns(build: Build, cpus: string | undefined): Promise<SignInRound> {
  const server = await startServer(ACCOUNTS, { ...build.start, cpus });
  try {
    const names = Array.from({ length: SIGN_INS.concurrency }, (_, i) => `bench_${i}`);
    for (const name of names) await post(server.url, '/api/auth/register', { username: name, password: PASSWORD });
    const latency = new Histogram();
    let next = 0;
    const started = nowMs();
    await Promise.all(
      names.map(async (name) => {
        while (next++ < SIGN_INS.count) {
          const t = nowMs();
          const response = await post(server.url, '/api/auth/login', { username: name, password: PASSWORD });
          if (response.status !== 200) throw new Error(`login: ${response.status}`);
          await response.arrayBuffer();
          latency.recordMs(nowMs() - t);
        }
      }),
    );
    return { latency: latency.summary(), perSecond: (latency.count * 1000) / (nowMs() - started) };
  } finally {
    await server.stop();
  }
}

// ---- sessions written straight into the database (a storm needs thousands; signing in each would cost a hash each) ----

/** `count` users with a session each in DATA_DIR's database (migrated by the backend); their tokens. */
async function seedSessions(storage: BackendStorage, dataDir: string, count: number): Promise<string[]> {
  const now = new Date().toISOString();
  const tokens: string[] = [];
  const users: object[] = [];
  const sessions: object[] = [];
  for (let i = 0; i < count; i++) {
    const id = randomUUID();
    const token = randomBytes(32).toString('base64url');
    users.push({ id, username: `storm_${i}`, created_at: now, password_hash: null });
    sessions.push({ id: randomUUID(), token_hash: storage.hashToken(token), user_id: id, created_at: now, last_used_at: now, user_agent: null });
    tokens.push(token);
  }
  await withMigratedSqlite(storage, dataDir, (db) =>
    db.transaction().execute(async (trx) => {
      for (const [table, rows] of [['users', users], ['sessions', sessions]] as const) {
        for (let i = 0; i < rows.length; i += 500) await trx.insertInto(table).values(rows.slice(i, i + 500)).execute();
      }
    }),
  );
  return tokens;
}

/** An accounts server whose database already holds `count` users with a session each. */
async function accountsWithSessions(storage: BackendStorage, count: number, build: Build): Promise<{ server: RunningServer; tokens: string[] }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'chatstream-bench-accounts-'));
  const tokens = await seedSessions(storage, dataDir, count);
  const server = await startServer(ACCOUNTS, { ...build.start, dataDir });
  const stop = server.stop.bind(server);
  server.stop = () => stop().finally(() => rmSync(dataDir, { recursive: true, force: true }));
  return { server, tokens };
}

// ---- connect storm ----------------------------------------------------------------

/** A level-2 socket, resolved at its first frame (the welcome). */
function open(url: string, headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolveSocket, reject) => {
    const ws = new WebSocket(url, { headers, perMessageDeflate: false });
    ws.once('message', () => resolveSocket(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

async function storm(server: RunningServer, handshake: (i: number) => { query: string; headers: Record<string, string> }): Promise<number> {
  const sockets: WebSocket[] = [];
  let next = 0;
  const started = nowMs();
  await Promise.all(
    Array.from({ length: STORM.concurrency }, async () => {
      for (let i = next++; i < STORM.connections; i = next++) {
        const { query, headers } = handshake(i);
        sockets.push(await open(`ws://127.0.0.1:${server.port}/api/ws?${query}`, headers));
      }
    }),
  );
  const rate = (STORM.connections * 1000) / (nowMs() - started);
  for (const socket of sockets) socket.terminate();
  return rate;
}

async function storms(storage: BackendStorage, build: Build): Promise<{ open: number; cookies: number }> {
  const openServer = await startServer(OPEN, build.start);
  const openRate = await storm(openServer, (i) => ({ query: `user_id=storm-${i}&username=storm-${i}&protocol=2`, headers: {} })).finally(() => openServer.stop());
  const { server, tokens } = await accountsWithSessions(storage, STORM.connections, build);
  const cookieRate = await storm(server, (i) => ({ query: 'protocol=2', headers: { cookie: `chatstream_session=${tokens[i]}`, origin: server.url } })).finally(() => server.stop());
  return { open: openRate, cookies: cookieRate };
}

// ---- delivery under sign-ins ----------------------------------------------------------

interface DeliveryRun {
  latency: LatencySummary;
  /** Sign-ins answered 200 per second of the run (0 without sign-ins). */
  signInsPerSecond: number;
  /** CPU % of one core that other processes used meanwhile. */
  otherPct: number;
}

/** DELIVERY's fan-out on `server` for DELIVERY.seconds after a second of warm-up, with `loginsPerSecond` sign-ins alongside. */
async function delivery(server: RunningServer, tokens: string[], loginsPerSecond: number): Promise<DeliveryRun> {
  const origin = server.url;
  const sockets = await Promise.all(tokens.map((token) => open(`ws://127.0.0.1:${server.port}/api/ws?protocol=2`, { cookie: `chatstream_session=${token}`, origin })));
  const names = Array.from({ length: DELIVERY.rooms - 1 }, (_, r) => `bench room ${r + 1} ${randomUUID().slice(0, 6)}`);
  const roomIds = ['general', ...(await createRooms(server.url, names, { authorization: `Bearer ${tokens[0]}` }))];
  const latency = new Histogram();
  let measuring = false;
  sockets.forEach((socket, i) => {
    socket.send(JSON.stringify({ type: 'join_room', content: roomIds[i % roomIds.length] }));
    socket.on('message', (data: Buffer) => {
      const text = data.toString();
      const at = text.indexOf('"content":"t=');
      if (measuring && at >= 0) latency.recordMs(nowMs() - Number(text.slice(at + 13, text.indexOf('"', at + 13))));
    });
  });
  await sleep(500);
  await post(server.url, '/api/auth/register', { username: 'bench_login', password: PASSWORD });
  let signedIn = 0;
  let stop = false;
  const logins = (async () => {
    if (loginsPerSecond === 0) return;
    const every = 1000 / loginsPerSecond;
    const pending: Array<Promise<void>> = [];
    for (let t = nowMs(); !stop; t += every) {
      pending.push(
        post(server.url, '/api/auth/login', { username: 'bench_login', password: PASSWORD }).then(
          async (response) => {
            await response.arrayBuffer();
            if (response.status === 200) signedIn++;
          },
          () => undefined,
        ),
      );
      await sleep(Math.max(0, t + every - nowMs()));
    }
    await Promise.all(pending);
  })();
  const every = 1000 / DELIVERY.ratePerRoom;
  const warmupUntil = nowMs() + 1000;
  const end = warmupUntil + DELIVERY.seconds * 1000;
  let other = otherLoadSince([server.pid]);
  let signedInAtStart = 0;
  for (let t = nowMs(); t < end; t += every) {
    if (!measuring && t >= warmupUntil) {
      measuring = true;
      other = otherLoadSince([server.pid]);
      signedInAtStart = signedIn;
    }
    roomIds.forEach((room, r) => sockets[r].send(JSON.stringify({ type: 'text', room, content: `t=${nowMs()}` })));
    await sleep(Math.max(0, t + every - nowMs()));
  }
  const signInsPerSecond = (signedIn - signedInAtStart) / DELIVERY.seconds;
  const otherPct = other();
  await sleep(1000);
  measuring = false;
  stop = true;
  await logins;
  for (const socket of sockets) socket.terminate();
  return { latency: latency.summary(), signInsPerSecond, otherPct };
}

interface DeliveryRound {
  quiet: DeliveryRun;
  busy: DeliveryRun;
}

/** One server of `build`: the run without sign-ins and the one with them, which first alternating by round. */
async function deliveryRound(storage: BackendStorage, build: Build, round: number): Promise<DeliveryRound> {
  const { server, tokens } = await accountsWithSessions(storage, DELIVERY.members, build);
  // As in the main suite: a p99 taken while someone else's build runs measures that build.
  const run = async (loginsPerSecond: number) => {
    await waitForQuietMachine([server.pid], QUIET_WAIT_MS);
    return delivery(server, tokens, loginsPerSecond);
  };
  try {
    if (round % 2 === 0) {
      const quiet = await run(0);
      return { quiet, busy: await run(DELIVERY.loginsPerSecond) };
    }
    const busy = await run(DELIVERY.loginsPerSecond);
    return { quiet: await run(0), busy };
  } finally {
    await server.stop();
  }
}

// ---- private history ------------------------------------------------------------------

/**
 * `total` private messages: half in one conversation (the reader and bob),
 * the rest spread over 1,000 other pairs, each numbered in its conversation
 * as the server numbers them. Then the reads of room history's 1M
 * measurement (large-history's `readings`: open loop at HISTORY_READS.rate
 * over keep-alive connections, a bearer token): the newest page and pages
 * before four messages spread over the conversation, timed together as
 * "every page", with `/api/health`; then the same load on a bare `node:http`
 * server answering a constant and on the simplest program answering the
 * same pages (baselines/http-page.ts). Each page is checked first.
 */
async function privateHistory(storage: BackendStorage, total: number): Promise<ServerReading> {
  const dataDir = mkdtempSync(join(tmpdir(), 'chatstream-bench-history-'));
  const [token] = await seedSessions(storage, dataDir, 1);
  const ids: string[] = [];
  let readerId = '';
  await withMigratedSqlite(storage, dataDir, async (db) => {
    const { user_id: reader } = await db.selectFrom('sessions').select('user_id').executeTakeFirstOrThrow();
    readerId = reader;
    await db.insertInto('users').values({ id: 'bob', username: 'bob', created_at: new Date().toISOString(), password_hash: null }).execute();
    const base = Date.parse('2026-01-01T00:00:00.000Z');
    const seqs = new Map<string, number>();
    const row = (i: number) => {
      const id = randomUUID();
      const [from, to, content] =
        i % 2 === 1 ? [`user-${(i + 1) % 1000}`, `user-${i % 1000}`, `other message ${i}`] : i % 4 === 0 ? [reader, 'bob', `message ${i} of a long conversation`] : ['bob', reader, `message ${i} of a long conversation`];
      if (i % 2 === 0) ids.push(id);
      const conversation = storage.conversationKey(from, to);
      const seq = (seqs.get(conversation) ?? 0) + 1;
      seqs.set(conversation, seq);
      return { id, room_id: null, recipient_id: to, seq, conversation_id: conversation, sender_id: from, sender_name: from, content, created_at: new Date(base + i * 10).toISOString(), client_id: null, edited_at: null, reply_to: null, rev: seq };
    };
    for (let from = 0; from < total; from += 50_000) {
      await db.transaction().execute(async (trx) => {
        for (let first = from; first < Math.min(total, from + 50_000); first += 500) {
          await trx.insertInto('messages').values(Array.from({ length: Math.min(500, total - first) }, (_, k) => row(first + k))).execute();
        }
      });
    }
    for (const [id, last] of seqs) await db.insertInto('conversations').values({ id, last_seq: last, last_rev: last }).execute();
  });
  // As the room history scenarios do: the seed's write-back must not run during the first server's reads (ChatStream's).
  syncDatabase(dataDir);
  const anchors = [0.2, 0.4, 0.6, 0.8].map((f) => ids[Math.floor(50 + f * (ids.length - 51))]);
  const base = '/api/conversations/bob/messages?limit=50';
  const pages = [
    { name: 'newest', path: base, group: 'pages' },
    ...anchors.map((id, i) => ({ name: `before-${i + 1}`, path: `${base}&before=${encodeURIComponent(id)}`, group: 'pages' })),
  ];
  const headers = { authorization: `Bearer ${token}` };
  /** A page that comes back short means the seeding missed the schema, not a fast read. */
  const check = async (url: string): Promise<void> => {
    for (const { path } of pages) {
      const response = await fetch(url + path, { headers });
      if (response.status !== 200) throw new Error(`${path}: ${response.status}`);
      const { messages } = (await response.json()) as { messages: unknown[] };
      if (messages.length !== 50) throw new Error(`${path}: ${messages.length} messages, expected 50`);
    }
  };
  try {
    return await readings(dataDir, pages, HISTORY_READS, { spec: ACCOUNTS, headers, check, readerId });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Room history's 1M reads (suite.ts: 100/s for 10 s over 16 connections), waiting for a quiet machine first. */
const HISTORY_READS = { rate: 100, durationMs: 10_000, connections: 16, quietWaitMs: QUIET_WAIT_MS };

// ---- the table ----------------------------------------------------------------------------

const range = (values: number[], format: (v: number) => string): string => (values.length > 1 ? ` (${format(Math.min(...values))}–${format(Math.max(...values))})` : '');

async function run(args: AccountsArgs): Promise<string[]> {
  const storage = backendStorage();
  const builds: Build[] = [{ label: 'this build', start: {} }];
  for (const { label, dir } of args.against) {
    const main = join(resolve(dir), 'main.js');
    if (!existsSync(main)) throw new Error(`--against: no ${main}`);
    builds.push({ label, start: { chatstreamMain: main } });
  }
  const rows: string[] = [];
  const say = (row: string) => {
    rows.push(row);
    console.log(row);
  };
  const many = builds.length > 1;
  const of = (build: Build) => (many ? `${build.label}: ` : '');
  if (args.only.includes('sign-in')) {
    for (const [label, cpus] of [['pinned to one CPU (taskset -c 0)', '0'], ['all CPUs', undefined]] as const) {
      const results = await interleaved(builds, args.rounds, (build) => signIns(build, cpus));
      for (const [build, rounds] of results) {
        const perSecond = rounds.map((r) => r.perSecond);
        say(
          `| sign-in, ${label}, ${of(build)}${SIGN_INS.count} sign-ins ${SIGN_INS.concurrency} at a time | p50 ${ms(median(rounds.map((r) => r.latency.p50)))} ms, ` +
            `p99 ${ms(median(rounds.map((r) => r.latency.p99)))} ms, ${median(perSecond).toFixed(1)} sign-ins/s${range(perSecond, (v) => v.toFixed(1))} |`,
        );
      }
    }
  }
  if (args.only.includes('storm')) {
    const rounds = (await interleaved(builds.slice(0, 1), args.rounds, (build) => storms(storage, build))).get(builds[0]) as Array<{ open: number; cookies: number }>;
    const ratios = rounds.map((r) => r.cookies / r.open);
    say(
      `| connect storm, ${STORM.connections.toLocaleString('en')} connections, ${STORM.concurrency} at a time | AUTH=open ${median(rounds.map((r) => r.open)).toFixed(0)}/s; ` +
        `session cookies ${median(rounds.map((r) => r.cookies)).toFixed(0)}/s = **${median(ratios).toFixed(2)}x**${range(ratios, (v) => `${v.toFixed(2)}x`)} |`,
    );
  }
  if (args.only.includes('delivery')) {
    const results = await interleaved(builds, args.rounds, (build, round) => deliveryRound(storage, build, round));
    const deliveries = DELIVERY.rooms * DELIVERY.ratePerRoom * (DELIVERY.members / DELIVERY.rooms);
    for (const [build, rounds] of results) {
      const ratios = rounds.map((r) => r.busy.latency.p99 / r.quiet.latency.p99);
      const other = Math.max(...rounds.flatMap((r) => [r.quiet.otherPct, r.busy.otherPct]));
      const median50 = (pick: (r: DeliveryRound) => DeliveryRun) => median(rounds.map((r) => pick(r).latency.p50));
      const median99 = (pick: (r: DeliveryRound) => DeliveryRun) => median(rounds.map((r) => pick(r).latency.p99));
      say(
        `| room delivery, ${of(build)}${DELIVERY.members} members in ${DELIVERY.rooms} rooms, ${deliveries.toLocaleString('en')} deliveries/s | ` +
          `without sign-ins p50 ${ms(median50((r) => r.quiet))} / p99 ${ms(median99((r) => r.quiet))} ms; ` +
          `with ${DELIVERY.loginsPerSecond} sign-ins/s offered (${median(rounds.map((r) => r.busy.signInsPerSecond)).toFixed(1)}/s done) p50 ${ms(median50((r) => r.busy))} / p99 ${ms(median99((r) => r.busy))} ms; ` +
          `p99 ratio **${median(ratios).toFixed(2)}x**${range(ratios, (v) => `${v.toFixed(2)}x`)}; other load up to ${other.toFixed(0)} % of a core |`,
      );
    }
  }
  if (args.only.includes('history')) {
    const history = await privateHistory(storage, args.privateMessages);
    const { perPath, perGroup, failed } = history.reads;
    say(
      `| private history over HTTP, ${args.privateMessages.toLocaleString('en')} stored private messages (half in the conversation read), open loop at ${HISTORY_READS.rate}/s | ` +
        `every page ${p50p99(perGroup.pages)} (newest ${p50p99(perPath.newest)}); \`/api/health\` ${p50p99(perPath.health)}; ` +
        `the simplest program answering the same pages ${history.barePages ? p50p99(history.barePages.perGroup.pages) : '—'}; ` +
        `a bare \`node:http\` server answering a constant ${history.bareFloor ? p50p99(history.bareFloor) : '—'}; ${failed} failed; other jobs ${history.otherCpuPct?.toFixed(0) ?? '—'} % of a core |`,
    );
  }
  return rows;
}

async function main(): Promise<void> {
  const args = parseAccountsArguments(process.argv.slice(2));
  if (args === 'help') {
    console.log(ACCOUNTS_USAGE);
    return;
  }
  const cleanup = snapshotBuilds();
  try {
    const { cpuModel, cores, loadAverage } = machine();
    const rows = await run(args);
    const table = [
      `${generated(`npm run bench:accounts -- ${process.argv.slice(2).join(' ')}`.trim())} ${cores} × ${cpuModel}, load average ${loadAverage} at the start; medians of ${args.rounds} rounds, range in brackets.`,
      '',
      ...args.against.map(({ label, dir }) => `- ${label}: the build in \`${dir}\``),
      ...(args.against.length ? [''] : []),
      '| measure | result |',
      '|---|---|',
      ...rows,
    ].join('\n');
    if (args.docs) writeBetweenMarkers(args.out, table, 'accounts', 'Accounts mode: the last run');
  } finally {
    cleanup();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    killServers();
    process.exit(1);
  },
);
