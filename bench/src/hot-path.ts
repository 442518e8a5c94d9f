/**
 * What one plain message costs the server outside its sockets, for this
 * build and another checkout's side by side:
 *   npm run bench:hot-path -- --compare=DIR [--messages=2000] [--rounds=3]
 * Each build runs in a process of its own, the builds interleaved round by
 * round (order alternating), and measures with that build's own code:
 * - store: process CPU per room message stored through its
 *   KyselyMessagesRepository, one message per group commit (what half load
 *   is), in a fresh SQLite DATA_DIR migrated by that build;
 * - frame: CPU to build the message frame (messageFrame) and serialize it
 *   once (the fan-out's serialize), and its size, which every recipient's
 *   write carries.
 * CPU time, not wall time: less sensitive than latency to other jobs on the
 * machine, not immune to them. Prints a markdown table.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { count } from './args';
import { loadBuild } from './backend-build';
import { median } from './suite';
import { REPO } from './servers';

interface Costs {
  /** CPU µs per stored message. */
  storeUs: number;
  /** CPU µs per frame built and serialized. */
  frameUs: number;
  frameBytes: number;
}

const cpuUs = (): number => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

const WARMUP = 300;
const ROOM = 'bench-hot-path';
const FILLER = 'x'.repeat(150);

async function measure(checkout: string, messages: number): Promise<Costs> {
  const build = loadBuild(checkout);
  const dataDir = mkdtempSync(join(tmpdir(), 'chatstream-hot-path-'));
  const opened = build.openSqlite(dataDir);
  try {
    await build.migrate(opened.db);
    await opened.db.insertInto('rooms').values({ id: ROOM, name: ROOM, name_key: ROOM, created_at: new Date().toISOString() }).execute();
    const storage = build.storage(opened);
    const config = build.config();
    // One message per commit without waiting for a window: the same statements as half load, minus the idle wait.
    config.commitWindowMs = 0;
    const repository = build.messages(storage, config);
    const message = (i: number) => ({
      id: `m-${i}-${Math.random().toString(36).slice(2)}`,
      senderId: `u-${i % 50}`,
      senderName: `user ${i % 50}`,
      content: `${i} ${FILLER}`.slice(0, 150),
      timestamp: new Date().toISOString(),
      room: ROOM,
    });
    const stored: object[] = [];
    for (let i = 0; i < WARMUP; i++) stored.push(await repository.append(message(i)));
    const storeStart = cpuUs();
    for (let i = WARMUP; i < WARMUP + messages; i++) stored.push(await repository.append(message(i)));
    // Builds that index for search after the commit: the messages still waiting count too.
    await storage.search?.catchUp();
    const storeUs = (cpuUs() - storeStart) / messages;
    let bytes = 0;
    const frames = (): void => {
      for (const m of stored) bytes = build.serialize(build.messageFrame(m)).length;
    };
    for (let i = 0; i < 5; i++) frames();
    const repeats = 20;
    const frameStart = cpuUs();
    for (let i = 0; i < repeats; i++) frames();
    const frameUs = (cpuUs() - frameStart) / (repeats * stored.length);
    await storage.onApplicationShutdown();
    return { storeUs, frameUs, frameBytes: bytes };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function commitOf(checkout: string): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: checkout, encoding: 'utf8' }).trim();
  } catch {
    return checkout;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    strict: true,
    options: { compare: { type: 'string' }, messages: { type: 'string' }, rounds: { type: 'string' }, worker: { type: 'string' } },
  });
  const messages = values.messages === undefined ? 2000 : count('messages', values.messages);
  if (values.worker !== undefined) {
    process.stdout.write(JSON.stringify(await measure(values.worker, messages)));
    return;
  }
  if (values.compare === undefined) throw new Error('--compare=DIR: the other checkout (its protocol and backend built)');
  const rounds = values.rounds === undefined ? 3 : count('rounds', values.rounds);
  const builds = [REPO, resolve(values.compare)];
  const results = new Map<string, Costs[]>(builds.map((b) => [b, []]));
  for (let round = 0; round < rounds; round++) {
    for (const build of round % 2 === 0 ? builds : [...builds].reverse()) {
      const out = execFileSync(process.execPath, [__filename, `--worker=${build}`, `--messages=${messages}`], { encoding: 'utf8', maxBuffer: 1 << 20 });
      const costs = JSON.parse(out) as Costs;
      results.get(build)?.push(costs);
      console.error(`round ${round + 1} ${commitOf(build)}: store ${costs.storeUs.toFixed(1)} µs/message, frame ${costs.frameUs.toFixed(2)} µs, ${costs.frameBytes} bytes`);
    }
  }
  const cell = (all: Costs[], pick: (c: Costs) => number, digits: number) => {
    const values = all.map(pick);
    return `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})`;
  };
  console.log(`| build | CPU µs per stored message (1 per commit) | CPU µs per frame built and serialized | frame bytes |`);
  console.log('|---|---|---|---|');
  for (const build of builds) {
    const all = results.get(build) ?? [];
    console.log(`| ${commitOf(build)}${build === REPO ? ' (this checkout)' : ''} | ${cell(all, (c) => c.storeUs, 1)} | ${cell(all, (c) => c.frameUs, 2)} | ${all[0]?.frameBytes ?? '—'} |`);
  }
  console.log(`\n_${messages} messages a round, ${rounds} rounds, medians (range); process CPU time, user + system._`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
