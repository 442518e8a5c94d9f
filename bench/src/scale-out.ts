/**
 * One instance against two behind no balancer at all (clients spread over
 * both): delivered messages/s and the latency the Redis hop adds.
 *   npm run bench:scale-out        (needs DATABASE_URL and REDIS_URL)
 * Writes its table into docs/benchmarks.md between the scale-out markers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client as Pg } from 'pg';
import WebSocket from 'ws';
import { sleep } from './clock';
import { writeSection } from './report/doc-file';
import { freePort } from './servers';

const ROOT = join(__dirname, '..', '..');
const MAIN = join(ROOT, 'backend', 'dist', 'main.js');
const ROOMS = 4;
const MEMBERS = 50;
const SECONDS = 5;
const WARMUP_MS = 1000;
const RATES = (process.env.RATES ?? '100,300').split(',').map(Number);


interface Instance {
  child: ChildProcess;
  port: number;
  core?: number;
}

async function start(env: Record<string, string>, core?: number): Promise<Instance> {
  const port = await freePort();
  // PROFILE_DIR: write a CPU profile of each instance there (node --cpu-prof).
  const args = [...(process.env.PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROFILE_DIR}`] : []), MAIN];
  const command = core === undefined ? process.execPath : 'taskset';
  const argv = core === undefined ? args : ['-c', String(core), process.execPath, ...args];
  const inherited = { ...process.env };
  // Only what this run passes: one instance must not join Redis because the shell has REDIS_URL.
  for (const name of ['DATABASE_URL', 'REDIS_URL', 'REDIS_PREFIX', 'STORAGE', 'DATA_DIR']) delete inherited[name];
  const child = spawn(command, argv, { env: { ...inherited, AUTH: 'open', RATE_MESSAGES_PER_S: '0', ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' }, stdio: 'inherit' });
  for (let i = 0; i < 200; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/api/health`).then((r) => r.ok, () => false);
    if (ok) return { child, port, core };
    await sleep(50);
  }
  throw new Error('instance did not start');
}

function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

interface Member {
  ws: WebSocket;
  instance: number;
  room: number;
}

interface Result {
  mode: string;
  rate: number;
  delivered: number;
  perSecond: number;
  expected: number;
  sameP50: number;
  sameP99: number;
  crossP50: number;
  crossP99: number;
  cpuUsPerFrame: number;
}

async function run(mode: 'one' | 'two', rate: number, databaseUrl: string, redisUrl: string): Promise<Result> {
  const prefix = `bench-${randomUUID().slice(0, 8)}`;
  const env: Record<string, string> = { DATABASE_URL: databaseUrl };
  if (mode === 'two') Object.assign(env, { REDIS_URL: redisUrl, REDIS_PREFIX: prefix });
  const instances = [await start(env)];
  if (mode === 'two') instances.push(await start(env));
  const roomIds: string[] = [];
  for (let r = 0; r < ROOMS; r++) {
    const response = await fetch(`http://127.0.0.1:${instances[0].port}/api/rooms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: `${prefix}-${r}` }),
    });
    roomIds.push(((await response.json()) as { room: { id: string } }).room.id);
  }
  const same: number[] = [];
  const cross: number[] = [];
  let delivered = 0;
  let measuring = false;
  const members: Member[] = [];
  for (let r = 0; r < ROOMS; r++) {
    for (let m = 0; m < MEMBERS; m++) {
      const instance = mode === 'two' ? m % 2 : 0;
      const ws = new WebSocket(`ws://127.0.0.1:${instances[instance].port}/api/ws?user_id=${prefix}-${r}-${m}&username=u${m}&protocol=2`);
      await new Promise((resolve) => ws.once('open', resolve));
      const member = { ws, instance, room: r };
      ws.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as { type: string; content?: string };
        if (frame.type !== 'text') return;
        const [sentAt, fromInstance, counted] = (frame.content as string).split(' ');
        // Only messages sent inside the measurement window count, whenever they arrive.
        if (counted !== 'm') return;
        const latency = Date.now() - Number(sentAt);
        delivered++;
        (Number(fromInstance) === member.instance ? same : cross).push(latency);
      });
      ws.send(JSON.stringify({ type: 'join_room', content: roomIds[r] }));
      members.push(member);
    }
  }
  await sleep(500);
  const senders = roomIds.map((_, r) => members[r * MEMBERS]);
  const start0 = Date.now();
  let cpu0 = instances.map((i) => cpuMs(i.child.pid as number));
  let sent = 0;
  let measured = 0;
  const total = (WARMUP_MS / 1000 + SECONDS) * rate;
  const filler = 'x'.repeat(120);
  while (sent < total) {
    const due = start0 + (sent / rate) * 1000;
    const wait = due - Date.now();
    if (wait > 1) await sleep(wait);
    if (!measuring && Date.now() - start0 >= WARMUP_MS) {
      measuring = true;
      measured = sent;
      cpu0 = instances.map((i) => cpuMs(i.child.pid as number));
    }
    const sender = senders[sent % ROOMS];
    const tag = measuring ? 'm' : 'w';
    sender.ws.send(JSON.stringify({ type: 'text', content: `${Date.now()} ${sender.instance} ${tag} ${filler}`, room: roomIds[sent % ROOMS] }));
    sent++;
  }
  const windowMs = Date.now() - start0 - WARMUP_MS;
  await sleep(1000);
  const cpu1 = instances.map((i) => cpuMs(i.child.pid as number));
  for (const member of members) member.ws.terminate();
  for (const instance of instances) instance.child.kill(process.env.PROFILE_DIR ? 'SIGINT' : 'SIGKILL');
  same.sort((a, b) => a - b);
  cross.sort((a, b) => a - b);
  const cpu = cpu1.reduce((sum, value, i) => sum + value - cpu0[i], 0);
  return {
    mode: mode === 'one' ? 'one instance' : 'two instances + Redis',
    rate,
    delivered,
    perSecond: Math.round((delivered / windowMs) * 1000),
    expected: (sent - measured) * MEMBERS,
    sameP50: percentile(same, 50),
    sameP99: percentile(same, 99),
    crossP50: percentile(cross, 50),
    crossP99: percentile(cross, 99),
    cpuUsPerFrame: (cpu * 1000) / Math.max(1, delivered),
  };
}

async function main(): Promise<void> {
  const admin = process.env.DATABASE_URL;
  const redisUrl = process.env.REDIS_URL;
  if (!admin || !redisUrl) {
    console.error('bench:scale-out needs DATABASE_URL (PostgreSQL) and REDIS_URL');
    process.exit(2);
  }
  const results: Result[] = [];
  for (const rate of RATES) {
    for (const mode of (process.env.MODES ?? 'one,two').split(',') as Array<'one' | 'two'>) {
      const name = `chatstream_bench_${process.pid}_${mode}_${rate}`;
      const pg = new Pg({ connectionString: admin });
      await pg.connect();
      await pg.query(`CREATE DATABASE ${name}`);
      const url = new URL(admin);
      url.pathname = `/${name}`;
      try {
        const result = await run(mode, rate, url.toString(), redisUrl);
        results.push(result);
        console.log(JSON.stringify(result));
      } finally {
        await sleep(300);
        await pg.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await pg.end();
      }
    }
  }
  const ms = (value: number) => (Number.isNaN(value) ? '—' : `${value.toFixed(0)}`);
  const rows = results.map(
    (r) =>
      `| ${r.mode} | ${r.rate} | ${r.perSecond.toLocaleString('en')} | ${r.delivered >= r.expected ? 'none' : `${r.expected - r.delivered} of ${r.expected}`} | ${ms(r.sameP50)} / ${ms(r.sameP99)} | ${ms(r.crossP50)} / ${ms(r.crossP99)} | ${r.cpuUsPerFrame.toFixed(1)} |`,
  );
  const table = [
    `_Generated ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC by \`npm run bench:scale-out\`: ${ROOMS} rooms of ${MEMBERS} members, one sender per room, ${SECONDS} s after a 1 s warm-up, PostgreSQL storage. With two instances the members alternate between them; "same" is a receiver on the sender's instance, "other" one on the other instance (its frames cross Redis). Latency is sender clock to receiver clock (Date.now(), 1 ms resolution), at this light load._`,
    '',
    '| setup | offered msg/s | delivered msg/s | lost | same instance p50 / p99 ms | other instance p50 / p99 ms | server CPU µs per delivered frame (all instances) |',
    '|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
  writeSection(join(ROOT, 'docs', 'benchmarks.md'), 'scale-out', 'Scale-out: one instance against two', table);
  console.log(table);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
