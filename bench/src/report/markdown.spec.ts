import type { Measured } from '../scenarios/session';
import type { SuiteResults } from '../suite';
import type { SweepOutcome } from '../sweep';
import { renderMarkdown, p99Chart, bestWindow } from './markdown';
import { evaluateTargets } from './targets';

/** A load step with the figures that matter here. */
function step(rate: number, delivered: number, p99: number, cpuUsPerFrame: number, lost = 0): Measured {
  const latency = { count: 100, p50: p99 / 3, p90: p99 / 2, p99, max: p99 * 1.5, mean: p99 / 3 };
  return {
    rate,
    sent: rate * 3,
    skipped: 0,
    delivery: { expected: 1000, delivered: 1000 - lost, lost, duplicates: 0, unexpected: 0 },
    windowMs: 3000,
    windowFrames: delivered * 3,
    deliveredPerSec: delivered,
    latency,
    sendLag: latency,
    stale: 0,
    errorFrames: 0,
    errors: [],
    disconnected: 0,
    drainMs: 10,
    generatorCpuPct: 80,
    server: { wallMs: 3000, cpuMs: (cpuUsPerFrame * delivered * 3) / 1000, systemMs: 500, cpuPct: 50, rssKB: 100_000, hwmKB: 100_000 },
    cpuUsPerFrame,
    otherCpuPct: 5,
    pass: lost === 0 && p99 <= 50,
  };
}

function swept(rate: number, delivered: number, cpu: number): SweepOutcome<Measured> {
  const best = { rate, pass: true, result: step(rate, delivered, 20, cpu) };
  return { sustainable: best, probes: [{ rate: rate / 2, pass: true, result: step(rate / 2, delivered / 2, 10, cpu) }, best, { rate: rate * 1.5, pass: false, result: step(rate * 1.5, delivered, 900, cpu, 5) }] };
}

function fixture(): SuiteResults {
  const connect = { ok: 20_000, failed: 0, durationMs: 4000, perSecond: 5000, latency: { count: 1, p50: 1, p90: 1, p99: 2, max: 3, mean: 1 }, errors: [] };
  return {
    mode: 'quick',
    startedAt: '2026-11-25T16:00:00.000Z',
    finishedAt: '2026-11-25T16:06:00.000Z',
    machine: { cpuModel: 'Test CPU', cores: 2, memoryGiB: 24, kernel: '6.1', loadAverage: '0.1 0.1 0.1' },
    versions: { node: 'v20', ws: '8', socketio: '4.8.4', socketioClient: '4.8.4', betterSqlite3: '12', chatstreamCommit: 'abc', chatstreamBuilt: 'now' },
    labels: { 'ws-durable': 'bare ws, durable', ws: 'bare ws', chatstream: 'ChatStream (SQLite)', 'chatstream-memory': 'ChatStream (memory)', socketio: 'Socket.IO (websocket only)' },
    plan: {
      threads: 2,
      fanout: { clients: 1000, rooms: 10, size: 150, timing: { warmupMs: 1000, durationMs: 3000, drainMs: 3000 }, sweep: { start: 200, growth: 1.5, refine: 2, maxProbes: 8, floor: 20 }, sweepRounds: 1, halfRounds: 1, sweepServers: [], halfServers: [] },
      private: { clients: 1000, size: 150, timing: { warmupMs: 1000, durationMs: 3000, drainMs: 3000 }, sweep: { start: 1000, growth: 1.6, refine: 1, maxProbes: 6, floor: 50 }, servers: [] },
      idle: { connections: 19_800, servers: [], settleMs: 2000 },
      storm: { connections: 5000, concurrency: 256, warmup: 200, servers: [] },
      history: { messages: 5000, size: 150, rate: 500, durationMs: 3000, connections: 16, servers: [] },
    },
    fanout: {
      halfRate: 300,
      sweeps: { 'ws-durable': [swept(250, 25_000, 14)], ws: [swept(600, 60_000, 10)], chatstream: [swept(560, 56_000, 10.5)], 'chatstream-memory': [swept(600, 60_000, 9)], socketio: [swept(400, 40_000, 14)] },
      half: { 'ws-durable': [step(300, 30_000, 10, 14)], ws: [step(300, 30_000, 10, 10)], chatstream: [step(300, 30_000, 11, 11)], socketio: [step(300, 30_000, 25, 14)] },
    },
    idle: {
      ws: { connections: 19_800, connect, rssBeforeKB: 50_000, rssAfterKB: 150_000, perConnectionKB: 5 },
      chatstream: { connections: 19_800, connect, rssBeforeKB: 100_000, rssAfterKB: 330_000, perConnectionKB: 12 },
    },
    storm: { chatstream: { connect, serverCpuMs: 1000, cpuUsPerConnect: 200 } },
    commitWindow: { rates: [300, 560], rows: { '0': [step(300, 30_000, 12, 11), step(560, 56_000, 40, 10)], '2': [step(300, 30_000, 14, 11), step(560, 56_000, 30, 10)] } },
    failures: [],
  };
}

