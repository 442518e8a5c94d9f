/**
 * One instance against two behind no balancer at all (clients spread over
 * both): delivered messages/s and the latency the Redis hop adds.
 *   npm run bench:scale-out -- [--rates=100,300] [--rooms=4] [--members=50] [--seconds=5]
 * Needs DATABASE_URL (PostgreSQL) and REDIS_URL; PROFILE_DIR=dir writes a CPU
 * profile of each instance there. Writes its table into docs/benchmarks.md
 * between the scale-out markers.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Client as Pg } from 'pg';
import { nowMs, sleep } from './clock';
import { closeMembers, FILLER, generated, joinRooms, numberOptions, sendAtRate } from './light-load';
import { writeBetweenMarkers } from './report/doc-file';
import { REPO, startServer, type RunningServer } from './servers';
import { Histogram } from './stats/histogram';

const WARMUP_MS = 1000;

const options = numberOptions(process.argv.slice(2), { rooms: 4, members: 50, seconds: 5 }, { rates: [100, 300] });

type Setup = 'one' | 'two';

interface Result {
  setup: Setup;
  rate: number;
  delivered: number;
  expected: number;
  perSecond: number;
  /** Receivers on the sender's instance, and on the other one (the frame crossed Redis). */
  same: Histogram;
  cross: Histogram;
  cpuUsPerFrame: number;
}

function startInstance(env: Record<string, string>): Promise<RunningServer> {
  const profile = process.env.PROFILE_DIR;
  return startServer({ id: 'chatstream-pg', label: 'ChatStream (PostgreSQL)', kind: 'chatstream', env }, { nodeArgs: profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [] });
}

async function run(setup: Setup, rate: number, databaseUrl: string, redisUrl: string): Promise<Result> {
  const prefix = `bench-${randomUUID().slice(0, 8)}`;
  const env: Record<string, string> = { DATABASE_URL: databaseUrl };
  if (setup === 'two') Object.assign(env, { REDIS_URL: redisUrl, REDIS_PREFIX: prefix });
  const instances = [await startInstance(env)];
  if (setup === 'two') instances.push(await startInstance(env));
  const same = new Histogram();
  const cross = new Histogram();
  let delivered = 0;
  let measuring = false;
  try {
    const { roomIds, members } = await joinRooms(instances, { rooms: options.rooms, members: options.members, prefix }, (member, data) => {
      const frame = JSON.parse(data) as { type: string; content?: string };
      if (frame.type !== 'text') return;
      const [sentAt, fromInstance, counted] = (frame.content as string).split(' ');
      // Only messages sent inside the measurement window count, whenever they arrive.
      if (counted !== 'm') return;
      delivered++;
      (Number(fromInstance) === member.server ? same : cross).recordMs(nowMs() - Number(sentAt));
    });
    const senders = members.map((room) => room[0]);
    const warmup = (WARMUP_MS / 1000) * rate;
    let measured = 0;
    await sendAtRate(rate, warmup + options.seconds * rate, (k) => {
      if (k === warmup) {
        measuring = true;
        for (const instance of instances) instance.proc.begin();
      }
      if (measuring) measured++;
      const sender = senders[k % senders.length];
      sender.ws.send(JSON.stringify({ type: 'text', content: `${nowMs()} ${sender.server} ${measuring ? 'm' : 'w'} ${FILLER}`, room: roomIds[sender.room] }));
    });
    await sleep(1000);
    const windows = instances.map((instance) => instance.proc.end());
    closeMembers(members);
    const cpuMs = windows.reduce((sum, w) => sum + w.cpuMs, 0);
    return {
      setup,
      rate,
      delivered,
      expected: measured * options.members,
      perSecond: Math.round((delivered / (options.seconds * 1000)) * 1000),
      same,
      cross,
      cpuUsPerFrame: (cpuMs * 1000) / Math.max(1, delivered),
    };
  } finally {
    for (const instance of instances) await instance.stop();
  }
}

/** A fresh PostgreSQL database for `use`, dropped afterwards. */
async function withDatabase<T>(admin: string, name: string, use: (url: string) => Promise<T>): Promise<T> {
  const pg = new Pg({ connectionString: admin });
  await pg.connect();
  await pg.query(`CREATE DATABASE ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  try {
    return await use(url.toString());
  } finally {
    await pg.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await pg.end();
  }
}

function report(results: Result[]): string {
  const ms = (h: Histogram): string => (h.count === 0 ? '— / —' : `${h.summary().p50.toFixed(1)} / ${h.summary().p99.toFixed(1)}`);
  return [
    `${generated('npm run bench:scale-out')} ${options.rooms} rooms of ${options.members} members, one sender per room, ${options.seconds} s after a ${WARMUP_MS / 1000} s warm-up, PostgreSQL.`,
    '',
    '| setup | offered msg/s | delivered msg/s | lost | same instance p50 / p99 ms | other instance p50 / p99 ms | server CPU µs per delivered frame (all instances) |',
    '|---|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.setup === 'one' ? 'one instance' : 'two instances + Redis'} | ${r.rate} | ${r.perSecond.toLocaleString('en')} | ${r.delivered >= r.expected ? 'none' : `${r.expected - r.delivered} of ${r.expected}`} | ${ms(r.same)} | ${ms(r.cross)} | ${r.cpuUsPerFrame.toFixed(1)} |`,
    ),
  ].join('\n');
}

async function main(): Promise<void> {
  const admin = process.env.DATABASE_URL;
  const redisUrl = process.env.REDIS_URL;
  if (!admin || !redisUrl) {
    console.error('bench:scale-out needs DATABASE_URL (PostgreSQL) and REDIS_URL');
    process.exit(2);
  }
  const results: Result[] = [];
  for (const rate of options.rates) {
    for (const setup of ['one', 'two'] as const) {
      const result = await withDatabase(admin, `chatstream_bench_${process.pid}_${setup}_${rate}`, (url) => run(setup, rate, url, redisUrl));
      results.push(result);
      console.log(`${setup} ${rate}/s: delivered ${result.delivered} of ${result.expected}, same ${brief(result.same)}, other ${brief(result.cross)}`);
    }
  }
  const table = report(results);
  writeBetweenMarkers(join(REPO, 'docs', 'benchmarks.md'), table, 'scale-out', 'Scale-out: one instance against two');
  console.log(table);
}

const brief = (h: Histogram): string => JSON.stringify(h.summary());

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
