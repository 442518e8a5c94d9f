import WebSocket from 'ws';
import { BURST_USAGE, parseBurstArguments } from './args';
import { sleep } from './clock';
import { generated, interleaved } from './light-load';
import { cpuMs, machine, memory, otherLoadSince } from './proc';
import { writeBetweenMarkers } from './report/doc-file';
import { CHATSTREAM, createRooms, killServers, startServer, type RunningServer } from './servers';
import { median } from './suite';

/*
 * The burst of issue 16: many users each sending many messages at once into
 * one room, against the built server (run `npm run build` or the bench build
 * first). Phases, each its own server and well under two minutes:
 *
 *   burst-off   50 users x 200 messages at once, no message limit (the case)
 *   burst-on    the same with the default limit (burst 20, 5 per second)
 *   burst-on-large  the same with 4,000-character messages (the largest allowed)
 *   slow        the limit on, one member that never reads, 20 users sending
 *               4,000-character messages 4 times a second: the stalled member
 *               is cut, its buffered bytes logged, RSS watched for 30 s after
 *   cpu         a steady load under the limit, server CPU per delivered frame
 *               with the limit off and on (interleaved rounds); its table goes
 *               between the burst-cpu markers of docs/benchmarks.md
 *
 * npm run bench:burst -- [--only=burst-off,burst-on,burst-on-large,slow,cpu] [--rounds=3] [--no-docs]
 * The burst and slow phases print JSON (their table in the docs compares
 * runs of several builds by hand).
 */

const USERS = 50;
/** Senders of the slow-consumer phase, each sending 4,000-character messages 4 times a second. */
const SLOW_SENDERS = 20;
const PER_USER = 200;
/** After the burst settles, RSS is sampled this long. */
const AFTER_MS = 30_000;
const LIMIT_ON = { RATE_MESSAGE_BURST: '20', RATE_MESSAGES_PER_S: '5' };
const LIMIT_OFF = { RATE_MESSAGES_PER_S: '0' };

interface Member {
  userId: string;
  socket: WebSocket;
  acks: number;
  limited: number;
  otherErrors: number;
  received: number;
  cut?: number;
}

/** Connects `count` level-2 users and joins them to `room`. */
async function members(server: RunningServer, room: string, count: number, prefix: string): Promise<Member[]> {
  const all: Member[] = [];
  for (let i = 0; i < count; i++) {
    const userId = `${prefix}-${i}`;
    const socket = new WebSocket(`ws://127.0.0.1:${server.port}/api/ws?user_id=${userId}&username=${userId}&protocol=2`);
    const member: Member = { userId, socket, acks: 0, limited: 0, otherErrors: 0, received: 0 };
    const joined = new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.on('message', (data: Buffer) => {
        member.received++;
        const text = data.toString();
        if (text.includes('"type":"system"')) socket.send(JSON.stringify({ type: 'join_room', content: room }));
        else if (text.includes('"type":"join"') && text.includes(`"user_id":"${userId}"`)) resolve();
        else if (text.includes('"type":"error"')) {
          if (text.includes('rate limited')) member.limited++;
          else member.otherErrors++;
        } else if (text.includes('"type":"text"') && text.includes(`"sender_id":"${userId}"`)) member.acks++;
      });
    });
    socket.on('close', (code) => (member.cut ??= code));
    await joined;
    all.push(member);
  }
  return all;
}

/** RSS (MB) 5, 10, 20 and 30 s after `from`, out of the 100 ms samples taken since `at` samples ago. */
function rssAfter(samples: number[], from: number): Record<string, string> {
  const at = (s: number) => samples[Math.min(samples.length - 1, from + s * 10)] ?? NaN;
  return { '5s': mb(at(5)), '10s': mb(at(10)), '20s': mb(at(20)), '30s': mb(at(30)) };
}

/** RSS of the server every 100 ms while running. */
function sampleRss(pid: number): { stop(): number[]; samples: number[] } {
  const samples: number[] = [];
  const timer = setInterval(() => samples.push(memory(pid).rssKB), 100);
  return {
    samples,
    stop: () => {
      clearInterval(timer);
      return samples;
    },
  };
}

/** Messages stored in a room, counted by paging its history. */
async function storedCount(server: RunningServer, room: string): Promise<number> {
  let count = 0;
  let before: string | undefined;
  for (;;) {
    const query = before ? `limit=200&before=${before}` : 'limit=200';
    const response = await fetch(`${server.url}/api/rooms/${room}/messages?${query}`);
    const { messages } = (await response.json()) as { messages: Array<{ id: string }> };
    count += messages.length;
    if (messages.length < 200) return count;
    before = messages[0].id;
  }
}

const mb = (kb: number): string => (kb / 1024).toFixed(0);

