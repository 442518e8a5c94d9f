import type { ServerReading } from '../scenarios/large-history';
import type { Measured } from '../scenarios/session';
import type { SuiteResults } from '../suite';
import { median } from '../suite';

/** One row of the targets table. */
export interface TargetRow {
  measure: string;
  target: string;
  /** What was measured, in words and numbers. */
  measured: string;
  /** undefined: not measured in this run. */
  met?: boolean;
}

const ratio = (a: number, b: number): number => (b > 0 ? a / b : NaN);
const x = (r: number): string => (Number.isFinite(r) ? `${r.toFixed(2)}×` : 'n/a');
const ok = (...conditions: Array<boolean | undefined>): boolean | undefined =>
  conditions.some((c) => c === undefined) ? undefined : conditions.every(Boolean);
const has = (n: number): boolean => Number.isFinite(n) && n > 0;

/** Delivered frames/s at the sustainable rate (median over the sweep rounds). */
export function sustainableDelivered(results: SuiteResults, id: string, scenario: 'fanout' | 'private' = 'fanout'): number {
  const sweeps = scenario === 'fanout' ? results.fanout?.sweeps[id] : results.private?.sweeps[id];
  return median((sweeps ?? []).map((s) => s.sustainable?.result.deliveredPerSec ?? 0));
}

export function halfLoad(results: SuiteResults, id: string, pick: (m: Measured) => number): number {
  return median((results.fanout?.half[id] ?? []).map(pick));
}

