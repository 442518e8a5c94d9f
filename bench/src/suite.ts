import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { machine, openFilesLimit, type MachineInfo } from './proc';
import { connectStorm, type StormResult } from './scenarios/connect-storm';
import { historyReads, type HistoryResult } from './scenarios/history';
import { idleHeap, type HeapResult } from './scenarios/heap';
import { idleMemory, type IdleResult } from './scenarios/idle';
import { largeHistory, type LargeHistoryResult } from './scenarios/large-history';
import { Workload } from './scenarios/messages';
import { underProfiler } from './scenarios/profile';
import { countSyscalls, perfAvailable, type SyscallResult } from './scenarios/syscalls';
import { closeSession, measure, openSession, setQuietWait, type Measured, type SessionOptions } from './scenarios/session';
import type { ProfileSummary } from './report/cpu-profile';
import {
  CHATSTREAM,
  CHATSTREAM_MAIN,
  CHATSTREAM_MEMORY,
  chatstreamWithWindow,
  REPO,
  SOCKETIO_DEFAULT,
  SOCKETIO_FAST,
  WS_BASELINE,
  WS_DURABLE,
  type ServerSpec,
} from './servers';
import type { SweepOptions, SweepOutcome } from './sweep';

export type Mode = 'quick' | 'full';

export interface StepTiming {
  warmupMs: number;
  durationMs: number;
  drainMs: number;
}

/** Everything a run does, with its sizes; `planFor` gives the quick and full versions. */
export interface Plan {
  mode: Mode;
  threads: number;
  scenarios: ScenarioName[];
  fanout: { clients: number; rooms: number; size: number; timing: StepTiming; sweep: SweepOptions; sweepRounds: number; halfRounds: number; sweepServers: ServerSpec[]; halfServers: ServerSpec[] };
  private: { clients: number; size: number; timing: StepTiming; sweep: SweepOptions; servers: ServerSpec[] };
  idle: { connections: number; servers: ServerSpec[]; settleMs: number };
  heap: { connections: number; servers: ServerSpec[] };
  storm: { connections: number; concurrency: number; warmup: number; servers: ServerSpec[] };
  history: { messages: number; size: number; rate: number; durationMs: number; connections: number; servers: ServerSpec[] };
  commitWindow: { windows: number[]; timing: StepTiming };
  largeHistory: { messages: number; rate: number; durationMs: number } | undefined;
  localAddresses: string[];
  /** How long a measurement waits for other jobs on the machine to calm down. */
  quietWaitMs: number;
}

