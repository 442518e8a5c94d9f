import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { machine, openFilesLimit, type MachineInfo } from './proc';
import { connectStorm, type StormResult } from './scenarios/connect-storm';
import { historyReads, type HistoryResult } from './scenarios/history';
import { idleHeap, type HeapResult } from './scenarios/heap';
import { idleMemory, type IdleResult } from './scenarios/idle';
import { changedAfter, type ChangedAfterResult } from './scenarios/changed-after';
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
  chatstreamBuiltIn,
  chatstreamWithWindow,
  COMPARE_ID,
  REPO,
  SOCKETIO_DEFAULT,
  SOCKETIO_FAST,
  WS_BASELINE,
  WS_DURABLE,
  WS_DURABLE_WINDOW,
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
  fanout: {
    clients: number;
    rooms: number;
    size: number;
    timing: StepTiming;
    sweep: SweepOptions;
    sweepRounds: number;
    halfRounds: number;
    sweepServers: ServerSpec[];
    halfServers: ServerSpec[];
    /** The half-load rate when given (`--half-rate`): no sweep runs to find it. */
    halfRate?: number;
  };
  private: { clients: number; size: number; timing: StepTiming; sweep: SweepOptions; servers: ServerSpec[] };
  idle: { connections: number; servers: ServerSpec[]; settleMs: number };
  heap: { connections: number; servers: ServerSpec[] };
  storm: { connections: number; concurrency: number; warmup: number; servers: ServerSpec[] };
  history: { messages: number; size: number; rate: number; durationMs: number; connections: number; servers: ServerSpec[] };
  commitWindow: { windows: number[]; timing: StepTiming };
  largeHistory: { messages: number; rate: number; durationMs: number } | undefined;
  /** changed_after pages over `messages` stored messages, `edits` of them edited. */
  changedAfter: { messages: number; edits: number; rate: number; durationMs: number } | undefined;
  localAddresses: string[];
  /** How long a measurement waits for other jobs on the machine to calm down. */
  quietWaitMs: number;
}

