/**
 * What idempotent sends cost: server CPU per delivered frame and per stored
 * message, with and without `client_id` (and with some repeats), on one
 * SQLite instance. Modes alternate round by round so that other load on the
 * machine falls on all of them alike.
 *   npm run bench:client-id -- [--rounds=3] [--seconds=4] [--rate=200] [--rooms=4] [--members=50]
 * Writes its table into docs/benchmarks.md between the client-id markers.
 */
import { join } from 'node:path';
import { sleep } from './clock';
import { closeMembers, FILLER, generated, joinRooms, numberOptions, sendAtRate } from './light-load';
import { otherLoadSince } from './proc';
import { writeBetweenMarkers } from './report/doc-file';
import { CHATSTREAM, REPO, startServer } from './servers';

const WARMUP_MS = 500;
const options = numberOptions(process.argv.slice(2), { rooms: 4, members: 50, seconds: 4, rounds: 3, rate: 200 });

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

async function main(): Promise<void> {
  const server = await startServer(CHATSTREAM);
  try {
    let delivered = 0;
    let counting = false;
    /** Content prefix of the messages the current round counts (warm-up and earlier rounds' stragglers do not). */
    let counted = '"content":"-';
    const { roomIds, members } = await joinRooms([server], { rooms: options.rooms, members: options.members, prefix: 'cid' }, (_, data) => {
      if (counting && data.includes(counted)) delivered++;
    });
    let serial = 0;
    const results: Round[] = [];
    const warmup = (WARMUP_MS / 1000) * options.rate;
    for (let round = 0; round < options.rounds; round++) {
      for (const mode of MODES) {
        let other = otherLoadSince([server.pid]);
        let stored = 0;
        let repeated = 0;
        await sendAtRate(options.rate, warmup + options.seconds * options.rate, (k) => {
          if (k === warmup) {
            counting = true;
            counted = `"content":"r${results.length} `;
            delivered = 0;
            server.proc.begin();
            other = otherLoadSince([server.pid]);
          }
          const r = k % options.rooms;
          const frame: Record<string, string> = { type: 'text', content: `${counting ? `r${results.length}` : 'w'} ${serial} ${FILLER}`, room: roomIds[r] };
          if (mode !== 'none') frame['client_id'] = `c-${serial}`;
          serial++;
          const text = JSON.stringify(frame);
          members[r][0].ws.send(text);
          // A repeat reaches its sender alone: it is neither stored nor delivered to the room again.
          if (mode === 'repeats' && k % 10 === 0) {
            members[r][0].ws.send(text);
            if (counting) repeated++;
          }
          if (counting) stored++;
        });
        await sleep(800);
        counting = false;
        // A repeat's answer goes to its sender too: count only what the room was owed.
        const repeatAnswers = mode === 'repeats' ? repeated : 0;
        const cpuMs = server.proc.end().cpuMs;
        results.push({ mode, stored, delivered: delivered - repeatAnswers, expected: stored * options.members, cpuMs, otherPct: other() });
        console.log(JSON.stringify(results[results.length - 1]));
      }
    }
    closeMembers(members);
    report(results);
  } finally {
    await server.stop();
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
    `${generated('npm run bench:client-id')} One SQLite instance, ${options.rooms} rooms of ${options.members} members, one sender per room, ${options.rate} messages/s in all, ${options.rounds} rounds of ${options.seconds} s per mode, the modes interleaved; median over the rounds, range in brackets; "other load": CPU % of one core that other processes used meanwhile.`,
    '',
    '| messages | server CPU µs per delivered frame | server CPU µs per stored message | lost | other load (max) |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
  writeBetweenMarkers(join(REPO, 'docs', 'benchmarks.md'), table, 'client-id', 'Idempotent sends: with and without client_id');
  console.log(table);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
