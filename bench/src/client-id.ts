/**
 * What idempotent sends cost: server CPU per delivered frame and per stored
 * message, with and without `client_id` (and with some repeats), on one
 * SQLite instance. Modes alternate round by round so that other load on the
 * machine falls on all of them alike.
 *   npm run bench:client-id        (ROUNDS=3 SECONDS=4 RATE=200 to change)
 * Writes its table into docs/benchmarks.md between the client-id markers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { sleep } from './clock';
import { cpuMs, otherLoadSince } from './proc';
import { writeSection } from './report/doc-file';
import { CHATSTREAM_MAIN, freePort, REPO } from './servers';

const ROOMS = 4;
const MEMBERS = 50;
const SECONDS = Number(process.env.SECONDS ?? 4);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const RATE = Number(process.env.RATE ?? 200);
const WARMUP_MS = 500;

type Mode = 'none' | 'client_id' | 'repeats';
const MODES: Mode[] = ['none', 'client_id', 'repeats'];
const LABEL: Record<Mode, string> = {
  none: 'no client_id',
  client_id: 'client_id on every message',
  repeats: 'client_id, and 1 in 10 sent twice',
};

interface Round {
  mode: Mode;
  stored: number;
  delivered: number;
  expected: number;
  cpuMs: number;
  otherPct: number;
}

async function start(dataDir: string): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', DATA_DIR: dataDir, RATE_MESSAGES_PER_S: '0' };
  for (const name of ['DATABASE_URL', 'REDIS_URL', 'STORAGE']) delete env[name];
  const child = spawn(process.execPath, [CHATSTREAM_MAIN], { env, stdio: 'inherit' });
  for (let i = 0; i < 400; i++) {
    if (await fetch(`http://127.0.0.1:${port}/api/health`).then((r) => r.ok, () => false)) return { child, port };
    await sleep(50);
  }
  throw new Error('ChatStream did not start');
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-client-id-'));
  const server = await start(dataDir);
  const pid = server.child.pid as number;
  const base = `http://127.0.0.1:${server.port}`;
  try {
    const rooms: string[] = [];
    for (let r = 0; r < ROOMS; r++) {
      const response = await fetch(`${base}/api/rooms`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: `cid-${r}` }) });
      rooms.push(((await response.json()) as { room: { id: string } }).room.id);
    }
    let delivered = 0;
    let counting = false;
    /** Content prefix of the messages the current round counts (warm-up and earlier rounds' stragglers do not). */
    let counted = '"content":"-';
    const sockets: WebSocket[][] = [];
    for (let r = 0; r < ROOMS; r++) {
      sockets.push([]);
      for (let m = 0; m < MEMBERS; m++) {
        const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/ws?user_id=cid-${r}-${m}&username=u${m}&protocol=2`);
        await new Promise((resolve) => ws.once('open', resolve));
        ws.on('message', (data) => {
          if (counting && data.toString().includes(counted)) delivered++;
        });
        ws.send(JSON.stringify({ type: 'join_room', content: rooms[r] }));
        sockets[r].push(ws);
      }
    }
    await sleep(500);
    const filler = 'x'.repeat(120);
    let serial = 0;
    const results: Round[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of MODES) {
        const total = Math.round(((WARMUP_MS / 1000) + SECONDS) * RATE);
        const started = Date.now();
        let cpu0 = cpuMs(pid);
        let other = otherLoadSince([pid]);
        let stored = 0;
        let repeated = 0;
        for (let sent = 0; sent < total; sent++) {
          const wait = started + (sent / RATE) * 1000 - Date.now();
          if (wait > 1) await sleep(wait);
          if (!counting && Date.now() - started >= WARMUP_MS) {
            counting = true;
            counted = `"content":"r${results.length} `;
            delivered = 0;
            cpu0 = cpuMs(pid);
            other = otherLoadSince([pid]);
          }
          const r = sent % ROOMS;
          const tag = counting ? `r${results.length}` : 'w';
          const frame: Record<string, string> = { type: 'text', content: `${tag} ${serial} ${filler}`, room: rooms[r] };
          if (mode !== 'none') frame['client_id'] = `c-${serial}`;
          serial++;
          const text = JSON.stringify(frame);
          sockets[r][0].send(text);
          // A repeat reaches its sender alone: it is neither stored nor delivered to the room again.
          if (mode === 'repeats' && sent % 10 === 0) {
            sockets[r][0].send(text);
            if (counting) repeated++;
          }
          if (counting) stored++;
        }
        await sleep(800);
        counting = false;
        // A repeat's answer goes to its sender too: count only what the room was owed.
        const repeatAnswers = mode === 'repeats' ? repeated : 0;
        results.push({ mode, stored, delivered: delivered - repeatAnswers, expected: stored * MEMBERS, cpuMs: cpuMs(pid) - cpu0, otherPct: other() });
        console.log(JSON.stringify(results[results.length - 1]));
      }
    }
    for (const room of sockets) for (const ws of room) ws.terminate();
    report(results);
  } finally {
    server.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function report(results: Round[]): void {
  const rows = MODES.map((mode) => {
    const rounds = results.filter((r) => r.mode === mode);
    const perFrame = rounds.map((r) => (r.cpuMs * 1000) / Math.max(1, r.delivered));
    const perMessage = rounds.map((r) => (r.cpuMs * 1000) / Math.max(1, r.stored));
    const lost = rounds.reduce((n, r) => n + Math.max(0, r.expected - r.delivered), 0);
    const range = (values: number[]) => `${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)}`;
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)].toFixed(1);
    const other = Math.max(...rounds.map((r) => r.otherPct));
    return `| ${LABEL[mode]} | ${median(perFrame)} (${range(perFrame)}) | ${median(perMessage)} (${range(perMessage)}) | ${lost === 0 ? 'none' : lost} | ${other.toFixed(0)} % |`;
  });
  const table = [
    `_Generated ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC by \`npm run bench:client-id\`: one SQLite instance, ${ROOMS} rooms of ${MEMBERS} level-2 members, one sender per room, ${RATE} messages/s in all, ${ROUNDS} rounds of ${SECONDS} s per mode, the modes interleaved. Median over the rounds, range in brackets. "Other load" is the CPU other processes used meanwhile (up to 200 % on this 2-core machine): high values mean the figures are noisy._`,
    '',
    '| messages | server CPU µs per delivered frame | server CPU µs per stored message | lost | other load (max) |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
  writeSection(join(REPO, 'docs', 'benchmarks.md'), 'client-id', 'Idempotent sends: with and without client_id', table);
  console.log(table);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