describe('targets', () => {
  it('compares latency, throughput and CPU with the durable baseline', () => {
    const rows = evaluateTargets(fixture());
    const byMeasure = (start: string) => rows.find((r) => r.measure.startsWith(start) && r.target.includes('durable'));
    // p99 11 vs 10 ms: 1.1 ≤ 1.2; p50 11/3 vs 10/3: 1.1 ≤ 1.3.
    expect(byMeasure('p99 latency')?.met).toBe(true);
    expect(byMeasure('p50 latency')?.met).toBe(true);
    // 56,000 / 25,000 = 2.24 ≥ 2.
    expect(byMeasure('sustainable delivered')?.met).toBe(true);
    // 11 / 14 = 0.79 ≤ 0.8.
    expect(byMeasure('server CPU per delivered frame')?.met).toBe(true);
  });

  it('compares ChatStream with the in-memory baselines and Socket.IO, and says met or missed', () => {
    const rows = evaluateTargets(fixture());
    const byMeasure = (start: string) => rows.find((r) => r.measure.startsWith(start) && !r.target.includes('durable'));
    // 56,000 / 60,000 = 0.93 ≥ 0.9 and 56,000 / 40,000 = 1.4 ≥ 1.2.
    expect(byMeasure('sustainable delivered')?.met).toBe(true);
    // 11 / 10 = 1.1 ≤ 1.1 and 11 / 14 = 0.79 ≤ 0.9.
    expect(byMeasure('server CPU per delivered frame')?.met).toBe(true);
    // 11 / 10 = 1.1 ≤ 1.2 but 11 / 25 = 0.44 ≤ 0.6: met.
    expect(byMeasure('p99 latency')?.met).toBe(true);
    // 12 KB: 2.4× bare ws and over 10 KB.
    expect(byMeasure('idle memory')?.met).toBe(false);
    expect(byMeasure('connects per second')?.met).toBe(true);
    // 56,000 / 60,000 = 0.93 ≥ 0.8.
    expect(byMeasure('storage on vs off')?.met).toBe(true);
    // Not run in quick mode: neither met nor missed.
    expect(byMeasure('1,000,000 stored messages: RSS')?.met).toBeUndefined();
  });
});

describe('the generated report', () => {
  it('has a table per scenario, the targets and the missed ones, and points at the chart', () => {
    const md = renderMarkdown(fixture(), 'bench-p99.svg', 360);
    for (const heading of ['### Machine and versions', '### Targets', '### Room fan-out', '### Idle connections', '### Connect storm', '### Group-commit window', '### Missed targets']) {
      expect(md).toContain(heading);
    }
    expect(md).toContain('![p99 latency against offered load](bench-p99.svg)');
    expect(md).toMatch(/idle memory per connection.*12\.00 KB: 2\.40× bare ws/);
  });

  it('puts the durable baseline next to the in-memory one in the latency and CPU tables', () => {
    const md = renderMarkdown(fixture(), undefined, 360);
    expect(md).toContain('p99 × bare ws, durable | p99 × bare ws |');
    expect(md).toContain('CPU × bare ws, durable | CPU × bare ws |');
  });

  it('writes tables and settings, no claims about one machine', () => {
    const md = renderMarkdown(fixture(), undefined, 360);
    expect(md).not.toMatch(/2-core|cannot be raised|this machine/i);
  });

  it('draws one line per swept server, failed probes hollow', () => {
    const svg = p99Chart(fixture()) ?? '';
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<path /g)).toHaveLength(5);
    expect(svg).toContain('fill="#ffffff" stroke=');
  });

  it('shows each changed_after page beside the simplest program answering it, and judges the target on every page timed together', () => {
    const latency = (p99: number) => ({ count: 1000, p50: 1, p90: 2, p99, max: p99 * 2, mean: 1 });
    const reads = { requests: 5000, ok: 5000, failed: 0, errors: [], perPath: { 'first-edits': latency(2), 'last-edits': latency(6), health: latency(1) }, perGroup: { pages: latency(5.5) }, all: latency(6), perSecond: 100 };
    const barePages = { ...reads, perPath: { 'first-edits': latency(1.5), 'last-edits': latency(3) }, perGroup: { pages: latency(2.5) } };
    const reading = { rssStartKB: 1, rssAfterReadsKB: 1, reads, otherCpuPct: 12, bareFloor: latency(0.5), barePages };
    const results = { ...fixture(), changedAfter: { messages: 1_000_000, edits: 100_000, rate: 100, seedSeconds: 30, databaseMB: 300, reading, direct: { 'first-edits': latency(0.3) } } };
    const md = renderMarkdown(results, undefined, 360);
    expect(md).toMatch(/the first 50 edits \(a client current before them\) \| 1\.00 \| 2\.00 \| 4\.00 \| 1\.00 \| 0\.30 \| 1\.00 \| 1\.50 \|/);
    expect(md).toMatch(/\*\*every page\*\* \(all of the above but health, timed together\) \| 1\.00 \| 5\.50 \| 11\.0 \| — \| — \| 1\.00 \| 2\.50 \|/);
    expect(md).toMatch(/`\/api\/health` \(the same server, no database\) \| 1\.00 \| 1\.00 \|/);
    expect(md).toMatch(/a bare `node:http` server answering a constant \(the floor\) \| 1\.00 \| 0\.50 \| 1\.00 \|/);
    const row = evaluateTargets(results).find((r) => r.measure.includes('changed_after'));
    expect(row).toMatchObject({ met: false, measured: expect.stringMatching(/5\.5 ms .*simplest program answering the same pages: 2\.5 ms/) });
    const faster = { ...results, changedAfter: { ...results.changedAfter, reading: { ...reading, reads: { ...reads, perGroup: { pages: latency(4.9) } } } } };
    expect(evaluateTargets(faster).find((r) => r.measure.includes('changed_after'))?.met).toBe(true);
    expect(evaluateTargets(fixture()).find((r) => r.measure.includes('changed_after'))?.met).toBeUndefined();
  });

  it('picks the commit window with the lowest p99 at the highest rate', () => {
    expect(bestWindow(fixture().commitWindow!)).toContain('COMMIT_WINDOW_MS=2');
  });
});
