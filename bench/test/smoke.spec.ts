import { existsSync } from 'node:fs';
import { changedAfter } from '../src/scenarios/changed-after';
import { connectStorm } from '../src/scenarios/connect-storm';
import { historyReads } from '../src/scenarios/history';
import { idleMemory } from '../src/scenarios/idle';
import { Workload } from '../src/scenarios/messages';
import { underProfiler } from '../src/scenarios/profile';
import { searchAtScale } from '../src/scenarios/search';
import { CHATSTREAM_MAIN, CHATSTREAM_MEMORY, REPO, SOCKETIO_FAST, WS_BASELINE, WS_DURABLE, WS_DURABLE_WINDOW } from '../src/servers';

/**
 * Every scenario for a second or so against the three servers, on a tiny
 * load: delivery counts must be exact (nothing lost, nothing twice). Speed
 * is not asserted. Needs the builds (the Nx test target builds them first).
 */
const SERVERS = [CHATSTREAM_MEMORY, WS_BASELINE, WS_DURABLE, WS_DURABLE_WINDOW, SOCKETIO_FAST];
const TIMING = { warmupMs: 200, durationMs: 800, drainMs: 2000 };

beforeAll(() => {
  for (const file of [CHATSTREAM_MAIN, `${REPO}/bench/dist/baselines/ws-server.js`, `${REPO}/bench/dist/generator/worker.js`]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: build first (npx nx run bench:test builds backend and bench)`);
  }
});

describe.each(SERVERS)('$label', (spec) => {
  it('room fan-out: every member gets every message of its room once, the sender included', async () => {
    const work = new Workload(spec, { session: { clients: 24, layout: 'rooms', rooms: 3, threads: 2, prefix: 'fan' }, step: { ...TIMING, size: 150 } });
    try {
      const step = await work.step(60);
      // 24 clients in 3 rooms of 8: every message is delivered 8 times.
      expect(step.sent).toBe(60);
      expect(step.delivery).toEqual({ expected: 60 * 8, delivered: 60 * 8, lost: 0, duplicates: 0, unexpected: 0 });
      expect(step.errorFrames).toBe(0);
      expect(step.latency.count).toBeGreaterThan(0);
      expect(step.server.cpuMs).toBeGreaterThanOrEqual(0);
    } finally {
      await work.close();
    }
  });

  it('private messages: recipient and sender each get one copy', async () => {
    const work = new Workload(spec, { session: { clients: 20, layout: 'pairs', threads: 1, prefix: 'pm' }, step: { ...TIMING, size: 150 } });
    try {
      const step = await work.step(50);
      expect(step.sent).toBe(50);
      expect(step.delivery).toEqual({ expected: 100, delivered: 100, lost: 0, duplicates: 0, unexpected: 0 });
      expect(step.errorFrames).toBe(0);
    } finally {
      await work.close();
    }
  });

  it('idle connections: all open, memory read', async () => {
    const result = await idleMemory(spec, { connections: 60, threads: 1, localAddresses: ['127.0.0.1', '127.0.0.2'], settleMs: 100 });
    expect(result.connections).toBe(60);
    expect(result.rssAfterKB).toBeGreaterThan(0);
  });

  it('connect storm: every connection gets its welcome', async () => {
    const result = await connectStorm(spec, { connections: 120, concurrency: 32, warmup: 10, threads: 2, localAddresses: [] });
    expect(result.connect.ok).toBe(120);
    expect(result.connect.failed).toBe(0);
    expect(result.connect.perSecond).toBeGreaterThan(0);
  });

  it('history reads: the room fills, and every page read succeeds', async () => {
    const result = await historyReads(spec, { messages: 150, size: 150, rate: 100, durationMs: 600, connections: 4 });
    expect(result.seeded).toBe(150);
    expect(result.reads.requests).toBe(60);
    expect(result.reads.failed).toBe(0);
    expect(result.reads.perPath.deep.count).toBe(30);
  });
});

it('profiles the ChatStream server while it works', async () => {
  const { result, summary } = await underProfiler((start, window) =>
    connectStorm(CHATSTREAM_MEMORY, { connections: 100, concurrency: 32, warmup: 0, threads: 1, localAddresses: [], start, hooks: window }),
  );
  expect(result.connect.ok).toBe(100);
  expect(summary.samples).toBeGreaterThan(0);
  expect(summary.top.length).toBeGreaterThan(0);
});

it('search at scale: seeds, reads every request kind without a failure, and writes with the index on and off', async () => {
  const options = { messages: 2000, rooms: 5, rate: 50, durationMs: 400, connections: 2, writes: 200, writeRounds: 1 };
  const result = await searchAtScale('sqlite', options, () => undefined);
  expect(result.reads.failed).toBe(0);
  expect(Object.keys(result.reads.perPath)).toEqual(['search "meeting"', 'search "xylo"', 'search "meeting caf"', 'rooms (5, unread)']);
  for (const summary of Object.values(result.reads.perPath)) expect(summary.count).toBe(20);
  expect(result.writes.map((w) => w.indexOn)).toEqual([true, false]);
  expect(result.indexBytes).toBeGreaterThan(0);
}, 60000);

it('changed_after at scale, small: ChatStream and the simplest program answer the same checked pages, none fails', async () => {
  const result = await changedAfter({ messages: 3000, edits: 300, size: 60, rate: 40, durationMs: 600, connections: 2, afterReadsMs: 0 });
  expect(result.reading.reads.failed).toBe(0);
  expect(result.reading.reads.perGroup.pages.count).toBeGreaterThan(0);
  expect(Object.keys(result.reading.barePages?.perPath ?? {})).toEqual(['first-edits', 'mid-edits', 'last-edits', 'from-zero']);
  expect(result.reading.barePages?.perGroup.pages.count).toBeGreaterThan(0);
  expect(result.reading.bareFloor?.count).toBeGreaterThan(0);
}, 120_000);