async function burst(limit: boolean, size = 100): Promise<void> {
  const env = { ...(limit ? LIMIT_ON : LIMIT_OFF), LOG_LEVEL: 'log' };
  const server = await startServer({ ...CHATSTREAM, id: 'burst', label: 'burst', storage: 'sqlite', env });
  try {
    const [room] = await createRooms(server.url, [`burst-${Date.now()}`]);
    const users = await members(server, room, USERS, 'burst');
    await sleep(1000);
    const rssBefore = memory(server.pid).rssKB;
    const other = otherLoadSince([server.pid]);
    const rss = sampleRss(server.pid);
    const cpu0 = cpuMs(server.pid);
    const started = performance.now();
    const content = 'burst message '.repeat(Math.ceil(size / 14)).slice(0, size - 4);
    for (const user of users) for (let i = 0; i < PER_USER; i++) user.socket.send(JSON.stringify({ type: 'text', content: `${content}${i}`, room }));
    // Settled: every user still connected has an answer (ack or error) for each message, or 60 s passed.
    const settled = () => users.every((u) => u.cut !== undefined || u.acks + u.limited + u.otherErrors >= PER_USER);
    while (!settled() && performance.now() - started < 60_000) await sleep(20);
    const settleMs = performance.now() - started;
    const cpuBurst = cpuMs(server.pid) - cpu0;
    const otherPct = other();
    const stored = await storedCount(server, room);
    const rssSettled = memory(server.pid).rssKB;
    const cut = users.filter((u) => u.cut !== undefined).length;
    const settledAt = rss.samples.length;
    for (const user of users) user.socket.terminate();
    await sleep(AFTER_MS);
    const samples = rss.stop();
    const rssAfterAll = memory(server.pid).rssKB;
    const cutLines = server.output().split('\n').filter((line) => line.includes('reason=slow-consumer'));
    const report = {
      phase: `${limit ? 'burst, limit on (20 + 5/s)' : 'burst, no limit'}, ${size}-character messages`,
      sent: USERS * PER_USER,
      acknowledged: users.reduce((n, u) => n + u.acks, 0),
      rateLimited: users.reduce((n, u) => n + u.limited, 0),
      otherErrors: users.reduce((n, u) => n + u.otherErrors, 0),
      stored,
      cut,
      slowConsumerLogLines: cutLines.length,
      sampleCutLine: cutLines[0]?.replace(/^.*\[Connections\] /, ''),
      settleMs: Math.round(settleMs),
      serverCpuMs: Math.round(cpuBurst),
      rssMB: { before: mb(rssBefore), peak: mb(Math.max(...samples)), settled: mb(rssSettled), afterSettled: rssAfter(samples, settledAt), end: mb(rssAfterAll) },
      otherJobsCpuPct: Math.round(otherPct),
    };
    console.log(JSON.stringify(report, null, 2));
  } finally {
    await server.stop();
  }
}