export const SCENARIOS = ['fanout', 'private', 'idle', 'heap', 'storm', 'history', 'commit-window', 'profile', 'syscalls', 'history-1m'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export function planFor(mode: Mode, overrides: { largeHistory?: number; threads?: number; only?: ScenarioName[] } = {}): Plan {
  const quick = mode === 'quick';
  const timing: StepTiming = quick ? { warmupMs: 1000, durationMs: 3000, drainMs: 3000 } : { warmupMs: 2000, durationMs: 8000, drainMs: 5000 };
  const fdLimit = openFilesLimit();
  const largeMessages = overrides.largeHistory ?? (quick ? 0 : 1_000_000);
  const scenarios = overrides.only ?? SCENARIOS.filter((s) => s !== 'history-1m' || largeMessages > 0);
  return {
    mode,
    threads: overrides.threads ?? 2,
    scenarios,
    fanout: {
      clients: 1000,
      rooms: 10,
      size: 150,
      timing,
      sweep: { start: 200, growth: 1.5, refine: quick ? 2 : 3, maxProbes: quick ? 9 : 12, floor: 20, confirmFailures: true },
      sweepRounds: quick ? 1 : 2,
      halfRounds: quick ? 3 : 5,
      sweepServers: quick ? [WS_DURABLE, WS_BASELINE, CHATSTREAM, CHATSTREAM_MEMORY, SOCKETIO_FAST] : [WS_DURABLE, WS_BASELINE, CHATSTREAM, CHATSTREAM_MEMORY, SOCKETIO_FAST, SOCKETIO_DEFAULT],
      halfServers: [WS_DURABLE, WS_BASELINE, CHATSTREAM, CHATSTREAM_MEMORY, SOCKETIO_FAST, SOCKETIO_DEFAULT],
    },
    private: {
      clients: 1000,
      size: 150,
      timing,
      sweep: { start: 2000, growth: 2, refine: quick ? 1 : 2, maxProbes: quick ? 7 : 10, floor: 50, confirmFailures: true },
      servers: [WS_DURABLE, WS_BASELINE, CHATSTREAM, SOCKETIO_FAST],
    },
    // One process can hold at most its open-files limit of sockets: stay below it on both ends.
    idle: {
      connections: Math.min(20_000, fdLimit - 200),
      servers: quick ? [WS_BASELINE, CHATSTREAM, SOCKETIO_FAST] : [WS_BASELINE, CHATSTREAM, CHATSTREAM_MEMORY, SOCKETIO_FAST, SOCKETIO_DEFAULT],
      settleMs: quick ? 2000 : 4000,
    },
    heap: { connections: quick ? 2000 : 5000, servers: [WS_BASELINE, CHATSTREAM, SOCKETIO_FAST] },
    storm: {
      connections: quick ? 5000 : 10_000,
      concurrency: 256,
      warmup: 200,
      servers: [WS_DURABLE, WS_BASELINE, CHATSTREAM, CHATSTREAM_MEMORY, SOCKETIO_FAST, SOCKETIO_DEFAULT],
    },
    history: {
      messages: quick ? 5000 : 20_000,
      size: 150,
      rate: 200,
      durationMs: quick ? 3000 : 8000,
      connections: 16,
      servers: [WS_DURABLE, WS_BASELINE, CHATSTREAM, CHATSTREAM_MEMORY, SOCKETIO_FAST],
    },
    commitWindow: { windows: [0, 1, 2, 5], timing },
    largeHistory: largeMessages > 0 ? { messages: largeMessages, rate: 100, durationMs: 10_000 } : undefined,
    // Idle connections: 20,000 sockets need more ephemeral ports than one source address has (the storm uses none, see connect-storm.ts).
    localAddresses: ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'],
    quietWaitMs: quick ? 8000 : 30_000,
  };
}

export interface Versions {
  node: string;
  ws: string;
  socketio: string;
  socketioClient: string;
  betterSqlite3: string;
  chatstreamCommit: string;
  chatstreamBuilt: string;
}

export interface SuiteResults {
  mode: Mode;
  startedAt: string;
  finishedAt: string;
  machine: MachineInfo;
  versions: Versions;
  labels: Record<string, string>;
  plan: { threads: number; fanout: Plan['fanout']; private: Plan['private']; idle: Plan['idle']; storm: Plan['storm']; history: Plan['history'] };
  fanout?: { halfRate: number; sweeps: Record<string, Array<SweepOutcome<Measured>>>; half: Record<string, Measured[]> };
  private?: { sweeps: Record<string, Array<SweepOutcome<Measured>>> };
  idle?: Record<string, IdleResult>;
  heap?: Record<string, HeapResult>;
  storm?: Record<string, StormResult>;
  history?: Record<string, HistoryResult>;
  commitWindow?: { rates: number[]; rows: Record<string, Measured[]> };
  profile?: { rate: number; step: Measured; summary: ProfileSummary };
  wsProfile?: { rate: number; step: Measured; summary: ProfileSummary };
  privateProfile?: { rate: number; step: Measured; summary: ProfileSummary };
  stormProfile?: { result: StormResult; summary: ProfileSummary };
  /** Server system calls per message (perf stat), when perf can count them here. */
  syscalls?: Array<{ label: string; load: string; result: SyscallResult }>;
  largeHistory?: LargeHistoryResult;
  failures: string[];
}

function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(join(REPO, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export function versions(): Versions {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'backend', 'libs'], { cwd: REPO, encoding: 'utf8' }).trim();
    if (dirty) commit += ' + uncommitted changes in backend/ or libs/';
  } catch {
    // not a git checkout
  }
  let built = 'unknown';
  try {
    built = statSync(CHATSTREAM_MAIN).mtime.toISOString();
  } catch {
    built = 'not built';
  }
  return {
    node: process.version,
    ws: packageVersion('ws'),
    socketio: packageVersion('socket.io'),
    socketioClient: packageVersion('socket.io-client'),
    betterSqlite3: packageVersion('better-sqlite3'),
    chatstreamCommit: commit,
    chatstreamBuilt: built,
  };
}