/** The targets: latency and CPU against the durable bare ws baseline; throughput and memory also against the in-memory baselines. */
export function evaluateTargets(results: SuiteResults): TargetRow[] {
  const rows: TargetRow[] = [];
  const cs = 'chatstream';
  const ws = 'ws';
  const durable = 'ws-durable';
  const sio = 'socketio';
  if (results.fanout) {
    const half = `at half the durable baseline's sustainable load (${results.fanout.halfRate} msg/s offered)`;
    const againstDurable = (measure: string, bound: number, unit: string, of: (id: string) => number, digits = 2): TargetRow => {
      const [c, d] = [of(cs), of(durable)];
      const r = ratio(c, d);
      const atLeast = unit === '/s';
      return {
        measure,
        target: `${atLeast ? '≥' : '≤'} ${bound}× bare ws, durable`,
        measured: `${c.toFixed(digits)} vs ${d.toFixed(digits)} ${unit}: ${x(r)}`,
        met: has(c) && has(d) ? (atLeast ? r >= bound : r <= bound) : undefined,
      };
    };
    const atHalf = (pick: (m: Measured) => number) => (id: string) => halfLoad(results, id, pick);
    rows.push(
      againstDurable(`p99 latency ${half}`, 1.2, 'ms', atHalf((m) => m.latency.p99)),
      againstDurable(`p50 latency ${half}`, 1.3, 'ms', atHalf((m) => m.latency.p50)),
      againstDurable('sustainable delivered messages/s (fan-out), against the durable baseline', 2, '/s', (id) => sustainableDelivered(results, id), 0),
      againstDurable(`server CPU per delivered frame ${half}`, 0.8, 'µs', atHalf((m) => m.cpuUsPerFrame)),
    );
  }
  if (results.fanout) {
    const [c, w, s] = [cs, ws, sio].map((id) => sustainableDelivered(results, id));
    const measured = has(c) && has(w) && has(s);
    rows.push({
      measure: 'sustainable delivered messages/s (fan-out)',
      target: '≥ 0.9× bare ws, ≥ 1.2× Socket.IO',
      measured: `${Math.round(c).toLocaleString('en-US')}/s: ${x(ratio(c, w))} bare ws, ${x(ratio(c, s))} Socket.IO`,
      met: measured ? ratio(c, w) >= 0.9 && ratio(c, s) >= 1.2 : undefined,
    });
    const [cc, cw, csio] = [cs, ws, sio].map((id) => halfLoad(results, id, (m) => m.cpuUsPerFrame));
    rows.push({
      measure: 'server CPU per delivered frame (at half load), against the in-memory baselines',
      target: '≤ 1.1× bare ws, ≤ 0.9× Socket.IO',
      measured: `${cc.toFixed(2)} µs: ${x(ratio(cc, cw))} bare ws, ${x(ratio(cc, csio))} Socket.IO`,
      met: has(cc) && has(cw) && has(csio) ? ratio(cc, cw) <= 1.1 && ratio(cc, csio) <= 0.9 : undefined,
    });
    const [pc, pw, ps] = [cs, ws, sio].map((id) => halfLoad(results, id, (m) => m.latency.p99));
    rows.push({
      measure: 'p99 latency at half load, against the in-memory baselines',
      target: '≤ 1.2× bare ws, ≤ 0.6× Socket.IO',
      measured: `${pc.toFixed(1)} ms: ${x(ratio(pc, pw))} bare ws, ${x(ratio(pc, ps))} Socket.IO`,
      met: has(pc) && has(pw) && has(ps) ? ratio(pc, pw) <= 1.2 && ratio(pc, ps) <= 0.6 : undefined,
    });
  }
  if (results.idle) {
    const c = results.idle[cs]?.perConnectionKB;
    const w = results.idle[ws]?.perConnectionKB;
    const n = results.idle[cs]?.connections ?? 0;
    rows.push({
      measure: `idle memory per connection (${n.toLocaleString('en-US')} connections)`,
      target: '≤ 1.25× bare ws, and ≤ 10 KB',
      measured: c === undefined ? 'not measured' : `${c.toFixed(2)} KB: ${x(ratio(c, w ?? NaN))} bare ws`,
      met: c === undefined || w === undefined ? undefined : ratio(c, w) <= 1.25 && c <= 10,
    });
  }
  if (results.storm) {
    const c = results.storm[cs]?.connect.perSecond;
    rows.push({
      measure: 'connects per second',
      target: '≥ 5,000',
      measured: c === undefined ? 'not measured' : `${Math.round(c).toLocaleString('en-US')}/s`,
      met: c === undefined ? undefined : c >= 5000,
    });
  }
  if (results.fanout) {
    const on = sustainableDelivered(results, cs);
    const off = sustainableDelivered(results, 'chatstream-memory');
    rows.push({
      measure: 'storage on vs off (sustainable delivered messages/s)',
      target: '≥ 0.8×',
      measured: `${Math.round(on).toLocaleString('en-US')} vs ${Math.round(off).toLocaleString('en-US')}/s: ${x(ratio(on, off))}`,
      met: has(on) && has(off) ? ratio(on, off) >= 0.8 : undefined,
    });
  }
  const lh = results.largeHistory;
  rows.push({
    measure: '1,000,000 stored messages: RSS vs an empty server',
    target: 'within 20 MB',
    measured: lh
      ? `${lh.messages.toLocaleString('en-US')} messages: ${((lh.full.rssStartKB - lh.empty.rssStartKB) / 1024).toFixed(1)} MB at start, ${((lh.full.rssAfterReadsKB - lh.empty.rssAfterReadsKB) / 1024).toFixed(1)} MB after reads`
      : 'not run (full run, or `--history-1m`)',
    met: lh ? Math.abs(lh.full.rssStartKB - lh.empty.rssStartKB) <= 20 * 1024 && lh.full.rssAfterReadsKB - lh.empty.rssAfterReadsKB <= 20 * 1024 : undefined,
  });
  // "A page" is every page request timed together; the simplest program answering the same pages (baselines/http-page) is beside it.
  const pageP99 = (r: ServerReading): number | undefined => r.reads.perGroup.pages?.p99;
  const beside = (r: ServerReading): string => {
    const bare = r.barePages?.perGroup.pages?.p99;
    return bare === undefined ? '' : `; the simplest program answering the same pages: ${bare} ms`;
  };
  rows.push({
    measure: '1,000,000 stored messages: GET …/messages?limit=50 p99 (newest and deep before= pages)',
    target: '< 5 ms',
    measured: lh
      ? `${pageP99(lh.full)} ms (newest ${lh.full.reads.perPath.newest?.p99}, deep ${lh.full.reads.perPath.deep?.p99}; ${lh.full.reads.failed} failed)${beside(lh.full)}`
      : 'not run (full run, or `--history-1m`)',
    met: lh ? ok((pageP99(lh.full) ?? Infinity) < 5, lh.full.reads.failed === 0) : undefined,
  });
  const ca = results.changedAfter;
  rows.push({
    measure: '1,000,000 stored messages, 100,000 edited: GET …/messages?changed_after=…&limit=50 p99 (every page)',
    target: '< 5 ms',
    measured: ca
      ? `${ca.messages.toLocaleString('en-US')} messages, ${ca.edits.toLocaleString('en-US')} edits: ${pageP99(ca.reading)} ms (${ca.reading.reads.failed} failed)${beside(ca.reading)}`
      : 'not run (full run, or `--changed-1m`)',
    met: ca ? ok((pageP99(ca.reading) ?? Infinity) < 5, ca.reading.reads.failed === 0) : undefined,
  });
  return rows;
}