async function slowConsumer(): Promise<void> {
  const server = await startServer({ ...CHATSTREAM, id: 'slow', label: 'slow', storage: 'sqlite', env: { ...LIMIT_ON, LOG_LEVEL: 'log' } });
  try {
    const [room] = await createRooms(server.url, [`slow-${Date.now()}`]);
    const [stalled] = await members(server, room, 1, 'stalled');
    const senders = await members(server, room, SLOW_SENDERS, 'sender');
    // The stalled member stops reading: the kernel buffers fill, then the server's queue for it grows.
    (stalled.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    await sleep(1000);
    const rssBefore = memory(server.pid).rssKB;
    const rss = sampleRss(server.pid);
    const started = performance.now();
    const content = 'x'.repeat(3990);
    // Under the limit (4 a second each): readers keep up, the stalled member's queue grows by ~320 KB/s.
    let sent = 0;
    const timer = setInterval(() => {
      for (const user of senders) user.socket.send(JSON.stringify({ type: 'text', content: `${content}${sent}`, room }));
      sent++;
    }, 250);
    while (!server.output().includes('reason=slow-consumer') && performance.now() - started < 40_000) await sleep(20);
    const cutMs = performance.now() - started;
    clearInterval(timer);
    const settled = () => senders.every((u) => u.acks + u.limited + u.otherErrors >= sent);
    while (!settled() && performance.now() - started < 60_000) await sleep(20);
    const rssCut = memory(server.pid).rssKB;
    const settledAt = rss.samples.length;
    await sleep(AFTER_MS);
    const samples = rss.stop();
    const line = server.output().split('\n').find((l) => l.includes('reason=slow-consumer'));
    console.log(
      JSON.stringify(
        {
          phase: 'slow consumer, limit on',
          cutAfterMs: Math.round(cutMs),
          logLine: line?.replace(/^.*\[Connections\] /, ''),
          sent: sent * SLOW_SENDERS,
          acknowledged: senders.reduce((n, u) => n + u.acks, 0),
          sendersCut: senders.filter((u) => u.cut !== undefined).length,
          rssMB: { before: mb(rssBefore), peak: mb(Math.max(...samples)), whenSettled: mb(rssCut), afterSettled: rssAfter(samples, settledAt) },
        },
        null,
        2,
      ),
    );
    for (const user of [stalled, ...senders]) user.socket.terminate();
  } finally {
    await server.stop();
  }
}

/** Steady load under the limit: CPU_LOAD.members members, each sending CPU_LOAD.perSecond messages/s for CPU_LOAD.seconds. */
const CPU_LOAD = { members: 20, perSecond: 4, seconds: 8 };

interface CpuRound {
  framesDelivered: number;
  usPerFrame: number;
  otherPct: number;
}

async function cpuRound(limit: boolean): Promise<CpuRound> {
  const server = await startServer({ ...CHATSTREAM, id: 'cpu', label: 'cpu', storage: 'sqlite', env: limit ? LIMIT_ON : LIMIT_OFF });
  try {
    const [room] = await createRooms(server.url, [`cpu-${Date.now()}`]);
    const users = await members(server, room, CPU_LOAD.members, 'cpu');
    await sleep(500);
    const received0 = users.reduce((n, u) => n + u.received, 0);
    const cpu0 = cpuMs(server.pid);
    const other = otherLoadSince([server.pid]);
    let i = 0;
    const timer = setInterval(() => {
      for (const user of users) user.socket.send(JSON.stringify({ type: 'text', content: `steady ${i}`, room }));
      i++;
    }, 1000 / CPU_LOAD.perSecond);
    await sleep(CPU_LOAD.seconds * 1000);
    clearInterval(timer);
    await sleep(500);
    const frames = users.reduce((n, u) => n + u.received, 0) - received0;
    const cpu = cpuMs(server.pid) - cpu0;
    const limited = users.reduce((n, u) => n + u.limited, 0);
    if (limited > 0) throw new Error(`the steady load hit the limit ${limited} times`);
    for (const user of users) user.socket.terminate();
    return { framesDelivered: frames, usPerFrame: (cpu * 1000) / frames, otherPct: other() };
  } finally {
    await server.stop();
  }
}

/** Server CPU per delivered frame, limit off and on, interleaved; a table of the medians. */
async function cpuPerFrame(rounds: number): Promise<string> {
  const results = await interleaved([false, true], rounds, (limit) => cpuRound(limit));
  console.log(JSON.stringify({ phase: 'CPU per delivered frame', off: results.get(false), on: results.get(true) }, null, 2));
  const cell = (limit: boolean) => {
    const perFrame = (results.get(limit) as CpuRound[]).map((r) => r.usPerFrame);
    return `${median(perFrame).toFixed(1)} (${Math.min(...perFrame).toFixed(1)}–${Math.max(...perFrame).toFixed(1)})`;
  };
  const frames = (limit: boolean) => median((results.get(limit) as CpuRound[]).map((r) => r.framesDelivered)).toLocaleString('en');
  const all = [...(results.get(false) as CpuRound[]), ...(results.get(true) as CpuRound[])];
  return [
    `${generated('npm run bench:burst -- --only=cpu')} ${CPU_LOAD.members} members of one room, each sending ${CPU_LOAD.perSecond} messages a second for ${CPU_LOAD.seconds} s (under the limit), ` +
      `${rounds} rounds per setting, interleaved; server CPU from \`/proc\` over the send window, median and range; other processes used up to ${Math.max(...all.map((r) => r.otherPct)).toFixed(0)} % of a core meanwhile.`,
    '',
    '| | limit off | limit on |',
    '|---|---|---|',
    `| server CPU µs per delivered frame | ${cell(false)} | ${cell(true)} |`,
    `| frames delivered per run | ${frames(false)} | ${frames(true)} |`,
  ].join('\n');
}

async function main(): Promise<void> {
  const args = parseBurstArguments(process.argv.slice(2));
  if (args === 'help') {
    console.log(BURST_USAGE);
    return;
  }
  const run = (phase: (typeof args.only)[number]) => args.only.includes(phase);
  console.log(JSON.stringify({ machine: machine() }));
  if (run('burst-off')) await burst(false);
  if (run('burst-on')) await burst(true);
  if (run('burst-on-large')) await burst(true, 4000);
  if (run('slow')) await slowConsumer();
  if (run('cpu')) {
    const table = await cpuPerFrame(args.rounds);
    console.log(table);
    if (args.docs) writeBetweenMarkers(args.out, table, 'burst-cpu', 'CPU per delivered frame, limit on vs off');
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    killServers();
    process.exit(1);
  },
);