export const SCENARIOS = ['fanout', 'private', 'idle', 'heap', 'storm', 'history', 'commit-window', 'profile', 'syscalls', 'history-1m', 'changed-1m'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/** Sizes a run may be given instead of its mode's: stored messages of the 1M scenarios, worker threads, scenarios, servers. */
export interface PlanOverrides {
  largeHistory?: number;
  changedAfter?: number;
  threads?: number;
  only?: ScenarioName[];
  servers?: string[];
  /** Another checkout whose ChatStream build runs beside this one in the fan-out's half-load rounds. */
  compare?: string;
  /** The fan-out's half-load rate, instead of half the durable baseline's swept rate (no sweeps then). */
  halfRate?: number;
}

export function planFor(mode: Mode, overrides: PlanOverrides = {}): Plan {
  const plan = fullPlan(mode, overrides);
  if (overrides.compare) {
    const half = plan.fanout.halfServers;
    half.splice(half.indexOf(CHATSTREAM) + 1, 0, chatstreamBuiltIn(overrides.compare));
  }
  if (overrides.halfRate) {
    plan.fanout.halfRate = overrides.halfRate;
    plan.fanout.sweepServers = [];
  }
  const keep = overrides.servers;
  if (!keep) return plan;
  const only = (specs: ServerSpec[]): ServerSpec[] => specs.filter((spec) => keep.includes(spec.id));
  plan.fanout.sweepServers = only(plan.fanout.sweepServers);
  plan.fanout.halfServers = only(plan.fanout.halfServers);
  for (const scenario of [plan.private, plan.idle, plan.heap, plan.storm, plan.history]) scenario.servers = only(scenario.servers);
  return plan;
}

/** The ids `--servers` accepts. */
export const SERVER_IDS = [...[WS_DURABLE, WS_DURABLE_WINDOW, WS_BASELINE, CHATSTREAM, CHATSTREAM_MEMORY, SOCKETIO_FAST, SOCKETIO_DEFAULT].map((spec) => spec.id), COMPARE_ID];

function fullPlan(mode: Mode, overrides: PlanOverrides): Plan {
  const quick = mode === 'quick';
  const timing: StepTiming = quick ? { warmupMs: 1000, durationMs: 3000, drainMs: 3000 } : { warmupMs: 2000, durationMs: 8000, drainMs: 5000 };
  const fdLimit = openFilesLimit();
  const largeMessages = overrides.largeHistory ?? (quick ? 0 : 1_000_000);
  const changedMessages = overrides.changedAfter ?? (quick ? 0 : 1_000_000);
  const sized: Partial<Record<ScenarioName, number>> = { 'history-1m': largeMessages, 'changed-1m': changedMessages };
  const scenarios = overrides.only ?? SCENARIOS.filter((s) => (sized[s] ?? 1) > 0);
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
      halfServers: [WS_DURABLE, WS_DURABLE_WINDOW, WS_BASELINE, CHATSTREAM, CHATSTREAM_MEMORY, SOCKETIO_FAST, SOCKETIO_DEFAULT],
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
    commitWindow: { windows: quick ? [0, 1] : [0, 1, 2, 5], timing },
    largeHistory: largeMessages > 0 ? { messages: largeMessages, rate: 100, durationMs: 10_000 } : undefined,
    // Issue 14's size: 1,000,000 messages, 100,000 of them edited.
    changedAfter: changedMessages > 0 ? { messages: changedMessages, edits: Math.floor(changedMessages / 10), rate: 100, durationMs: 10_000 } : undefined,
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
  changedAfter?: ChangedAfterResult;
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

/** What every scenario gets: the plan, the results to fill in, and the run's helpers. */
interface Context {
  plan: Plan;
  results: SuiteResults;
  log: Log;
  /** Runs one measurement; a failure is logged and recorded, and the suite goes on. */
  attempt<T>(what: string, run: () => Promise<T>): Promise<T | undefined>;
  /** Records the server's label for the report and returns it. */
  label(spec: ServerSpec): string;
  fanoutSession: SessionOptions;
  privateSession: SessionOptions;
  /** The offered rate of "half load": half the durable baseline's sustainable rate (400 when fan-out did not run). */
  halfRate(): number;
}

const stepOf = (timing: StepTiming, size: number) => ({ ...timing, size });

/** Sweeps and half-load steps of room fan-out, servers interleaved round by round. */
async function fanout(ctx: Context): Promise<void> {
  const f = ctx.plan.fanout;
  const out: NonNullable<SuiteResults['fanout']> = { halfRate: f.halfRate ?? 0, sweeps: {}, half: {} };
  ctx.results.fanout = out;
  const rounds = Math.max(f.sweepRounds, f.halfRounds);
  for (let round = 0; round < rounds; round++) {
    for (const spec of f.halfServers) {
      const sweepIt = round < f.sweepRounds && f.sweepServers.includes(spec);
      const halfIt = round < f.halfRounds;
      if (!sweepIt && !halfIt) continue;
      ctx.label(spec);
      await ctx.attempt(`fan-out ${spec.label} round ${round + 1}`, async () => {
        const work = new Workload(spec, { session: ctx.fanoutSession, step: stepOf(f.timing, f.size) });
        try {
          const half = async (): Promise<void> => {
            const m = await work.step(out.halfRate);
            (out.half[spec.id] ??= []).push(m);
            ctx.log(describeStep(`fan-out half-load ${spec.label}`, m));
          };
          if (halfIt && out.halfRate > 0) await half();
          if (sweepIt) {
            ctx.log(`fan-out sweep ${spec.label} (round ${round + 1})`);
            const outcome = await work.sweep({ ...f.sweep, start: sustainableRate(out.sweeps[spec.id]) || f.sweep.start });
            for (const probe of outcome.probes) ctx.log(describeStep(`  probe`, probe.result));
            (out.sweeps[spec.id] ??= []).push(outcome);
            if (spec.id === WS_DURABLE.id && out.halfRate === 0) out.halfRate = Math.round(sustainableRate(out.sweeps[spec.id]) / 2);
            ctx.log(`  sustainable ${spec.label}: ${outcome.sustainable?.rate ?? 'none'} msg/s`);
          }
          if (halfIt && (out.half[spec.id]?.length ?? 0) <= round && out.halfRate > 0) await half();
        } finally {
          await work.close();
        }
      });
    }
  }
}

/** The sustainable rate of private messages. */
async function privateMessages(ctx: Context): Promise<void> {
  const p = ctx.plan.private;
  const out: NonNullable<SuiteResults['private']> = { sweeps: {} };
  ctx.results.private = out;
  for (const spec of p.servers) {
    ctx.label(spec);
    await ctx.attempt(`private ${spec.label}`, async () => {
      const work = new Workload(spec, { session: ctx.privateSession, step: stepOf(p.timing, p.size) });
      try {
        ctx.log(`private sweep ${spec.label}`);
        const outcome = await work.sweep(p.sweep);
        for (const probe of outcome.probes) ctx.log(describeStep('  probe', probe.result));
        (out.sweeps[spec.id] ??= []).push(outcome);
      } finally {
        await work.close();
      }
    });
  }
}

type PerServer = 'idle' | 'heap' | 'storm' | 'history';
type ResultOf<K extends PerServer> = NonNullable<SuiteResults[K]>[string];

/** A scenario that measures each of `plan[key].servers` alone and keeps the results under the server's id. */
function perServer<K extends PerServer>(key: K, measure: (spec: ServerSpec, plan: Plan) => Promise<ResultOf<K>>, describe: (r: ResultOf<K>) => string) {
  return async (ctx: Context): Promise<void> => {
    const out: Record<string, ResultOf<K>> = {};
    (ctx.results as Pick<SuiteResults, PerServer>)[key] = out as SuiteResults[K];
    for (const spec of ctx.plan[key].servers) {
      ctx.label(spec);
      const r = await ctx.attempt(`${key} ${spec.label}`, () => measure(spec, ctx.plan));
      if (r === undefined) continue;
      out[spec.id] = r;
      ctx.log(`${key} ${spec.label}: ${describe(r)}`);
    }
  };
}

const idle = perServer(
  'idle',
  (spec, plan) => idleMemory(spec, { connections: plan.idle.connections, threads: plan.threads, localAddresses: plan.localAddresses, settleMs: plan.idle.settleMs }),
  (r) => `${r.connections} connections, ${r.perConnectionKB.toFixed(2)} KB each (RSS ${r.rssBeforeKB} -> ${r.rssAfterKB} KB)`,
);

const heap = perServer(
  'heap',
  (spec, plan) => idleHeap(spec, plan.heap.connections, plan.threads),
  (r) => `${Math.round(r.bytesPerConnection)} bytes of JS heap per idle connection; ${r.kinds.slice(0, 4).map((k) => `${k.kind} ${Math.round(k.bytesPerUnit)}`).join(', ')}`,
);

const stormOptions = (plan: Plan) => ({ connections: plan.storm.connections, concurrency: plan.storm.concurrency, warmup: plan.storm.warmup, threads: plan.threads });

const storm = perServer(
  'storm',
  (spec, plan) => connectStorm(spec, stormOptions(plan)),
  (r) => `${r.connect.ok} ok ${r.connect.failed} failed, ${Math.round(r.connect.perSecond)}/s, ${r.cpuUsPerConnect.toFixed(0)} µs CPU each`,
);

const history = perServer(
  'history',
  (spec, plan) => historyReads(spec, plan.history),
  (r) => `newest p99=${r.reads.perPath.newest?.p99}ms deep p99=${r.reads.perPath.deep?.p99}ms failed=${r.reads.failed} ${r.cpuUsPerRequest.toFixed(0)} µs/request`,
);

/** ChatStream with each COMMIT_WINDOW_MS, and the durable baseline, at half load and at ChatStream's sustainable rate. */
async function commitWindow(ctx: Context): Promise<void> {
  const { plan, results } = ctx;
  const half = ctx.halfRate();
  const csRate = sustainableRate(results.fanout?.sweeps[CHATSTREAM.id]);
  const rates = [half, csRate || half * 2].filter((r, i, all) => all.indexOf(r) === i);
  const out: NonNullable<SuiteResults['commitWindow']> = { rates, rows: {} };
  results.commitWindow = out;
  const specs = [...plan.commitWindow.windows.map(chatstreamWithWindow), WS_DURABLE, WS_DURABLE_WINDOW];
  for (const spec of specs) {
    ctx.label(spec);
    const key = spec.kind === 'ws' ? spec.label : String(spec.env?.COMMIT_WINDOW_MS);
    await ctx.attempt(`commit window: ${spec.label}`, async () => {
      const work = new Workload(spec, { session: ctx.fanoutSession, step: stepOf(plan.commitWindow.timing, plan.fanout.size) });
      try {
        for (const rate of rates) {
          const m = await work.step(rate);
          (out.rows[key] ??= []).push(m);
          ctx.log(describeStep(`commit window: ${spec.label}`, m));
        }
      } finally {
        await work.close();
      }
    });
  }
}

/** CPU profiles at half load: ChatStream (fan-out, private), the durable baseline, ChatStream's connect storm. */
async function profile(ctx: Context): Promise<void> {
  const { plan, results, log } = ctx;
  const halfRate = ctx.halfRate();
  const step = { rate: halfRate, ...plan.fanout.timing, size: plan.fanout.size };
  const profiled = (spec: ServerSpec, sessionOptions = ctx.fanoutSession, load = step) =>
    ctx.attempt(`CPU profile (${sessionOptions.layout}, ${spec.label})`, () =>
      underProfiler(async (start, window) => {
        const session = await openSession(spec, { ...sessionOptions, start });
        try {
          return await measure(session, { ...load, hooks: window });
        } finally {
          await closeSession(session);
        }
      }),
    );
  const logTop = (summary: ProfileSummary): void => {
    for (const entry of summary.top.slice(0, 10)) log(`  ${entry.pct}% ${entry.name} ${entry.where}`);
  };
  const fan = await profiled(CHATSTREAM);
  if (fan) {
    results.profile = { rate: halfRate, step: fan.result, summary: fan.summary };
    log(describeStep('profiled ChatStream', fan.result));
    logTop(fan.summary);
  }
  const privateRate = PRIVATE_PROFILE_RATE;
  const direct = await profiled(CHATSTREAM, ctx.privateSession, { rate: privateRate, ...plan.private.timing, size: plan.private.size });
  if (direct) {
    results.privateProfile = { rate: privateRate, step: direct.result, summary: direct.summary };
    log(describeStep('profiled ChatStream, private messages', direct.result));
    logTop(direct.summary);
  }
  const base = await profiled(WS_DURABLE);
  if (base) {
    results.wsProfile = { rate: halfRate, step: base.result, summary: base.summary };
    log(describeStep('profiled bare ws, durable', base.result));
  }
  const stormed = await ctx.attempt('CPU profile (connect storm)', () =>
    underProfiler((start, window) => connectStorm(CHATSTREAM, { ...stormOptions(plan), start, hooks: window })),
  );
  if (stormed) {
    results.stormProfile = stormed;
    log(`profiled ChatStream connect storm: ${Math.round(stormed.result.connect.perSecond)}/s`);
    logTop(stormed.summary);
  }
}

/** The offered rate of private-message profiles and syscall counts. */
const PRIVATE_PROFILE_RATE = 2000;

async function syscalls(ctx: Context): Promise<void> {
  const { plan, results, log } = ctx;
  if (!perfAvailable()) {
    log('syscalls: perf cannot count syscall tracepoints here; skipped');
    return;
  }
  results.syscalls = [];
  const halfRate = ctx.halfRate();
  const privateStep = { rate: PRIVATE_PROFILE_RATE, ...plan.private.timing, size: plan.private.size };
  const fanStep = { rate: halfRate, ...plan.fanout.timing, size: plan.fanout.size };
  const cases: Array<[ServerSpec, string, SessionOptions, typeof privateStep]> = [];
  for (const spec of [CHATSTREAM, CHATSTREAM_MEMORY]) {
    cases.push([spec, `fan-out, ${halfRate} msg/s`, ctx.fanoutSession, fanStep], [spec, `private, ${PRIVATE_PROFILE_RATE} msg/s`, ctx.privateSession, privateStep]);
  }
  for (const [spec, load, session, step] of cases) {
    const r = await ctx.attempt(`syscalls ${spec.label} ${load}`, () => countSyscalls(spec, session, step));
    if (r) {
      results.syscalls.push({ label: spec.label, load, result: r });
      log(`syscalls ${spec.label} ${load}: ${Object.entries(r.perMessage).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')} per message`);
    }
  }
}

async function storedMillion(ctx: Context): Promise<void> {
  const { plan, log } = ctx;
  const lh = plan.largeHistory;
  if (!lh) return;
  const r = await ctx.attempt('1M stored messages', () =>
    largeHistory({ messages: lh.messages, size: plan.history.size, rate: lh.rate, durationMs: lh.durationMs, connections: plan.history.connections, quietWaitMs: plan.quietWaitMs }),
  );
  if (!r) return;
  ctx.results.largeHistory = r;
  log(
    `history ${r.messages} messages: seeded in ${r.seedSeconds.toFixed(1)} s; RSS empty ${r.empty.rssStartKB} KB, full ${r.full.rssStartKB} KB; ` +
      `newest p99 ${r.full.reads.perPath.newest?.p99} ms, deep p99 ${r.full.reads.perPath.deep?.p99} ms`,
  );
}

async function changedAfterMillion(ctx: Context): Promise<void> {
  const { plan, log } = ctx;
  const ca = plan.changedAfter;
  if (!ca) return;
  const r = await ctx.attempt('changed_after over 1M stored messages', () =>
    changedAfter({ ...ca, size: plan.history.size, connections: plan.history.connections, quietWaitMs: plan.quietWaitMs }),
  );
  if (!r) return;
  ctx.results.changedAfter = r;
  const paths = Object.entries(r.reading.reads.perPath).map(([name, l]) => `${name} p99 ${l.p99} ms`);
  log(`changed_after ${r.messages} messages, ${r.edits} edits: seeded in ${r.seedSeconds.toFixed(1)} s; ${paths.join(', ')}; failed ${r.reading.reads.failed}`);
}

/** Every scenario, in the order a run takes them. */
const RUNS: Record<ScenarioName, (ctx: Context) => Promise<void>> = {
  fanout,
  private: privateMessages,
  idle,
  heap,
  storm,
  history,
  'commit-window': commitWindow,
  profile,
  syscalls,
  'history-1m': storedMillion,
  'changed-1m': changedAfterMillion,
};

/** Runs the plan's scenarios one after another; servers are interleaved within each (A, B, C, A, B, C…). */
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
  const ctx: Context = {
    plan,
    results,
    log,
    async attempt(what, run) {
      try {
        return await run();
      } catch (error) {
        const message = `${what}: ${error instanceof Error ? error.message : String(error)}`.slice(0, 2000);
        log(`FAILED ${message}`);
        results.failures.push(message);
        return undefined;
      }
    },
    label: (spec) => (results.labels[spec.id] = spec.label),
    fanoutSession: { clients: plan.fanout.clients, layout: 'rooms', rooms: plan.fanout.rooms, threads: plan.threads },
    privateSession: { clients: plan.private.clients, layout: 'pairs', threads: plan.threads },
    halfRate: () => results.fanout?.halfRate || 400,
  };
  for (const name of SCENARIOS) if (plan.scenarios.includes(name)) await RUNS[name](ctx);
  results.finishedAt = new Date().toISOString();
  return results;
}