export const median = (values: number[]): number => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** The sustainable offered rate found by the sweeps of one server (median over rounds). */
export function sustainableRate(sweeps: Array<SweepOutcome<Measured>> | undefined): number {
  return median((sweeps ?? []).map((s) => s.sustainable?.rate ?? 0));
}

type Log = (line: string) => void;

function describeStep(label: string, m: Measured): string {
  const l = m.latency;
  return (
    `${label} rate=${m.rate}/s delivered=${Math.round(m.deliveredPerSec)}/s p50=${l.p50}ms p99=${l.p99}ms max=${l.max}ms ` +
    `lost=${m.delivery.lost} dup=${m.delivery.duplicates} err=${m.errorFrames} drop=${m.disconnected} ` +
    `server=${Math.round(m.server.cpuPct)}% ${m.cpuUsPerFrame.toFixed(2)}µs/frame gen=${Math.round(m.generatorCpuPct)}% ` +
    `other=${Math.round(m.otherCpuPct)}% lag99=${m.sendLag.p99}ms ${m.pass ? 'PASS' : 'FAIL'}${m.noisyRetries ? ` (after ${m.noisyRetries} noisy attempts)` : ''}`
  );
}

/** Runs the plan; scenarios run one after another, servers interleaved within each (A, B, C, A, B, C…). */
export async function runSuite(plan: Plan, log: Log): Promise<SuiteResults> {
  const results: SuiteResults = {
    mode: plan.mode,
    startedAt: new Date().toISOString(),
    finishedAt: '',
    machine: machine(),
    versions: versions(),
    labels: {},
    plan: { threads: plan.threads, fanout: plan.fanout, private: plan.private, idle: plan.idle, storm: plan.storm, history: plan.history },
    failures: [],
  };
  setQuietWait(plan.quietWaitMs);
  const label = (spec: ServerSpec): string => (results.labels[spec.id] = spec.label);
  const attempt = async <T>(what: string, run: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await run();
    } catch (error) {
      const message = `${what}: ${error instanceof Error ? error.message : String(error)}`.slice(0, 2000);
      log(`FAILED ${message}`);
      results.failures.push(message);
      return undefined;
    }
  };
  const wants = (name: ScenarioName): boolean => plan.scenarios.includes(name);
  const fanoutSession: SessionOptions = { clients: plan.fanout.clients, layout: 'rooms', rooms: plan.fanout.rooms, threads: plan.threads };
  const stepOf = (timing: StepTiming, size: number) => ({ ...timing, size });

  if (wants('fanout')) {
    const f = plan.fanout;
    const out: NonNullable<SuiteResults['fanout']> = { halfRate: 0, sweeps: {}, half: {} };
    results.fanout = out;
    const rounds = Math.max(f.sweepRounds, f.halfRounds);
    for (let round = 0; round < rounds; round++) {
      for (const spec of f.halfServers) {
        const sweepIt = round < f.sweepRounds && f.sweepServers.includes(spec);
        const halfIt = round < f.halfRounds;
        if (!sweepIt && !halfIt) continue;
        label(spec);
        await attempt(`fan-out ${spec.label} round ${round + 1}`, async () => {
          const work = new Workload(spec, { session: fanoutSession, step: stepOf(f.timing, f.size) });
          try {
            const half = async (): Promise<void> => {
              const m = await work.step(out.halfRate);
              (out.half[spec.id] ??= []).push(m);
              log(describeStep(`fan-out half-load ${spec.label}`, m));
            };
            if (halfIt && out.halfRate > 0) await half();
            if (sweepIt) {
              log(`fan-out sweep ${spec.label} (round ${round + 1})`);
              const outcome = await work.sweep({ ...f.sweep, start: sustainableRate(out.sweeps[spec.id]) || f.sweep.start });
              for (const probe of outcome.probes) log(describeStep(`  probe`, probe.result));
              (out.sweeps[spec.id] ??= []).push(outcome);
              if (spec.id === WS_DURABLE.id && out.halfRate === 0) out.halfRate = Math.round(sustainableRate(out.sweeps[spec.id]) / 2);
              log(`  sustainable ${spec.label}: ${outcome.sustainable?.rate ?? 'none'} msg/s`);
            }
            if (halfIt && (out.half[spec.id]?.length ?? 0) <= round && out.halfRate > 0) await half();
          } finally {
            await work.close();
          }
        });
      }
    }
  }

  if (wants('private')) {
    const p = plan.private;
    const out: NonNullable<SuiteResults['private']> = { sweeps: {} };
    results.private = out;
    for (const spec of p.servers) {
      label(spec);
      await attempt(`private ${spec.label}`, async () => {
        const work = new Workload(spec, {
          session: { clients: p.clients, layout: 'pairs', threads: plan.threads },
          step: stepOf(p.timing, p.size),
        });
        try {
          log(`private sweep ${spec.label}`);
          const outcome = await work.sweep(p.sweep);
          for (const probe of outcome.probes) log(describeStep('  probe', probe.result));
          (out.sweeps[spec.id] ??= []).push(outcome);
        } finally {
          await work.close();
        }
      });
    }
  }

  if (wants('idle')) {
    results.idle = {};
    for (const spec of plan.idle.servers) {
      label(spec);
      const r = await attempt(`idle ${spec.label}`, () =>
        idleMemory(spec, { connections: plan.idle.connections, threads: plan.threads, localAddresses: plan.localAddresses, settleMs: plan.idle.settleMs }),
      );
      if (r) {
        results.idle[spec.id] = r;
        log(`idle ${spec.label}: ${r.connections} connections, ${r.perConnectionKB.toFixed(2)} KB each (RSS ${r.rssBeforeKB} -> ${r.rssAfterKB} KB)`);
      }
    }
  }

  if (wants('heap')) {
    results.heap = {};
    for (const spec of plan.heap.servers) {
      label(spec);
      const r = await attempt(`heap ${spec.label}`, () => idleHeap(spec, plan.heap.connections, plan.threads));
      if (r) {
        results.heap[spec.id] = r;
        log(`heap ${spec.label}: ${Math.round(r.bytesPerConnection)} bytes of JS heap per idle connection; ${r.kinds.slice(0, 4).map((k) => `${k.kind} ${Math.round(k.bytesPerUnit)}`).join(', ')}`);
      }
    }
  }

  if (wants('storm')) {
    results.storm = {};
    for (const spec of plan.storm.servers) {
      label(spec);
      const s = plan.storm;
      const r = await attempt(`connect storm ${spec.label}`, () =>
        connectStorm(spec, { connections: s.connections, concurrency: s.concurrency, warmup: s.warmup, threads: plan.threads }),
      );
      if (r) {
        results.storm[spec.id] = r;
        log(`storm ${spec.label}: ${r.connect.ok} ok ${r.connect.failed} failed, ${Math.round(r.connect.perSecond)}/s, ${r.cpuUsPerConnect.toFixed(0)} µs CPU each`);
      }
    }
  }

  if (wants('history')) {
    results.history = {};
    for (const spec of plan.history.servers) {
      label(spec);
      const r = await attempt(`history ${spec.label}`, () => historyReads(spec, plan.history));
      if (r) {
        results.history[spec.id] = r;
        log(`history ${spec.label}: newest p99=${r.reads.perPath.newest?.p99}ms deep p99=${r.reads.perPath.deep?.p99}ms failed=${r.reads.failed} ${r.cpuUsPerRequest.toFixed(0)} µs/request`);
      }
    }
  }

  const csRate = sustainableRate(results.fanout?.sweeps[CHATSTREAM.id]);
  const halfRate = results.fanout?.halfRate || 400;

  if (wants('commit-window')) {
    const rates = [halfRate, csRate || halfRate * 2].filter((r, i, all) => all.indexOf(r) === i);
    const out: NonNullable<SuiteResults['commitWindow']> = { rates, rows: {} };
    results.commitWindow = out;
    for (const ms of plan.commitWindow.windows) {
      const spec = chatstreamWithWindow(ms);
      label(spec);
      await attempt(`commit window ${ms} ms`, async () => {
        const work = new Workload(spec, { session: fanoutSession, step: stepOf(plan.commitWindow.timing, plan.fanout.size) });
        try {
          for (const rate of rates) {
            const m = await work.step(rate);
            (out.rows[String(ms)] ??= []).push(m);
            log(describeStep(`commit window ${ms} ms`, m));
          }
        } finally {
          await work.close();
        }
      });
    }
  }

  if (wants('profile')) {
    const step = { rate: halfRate, ...plan.fanout.timing, size: plan.fanout.size };
    const profiled = (spec: ServerSpec, sessionOptions = fanoutSession, load = step) =>
      attempt(`CPU profile (${sessionOptions.layout}, ${spec.label})`, () =>
        underProfiler(async (start, window) => {
          const session = await openSession(spec, { ...sessionOptions, start });
          try {
            return await measure(session, { ...load, hooks: window });
          } finally {
            await closeSession(session);
          }
        }),
      );
    const fan = await profiled(CHATSTREAM);
    if (fan) {
      results.profile = { rate: halfRate, step: fan.result, summary: fan.summary };
      log(describeStep('profiled ChatStream', fan.result));
      for (const entry of fan.summary.top.slice(0, 10)) log(`  ${entry.pct}% ${entry.name} ${entry.where}`);
    }
    const privateRate = 2000;
    const direct = await profiled(CHATSTREAM, { clients: plan.private.clients, layout: 'pairs', threads: plan.threads }, { rate: privateRate, ...plan.private.timing, size: plan.private.size });
    if (direct) {
      results.privateProfile = { rate: privateRate, step: direct.result, summary: direct.summary };
      log(describeStep('profiled ChatStream, private messages', direct.result));
      for (const entry of direct.summary.top.slice(0, 10)) log(`  ${entry.pct}% ${entry.name} ${entry.where}`);
    }
    const base = await profiled(WS_DURABLE);
    if (base) {
      results.wsProfile = { rate: halfRate, step: base.result, summary: base.summary };
      log(describeStep('profiled bare ws, durable', base.result));
    }
    const s = plan.storm;
    const storm = await attempt('CPU profile (connect storm)', () =>
      underProfiler((start, window) =>
        connectStorm(CHATSTREAM, { connections: s.connections, concurrency: s.concurrency, warmup: s.warmup, threads: plan.threads, start, hooks: window }),
      ),
    );
    if (storm) {
      results.stormProfile = storm;
      log(`profiled ChatStream connect storm: ${Math.round(storm.result.connect.perSecond)}/s`);
      for (const entry of storm.summary.top.slice(0, 10)) log(`  ${entry.pct}% ${entry.name} ${entry.where}`);
    }
  }

  if (wants('syscalls')) {
    if (!perfAvailable()) log('syscalls: perf cannot count syscall tracepoints here; skipped');
    else {
      results.syscalls = [];
      const privateStep = { rate: 2000, ...plan.private.timing, size: plan.private.size };
      const cases: Array<[ServerSpec, string, SessionOptions, typeof privateStep]> = [
        [CHATSTREAM, `fan-out, ${halfRate} msg/s`, fanoutSession, { rate: halfRate, ...plan.fanout.timing, size: plan.fanout.size }],
        [CHATSTREAM_MEMORY, `fan-out, ${halfRate} msg/s`, fanoutSession, { rate: halfRate, ...plan.fanout.timing, size: plan.fanout.size }],
        [CHATSTREAM, 'private, 2000 msg/s', { clients: plan.private.clients, layout: 'pairs', threads: plan.threads }, privateStep],
        [CHATSTREAM_MEMORY, 'private, 2000 msg/s', { clients: plan.private.clients, layout: 'pairs', threads: plan.threads }, privateStep],
      ];
      for (const [spec, load, session, step] of cases) {
        const r = await attempt(`syscalls ${spec.label} ${load}`, () => countSyscalls(spec, session, step));
        if (r) {
          results.syscalls.push({ label: spec.label, load, result: r });
          log(`syscalls ${spec.label} ${load}: ${Object.entries(r.perMessage).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')} per message`);
        }
      }
    }
  }

  if (wants('history-1m') && plan.largeHistory) {
    const lh = plan.largeHistory;
    const r = await attempt('1M stored messages', () =>
      largeHistory({
        messages: lh.messages,
        size: plan.history.size,
        rate: lh.rate,
        durationMs: lh.durationMs,
        connections: plan.history.connections,
        quietWaitMs: plan.quietWaitMs,
      }),
    );
    if (r) {
      results.largeHistory = r;
      log(
        `history ${r.messages} messages: seeded in ${r.seedSeconds.toFixed(1)} s; RSS empty ${r.empty.rssStartKB} KB, full ${r.full.rssStartKB} KB; ` +
          `newest p99 ${r.full.reads.perPath.newest?.p99} ms, deep p99 ${r.full.reads.perPath.deep?.p99} ms`,
      );
    }
  }

  results.finishedAt = new Date().toISOString();
  return results;
}
