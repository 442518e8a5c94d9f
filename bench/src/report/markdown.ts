import { WARMUP_MS } from '../scenarios/history';
import { AFTER_READS_MS } from '../scenarios/large-history';
import type { EngineResult, SearchBenchOptions } from '../scenarios/search';
import type { Measured } from '../scenarios/session';
import { P99_BOUND_MS } from '../scenarios/session';
import { median, sustainableRate, type SuiteResults } from '../suite';
import type { SweepOutcome } from '../sweep';
import type { LatencySummary } from '../stats/histogram';
import type { ProfileSummary } from './cpu-profile';
import { lineChart, type Series } from './svg';
import { evaluateTargets, halfLoad, sustainableDelivered } from './targets';

const int = (n: number | undefined): string => (n === undefined || !Number.isFinite(n) ? 'n/a' : Math.round(n).toLocaleString('en-US'));
const num = (n: number | undefined, digits = 2): string => (n === undefined || !Number.isFinite(n) ? 'n/a' : n.toFixed(digits));
const ms = (n: number | undefined): string => (n === undefined || !Number.isFinite(n) ? 'n/a' : n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : Math.round(n).toLocaleString('en-US'));
const mb = (kb: number | undefined): string => (kb === undefined ? 'n/a' : (kb / 1024).toFixed(1));
const times = (a: number | undefined, b: number | undefined): string =>
  a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0 ? 'n/a' : `${(a / b).toFixed(2)}×`;

const COLORS: Record<string, string> = {
  ws: '#1f77b4',
  'ws-durable': '#17becf',
  chatstream: '#d62728',
  'chatstream-memory': '#ff7f0e',
  socketio: '#2ca02c',
  'socketio-default': '#9467bd',
};

/** Ratio columns: to the durable bare ws baseline (latency, CPU) and to the in-memory one. */
const BASES = [
  ['ws-durable', '× bare ws, durable'],
  ['ws', '× bare ws'],
] as const;

function ratioCells(value: number, of: (id: string) => number | undefined): string[] {
  return BASES.map(([id]) => times(value, of(id)));
}

const ratioHeaders = (what: string): string[] => BASES.map(([, header]) => `${what} ${header}`);

function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function lossCell(m: Measured): string {
  const d = m.delivery;
  const parts = [`${int(d.lost)} lost`, `${int(d.duplicates)} dup`];
  if (m.errorFrames) parts.push(`${m.errorFrames} error frames`);
  if (m.disconnected) parts.push(`${m.disconnected} dropped`);
  return parts.join(', ');
}

/** The chart: p99 against offered load, every sweep probe of every server. */
export function p99Chart(results: SuiteResults): string | undefined {
  const sweeps = results.fanout?.sweeps ?? {};
  const series: Series[] = Object.entries(sweeps).map(([id, outcomes]) => {
    const byRate = new Map<number, { x: number; y: number; pass: boolean }>();
    for (const outcome of outcomes) for (const p of outcome.probes) if (!p.retried) byRate.set(p.rate, { x: p.rate, y: p.result.latency.p99, pass: p.pass });
    return { label: results.labels[id] ?? id, color: COLORS[id] ?? '#555', points: [...byRate.values()] };
  });
  if (series.length === 0) return undefined;
  const f = results.plan.fanout;
  return lineChart(series, {
    title: `Room fan-out: p99 latency vs offered load (${int(f.clients)} clients, ${f.rooms} rooms, ${f.size}-byte messages)`,
    xLabel: `offered load, messages/s (each delivered to ${Math.round(f.clients / f.rooms)} members)`,
    yLabel: 'p99 latency at receivers, ms (log scale)',
    bound: { y: P99_BOUND_MS, label: `p99 bound ${P99_BOUND_MS} ms` },
  });
}

/** The highest offered rate every server passed at: there, their CPU per frame compares at the same load. */
export function commonRate(sweeps: Record<string, Array<SweepOutcome<Measured>>>): number | undefined {
  const passedBy = Object.values(sweeps).map((outcomes) => new Set(outcomes.flatMap((o) => o.probes.filter((p) => p.pass).map((p) => p.rate))));
  if (passedBy.length === 0) return undefined;
  const shared = [...passedBy[0]].filter((rate) => passedBy.every((set) => set.has(rate)));
  return shared.length ? Math.max(...shared) : undefined;
}

function atRate(outcomes: Array<SweepOutcome<Measured>>, rate: number | undefined): number {
  return median(outcomes.flatMap((o) => o.probes.filter((p) => p.pass && p.rate === rate).map((p) => p.result.cpuUsPerFrame)));
}

/** True when no probe above the sustainable rate failed: the sweep ran out of steps, the rate is a lower bound. */
const neverFailed = (outcomes: Array<SweepOutcome<Measured>>): boolean =>
  outcomes.every((o) => o.probes.every((p) => p.pass || p.retried || p.rate <= (o.sustainable?.rate ?? 0)));

function sweepTable(results: SuiteResults, sweeps: Record<string, Array<SweepOutcome<Measured>>>, scenario: 'fanout' | 'private'): string {
  const shared = commonRate(sweeps);
  const deliveredOf = (id: string): number => sustainableDelivered(results, id, scenario);
  const sharedOf = (id: string): number => atRate(sweeps[id] ?? [], shared);
  const rows = Object.entries(sweeps).map(([id, outcomes]) => {
    const best = outcomes.map((o) => o.sustainable).filter((s) => s !== undefined);
    const pick = (f: (m: Measured) => number): number => median(best.map((s) => f(s.result)));
    const bound = neverFailed(outcomes) ? '≥ ' : '';
    return [
      results.labels[id] ?? id,
      `${bound}${int(sustainableRate(outcomes))}`,
      `${bound}${int(deliveredOf(id))}`,
      ...ratioCells(deliveredOf(id), deliveredOf),
      ms(pick((m) => m.latency.p50)),
      ms(pick((m) => m.latency.p99)),
      num(pick((m) => m.cpuUsPerFrame)),
      num(sharedOf(id)),
      ...ratioCells(sharedOf(id), sharedOf),
      int(pick((m) => m.server.cpuPct)),
      int(pick((m) => m.generatorCpuPct)),
      int(pick((m) => m.otherCpuPct)),
    ];
  });
  return table(
    [
      'server',
      'sustainable offered msg/s',
      'delivered msg/s',
      ...ratioHeaders('delivered'),
      'p50 ms',
      'p99 ms',
      'server CPU µs / delivered frame',
      `CPU µs / frame at ${int(shared)} msg/s (the highest rate all passed)`,
      ...ratioHeaders('CPU'),
      'server CPU %',
      'generator CPU %',
      'other jobs CPU %',
    ],
    rows,
  );
}

function probeDetails(results: SuiteResults, sweeps: Record<string, Array<SweepOutcome<Measured>>>): string {
  const rows: string[][] = [];
  for (const [id, outcomes] of Object.entries(sweeps)) {
    outcomes.forEach((outcome, round) => {
      for (const p of outcome.probes) {
        const m = p.result;
        rows.push([
          `${results.labels[id] ?? id}${outcomes.length > 1 ? ` (round ${round + 1})` : ''}`,
          int(p.rate),
          int(m.deliveredPerSec),
          ms(m.latency.p50),
          ms(m.latency.p99),
          ms(m.latency.max),
          lossCell(m),
          num(m.cpuUsPerFrame),
          int(m.server.cpuPct),
          int(m.generatorCpuPct),
          int(m.otherCpuPct),
          ms(m.sendLag.p99),
          (p.retried ? 'fail, repeated' : p.pass ? 'pass' : 'fail') + (m.noisyRetries ? ` (after ${m.noisyRetries} noisy attempt${m.noisyRetries > 1 ? 's' : ''})` : ''),
        ]);
      }
    });
  }
  return table(
    ['server', 'offered msg/s', 'delivered msg/s', 'p50 ms', 'p99 ms', 'max ms', 'loss', 'CPU µs/frame', 'server CPU %', 'generator CPU %', 'other CPU %', 'send lag p99 ms', 'result'],
    rows,
  );
}

/** The generated part of docs/benchmarks.md: the run's tables. The method is written once, above the markers. */
export function renderMarkdown(results: SuiteResults, chartFile: string | undefined, runSeconds: number): string {
  const out: string[] = [];
  const push = (...blocks: string[]): void => {
    for (const block of blocks) out.push(block, '');
  };
  const L = (id: string): string => results.labels[id] ?? id;
  const v = results.versions;
  const m = results.machine;
  const f = results.plan.fanout;
  push(
    '## Server benchmarks: the last run',
    `_Generated ${results.finishedAt.slice(0, 16).replace('T', ' ')} UTC by \`npm run bench\` (${results.mode} mode, ${Math.round(runSeconds / 60)} min); rewritten by the next run._`,
    '### Machine and versions',
    table(
      ['', ''],
      [
        ['CPU', `${m.cpuModel}, ${m.cores} cores`],
        ['memory', `${m.memoryGiB} GiB`],
        ['kernel', m.kernel],
        ['load average at start', m.loadAverage],
        ['generator worker threads', int(results.plan.threads)],
        ['Node.js', v.node],
        ['ws', v.ws],
        ['socket.io / socket.io-client', `${v.socketio} / ${v.socketioClient}`],
        ['better-sqlite3', v.betterSqlite3],
        ['ChatStream', `commit ${v.chatstreamCommit}; backend/dist built ${v.chatstreamBuilt}`],
      ],
    ),
    '### Targets',
  );
  const targets = evaluateTargets(results);
  push(table(['measure', 'target', 'measured (ChatStream, SQLite)', 'met'], targets.map((t) => [t.measure, t.target, t.measured, t.met === undefined ? '—' : t.met ? '✅ met' : '❌ missed'])));

  if (results.fanout) {
    const half = results.fanout.half;
    push(
      `### Room fan-out (${int(f.clients)} clients, ${f.rooms} rooms, ${f.size}-byte messages)`,
      `**Sustainable rate** (no loss, p99 ≤ ${P99_BOUND_MS} ms; ${f.sweepRounds} round${f.sweepRounds > 1 ? 's' : ''}):`,
      sweepTable(results, results.fanout.sweeps, 'fanout'),
    );
    if (chartFile) push(`![p99 latency against offered load](${chartFile})`);
    const which = f.halfRate ? 'At the half-load rate given (`--half-rate`)' : "At half the durable baseline's sustainable load";
    push(`**${which}** (${int(results.fanout.halfRate)} msg/s offered, medians of ${f.halfRounds} interleaved rounds):`);
    const base = (g: (x: Measured) => number) => (id: string): number => halfLoad(results, id, g);
    const cpuOf = base((x) => x.cpuUsPerFrame);
    const p50Of = base((x) => x.latency.p50);
    const p99Of = base((x) => x.latency.p99);
    push(
      table(
        ['server', 'delivered msg/s', 'p50 ms', ...ratioHeaders('p50'), 'p90 ms', 'p99 ms', ...ratioHeaders('p99'), 'max ms', 'server CPU µs / delivered frame', ...ratioHeaders('CPU'), 'server CPU % (of it in the kernel)', 'server RSS MB', 'loss (all rounds)'],
        Object.keys(half).map((id) => {
          const runs = half[id];
          const pick = (g: (x: Measured) => number): number => median(runs.map(g));
          const lost = runs.reduce((n, r) => n + r.delivery.lost, 0);
          const dup = runs.reduce((n, r) => n + r.delivery.duplicates, 0);
          return [
            L(id),
            int(pick((x) => x.deliveredPerSec)),
            ms(p50Of(id)),
            ...ratioCells(p50Of(id), p50Of),
            ms(pick((x) => x.latency.p90)),
            ms(p99Of(id)),
            ...ratioCells(p99Of(id), p99Of),
            ms(pick((x) => x.latency.max)),
            num(cpuOf(id)),
            ...ratioCells(cpuOf(id), cpuOf),
            `${int(pick((x) => x.server.cpuPct))} (${int(pick((x) => (x.server.systemMs / x.server.wallMs) * 100))})`,
            mb(pick((x) => x.server.rssKB)),
            `${int(lost)} lost, ${int(dup)} dup`,
          ];
        }),
      ),
      details(probeDetails(results, results.fanout.sweeps)),
    );
  }

  if (results.private) {
    const p = results.plan.private;
    push(
      `### Private messages (${int(p.clients)} clients in ${int(p.clients / 2)} conversations, ${p.size}-byte messages, 2 deliveries each)`,
      sweepTable(results, results.private.sweeps, 'private'),
      details(probeDetails(results, results.private.sweeps)),
    );
  }

  if (results.idle) {
    const idle = results.idle;
    const wsKB = idle.ws?.perConnectionKB;
    push(
      `### Idle connections (${int(results.plan.idle.connections)} per server)`,
      table(
        ['server', 'connections', 'failed', 'connects/s', 'RSS before MB', 'RSS after MB', 'KB per connection', '× bare ws'],
        Object.entries(idle).map(([id, r]) => [L(id), int(r.connections), int(r.connect.failed), int(r.connect.perSecond), mb(r.rssBeforeKB), mb(r.rssAfterKB), num(r.perConnectionKB), times(r.perConnectionKB, wsKB)]),
      ),
    );
  }

  if (results.heap) {
    const heap = results.heap;
    push(
      `**JS heap per idle connection** (${int(Object.values(heap)[0]?.connections)} connections):`,
      table(
        ['server', 'JS heap bytes per connection', 'largest kinds (bytes per connection, objects per connection)'],
        Object.keys(heap).map((id) => [
          L(id),
          int(heap[id].bytesPerConnection),
          heap[id].kinds.slice(0, 8).map((k) => `${k.kind.replace(/\|/g, '\\|')} ${int(k.bytesPerUnit)} (${num(k.countPerUnit, 1)})`).join('; '),
        ]),
      ),
    );
  }

  if (results.storm) {
    const storm = results.storm;
    const s = results.plan.storm;
    const rate = (id: string): number | undefined => storm[id]?.connect.perSecond;
    const cpu = (id: string): number | undefined => storm[id]?.cpuUsPerConnect;
    push(
      `### Connect storm (${int(s.connections)} new users, ${s.concurrency} handshakes in flight, after ${s.warmup} warm-up connections)`,
      table(
        ['server', 'connected', 'failed', 'connects/s', ...ratioHeaders('connects/s'), 'connect p50 ms', 'connect p99 ms', 'server CPU µs / connect', ...ratioHeaders('CPU'), 'connects/s one server core could take (10⁶ / µs)'],
        Object.entries(storm).map(([id, r]) => [
          L(id),
          int(r.connect.ok),
          int(r.connect.failed),
          int(r.connect.perSecond),
          ...ratioCells(r.connect.perSecond, rate),
          ms(r.connect.latency.p50),
          ms(r.connect.latency.p99),
          int(r.cpuUsPerConnect),
          ...ratioCells(r.cpuUsPerConnect, cpu),
          int(1e6 / r.cpuUsPerConnect),
        ]),
      ),
    );
  }

  if (results.history) {
    const h = results.plan.history;
    const hist = results.history;
    const cpu = (id: string): number | undefined => hist[id]?.cpuUsPerRequest;
    push(
      `### History reads (${int(h.messages)} messages in a room; \`limit=50\` pages at ${h.rate}/s for ${h.durationMs / 1000} s over ${h.connections} connections, after ${WARMUP_MS / 1000} s untimed)`,
      table(
        ['server', 'seeding msg/s', 'newest p50 ms', 'newest p99 ms', 'deep p50 ms', 'deep p99 ms', 'failed', 'server CPU µs / request', ...ratioHeaders('CPU')],
        Object.entries(hist).map(([id, r]) => [
          L(id),
          int(r.seedPerSecond),
          ms(r.reads.perPath.newest?.p50),
          ms(r.reads.perPath.newest?.p99),
          ms(r.reads.perPath.deep?.p50),
          ms(r.reads.perPath.deep?.p99),
          int(r.reads.failed),
          int(r.cpuUsPerRequest),
          ...ratioCells(r.cpuUsPerRequest, cpu),
        ]),
      ),
    );
  }

  if (results.fanout) {
    const storage = [
      ['ChatStream (SQLite)', 'chatstream'],
      ['ChatStream (memory)', 'chatstream-memory'],
    ];
    push(
      '### Storage on vs off (fan-out)',
      table(
        ['server', 'sustainable delivered msg/s', 'CPU µs / delivered frame at half load'],
        storage.map(([name, id]) => [name, int(sustainableDelivered(results, id)), num(halfLoad(results, id, (x) => x.cpuUsPerFrame))]),
      ),
    );
  }

  if (results.commitWindow) {
    const cw = results.commitWindow;
    const rows: string[][] = [];
    for (const [window, steps] of Object.entries(cw.rows)) {
      for (const s of steps) rows.push([window, int(s.rate), int(s.deliveredPerSec), ms(s.latency.p50), ms(s.latency.p99), ms(s.latency.max), num(s.cpuUsPerFrame), lossCell(s), s.pass ? 'pass' : 'fail']);
    }
    push(
      `### Group-commit window (\`COMMIT_WINDOW_MS\`; fan-out at ${cw.rates.map(int).join(' and ')} msg/s, one fresh server per setting)`,
      table(['COMMIT_WINDOW_MS', 'offered msg/s', 'delivered msg/s', 'p50 ms', 'p99 ms', 'max ms', 'CPU µs/frame', 'loss', 'result'], rows),
      bestWindow(cw),
    );
  }

  if (results.largeHistory) {
    const lh = results.largeHistory;
    push(
      `### ${int(lh.messages)} stored messages (seeded in ${lh.seedSeconds.toFixed(1)} s, database ${lh.databaseMB.toFixed(0)} MB; reads at ${int(lh.rate)}/s; RSS after reads: lowest in the ${AFTER_READS_MS / 1000} s after them)`,
      table(
        [
          'server',
          'RSS at start MB',
          'RSS after reads MB',
          'newest page p50 / p99 ms',
          'deep page p50 / p99 ms',
          'every page p50 / p99 ms',
          'simplest program, every page p50 / p99 ms',
          '`/api/health` p50 / p99 ms',
          'bare `node:http` server p50 / p99 ms (the floor)',
          'failed',
          'other jobs CPU %',
        ],
        [
          ['empty database', lh.empty, false] as const,
          [`${int(lh.messages)} messages`, lh.full, true] as const,
        ].map(([name, r, deep]) => {
          const both = (l: LatencySummary | undefined): string => (l ? `${ms(l.p50)} / ${ms(l.p99)}` : '—');
          const page = (path: string): string => both(r.reads.perPath[path]);
          return [
            name,
            mb(r.rssStartKB),
            mb(r.rssAfterReadsKB),
            page('newest'),
            deep ? page('deep') : '—',
            both(r.reads.perGroup.pages),
            both(r.barePages?.perGroup.pages),
            page('health'),
            both(r.bareFloor),
            int(r.reads.failed),
            r.otherCpuPct === undefined ? '—' : r.otherCpuPct.toFixed(0),
          ];
        }),
      ),
    );
  }

  if (results.changedAfter) {
    const ca = results.changedAfter;
    const reads = ca.reading.reads;
    const bare = ca.reading.barePages;
    const simplest = (l: LatencySummary | undefined): string[] => (bare ? [ms(l?.p50), ms(l?.p99)] : []);
    const pages = reads.perGroup.pages;
    push(
      `### \`changed_after\` pages: ${int(ca.messages)} stored messages, ${int(ca.edits)} of them edited (seeded in ${ca.seedSeconds.toFixed(1)} s, database ${ca.databaseMB.toFixed(0)} MB; pages of 50 at ${int(ca.rate)}/s in all)`,
      table(
        ['page (`changed_after=`)', 'over HTTP p50 ms', 'p99 ms', 'max ms', 'repository call alone p50 ms', 'p99 ms', ...(bare ? ['simplest program p50 ms', 'p99 ms'] : [])],
        [
          ...Object.entries(reads.perPath).map(([name, l]) => {
            const direct = ca.direct?.[name];
            const row = [name === 'health' ? '`/api/health` (the same server, no database)' : CHANGED_PAGES[name] ?? name, ms(l.p50), ms(l.p99), ms(l.max), direct ? ms(direct.p50) : '—', direct ? ms(direct.p99) : '—'];
            return [...row, ...(bare ? (name === 'health' ? ['—', '—'] : simplest(bare.perPath[name])) : [])];
          }),
          ...(pages ? [['**every page** (all of the above but health, timed together)', ms(pages.p50), ms(pages.p99), ms(pages.max), '—', '—', ...simplest(bare?.perGroup.pages)]] : []),
          ...(ca.reading.bareFloor ? [['a bare `node:http` server answering a constant (the floor)', ms(ca.reading.bareFloor.p50), ms(ca.reading.bareFloor.p99), ms(ca.reading.bareFloor.max), '—', '—', ...(bare ? ['—', '—'] : [])]] : []),
        ],
      ),
      `${int(reads.failed)} failed; other jobs used ${ca.reading.otherCpuPct === undefined ? '—' : ca.reading.otherCpuPct.toFixed(0)} % of a core during the reads.`,
    );
  }

  const profiles: Array<[string, { step: Measured; summary: ProfileSummary; rate?: number } | undefined, boolean]> = [
    ['Room fan-out, ChatStream', results.profile, true],
    ['Private messages, ChatStream', results.privateProfile, true],
    ['Room fan-out, bare ws, durable', results.wsProfile, false],
  ];
  if (profiles.some(([, p]) => p) || results.stormProfile) push('### Where the CPU goes (`node --cpu-prof`, self time inside the measurement window)');
  for (const [name, p, full] of profiles) {
    if (!p) continue;
    const k = p.step.server;
    push(
      `**${name}** at ${int(p.rate)} msg/s offered: ${int(p.step.deliveredPerSec)} delivered/s, server ${int(k.cpuPct)} % CPU (${int((k.systemMs / k.wallMs) * 100)} % kernel), ${num(p.step.cpuUsPerFrame)} µs per frame with the profiler on, ${int(p.summary.samples)} samples${p.summary.windowed ? '' : ' (whole process)'}`,
      full ? profileTables(p.summary) : table(['package', 'self time %'], p.summary.byPackage.slice(0, 8).map((e) => [e.name, num(e.pct, 1)])),
    );
  }
  if (results.stormProfile) {
    const p = results.stormProfile;
    push(
      `**Connect storm, ChatStream**: ${int(p.result.connect.ok)} users, ${int(p.result.connect.perSecond)} connects/s, ${int(p.result.cpuUsPerConnect)} µs server CPU each with the profiler on, ${int(p.summary.samples)} samples${p.summary.windowed ? '' : ' (whole process)'}`,
      profileTables(p.summary),
    );
  }

  if (results.syscalls?.length) {
    const names = Object.keys(results.syscalls[0].result.perMessage);
    push(
      '### System calls per message (`perf stat`, ChatStream)',
      table(
        ['server', 'load', ...names.map((n) => `${n} / message`), 'server CPU %', 'of it in the kernel %', 'CPU µs / delivered frame', 'p99 ms'],
        results.syscalls.map(({ label, load, result }) => [
          label,
          load,
          ...names.map((n) => num(result.perMessage[n])),
          int(result.step.server.cpuPct),
          int((result.step.server.systemMs / result.step.server.wallMs) * 100),
          num(result.step.cpuUsPerFrame),
          ms(result.step.latency.p99),
        ]),
      ),
    );
  }

  const missed = targets.filter((t) => t.met === false);
  push('### Missed targets', missed.length === 0 ? 'None of the targets measured in this run.' : table(['measure', 'target', 'measured'], missed.map((t) => [t.measure, t.target, t.measured])));
  if (results.failures.length) push('### Runs that failed', results.failures.map((f2) => `- ${f2.replace(/\n/g, ' ')}`).join('\n'));
  return out.join('\n');
}

/** What each changed_after page of the scenario is (see changedAfterPaths). */
const CHANGED_PAGES: Record<string, string> = {
  'first-edits': 'the first 50 edits (a client current before them)',
  'mid-edits': '50 edits from the middle',
  'last-edits': 'the last 50 edits',
  'from-zero': 'rev 0: the room\'s oldest changes',
};

const details = (body: string): string => `<details><summary>Every sweep step</summary>\n\n${body}\n\n</details>`;

function profileTables(summary: ProfileSummary): string {
  return [
    table(['package', 'self time %'], summary.byPackage.slice(0, 10).map((e) => [e.name, num(e.pct, 1)])),
    '',
    table(['function', 'where', 'self time %'], summary.top.slice(0, 15).map((e) => [`\`${e.name}\``, e.where ? `\`${e.where}\`` : '', num(e.pct, 1)])),
    '',
  ].join('\n');
}

/** The window with the lowest p99 among those that lost nothing at the highest rate tried. */
export function bestWindow(cw: NonNullable<SuiteResults['commitWindow']>): string {
  const top = Math.max(...cw.rates);
  const candidates = Object.entries(cw.rows)
    .filter(([window]) => /^\d+$/.test(window))
    .map(([window, steps]) => ({ window, step: steps.find((s) => s.rate === top) }))
    .filter((c): c is { window: string; step: Measured } => c.step !== undefined);
  if (candidates.length === 0) return '';
  const clean = candidates.filter((c) => c.step.delivery.lost === 0 && c.step.disconnected === 0);
  const pool = clean.length ? clean : candidates;
  const best = pool.reduce((a, b) => (b.step.latency.p99 < a.step.latency.p99 ? b : a));
  return `Lowest p99 at ${int(top)} msg/s${clean.length ? ' without loss' : ' (every setting lost messages)'}: **COMMIT_WINDOW_MS=${best.window}**, ${ms(best.step.latency.p99)} ms.`;
}

/** Targets of issue 15 at 1,000,000 stored messages. */
const SEARCH_P99_MS = 50;
const ROOMS_P99_MS = 10;
const WRITE_RATIO = 0.8;

/** `npm run bench:search`: per engine, read p99 against the targets and the write path with the index on and off. */
export function searchTable(results: EngineResult[], options: SearchBenchOptions): string {
  const at = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const reads: string[][] = [];
  const writes: string[][] = [];
  for (const r of results) {
    for (const [name, summary] of Object.entries(r.reads.perPath)) {
      // Issue 15's targets are for one common word and one rare prefix; a query of several words is a figure only.
      const words = /^search "(.*)"$/.exec(name)?.[1].split(' ').length ?? 0;
      const target = name.startsWith('rooms') ? ROOMS_P99_MS : words === 1 ? SEARCH_P99_MS : undefined;
      const verdict = target === undefined ? 'figure only' : `< ${target} ms: ${summary.p99 < target ? 'met' : '**missed**'}`;
      reads.push([r.engine, name, ms(summary.p50), ms(summary.p99), verdict, int(summary.count)]);
    }
    const on = r.writes.filter((w) => w.indexOn).map((w) => w.perSecond);
    const off = r.writes.filter((w) => !w.indexOn).map((w) => w.perSecond);
    const ratio = median(on) / median(off);
    writes.push([
      r.engine,
      int(median(on)),
      int(median(off)),
      `${ratio.toFixed(2)}× (≥ ${WRITE_RATIO}×: ${ratio >= WRITE_RATIO ? 'met' : '**missed**'})`,
      `${(r.indexBytes / 1024 / 1024).toFixed(0)} MB`,
      `${r.seedSeconds.toFixed(0)} s`,
      r.otherCpuPct === undefined ? '' : `${r.otherCpuPct.toFixed(0)} %`,
    ]);
    if (r.reads.failed > 0) reads.push([r.engine, `${r.reads.failed} requests failed: ${r.reads.errors.join('; ')}`, '', '', '', '']);
  }
  return [
    `_Generated ${at} UTC by \`npm run bench:search\`: ${int(options.messages)} messages in ${options.rooms} rooms of one reader, ` +
      `each request alone at ${options.rate} GETs/s for ${options.durationMs / 1000} s after a ${WARMUP_MS / 1000} s warm-up, over 4 keep-alive connections, as the reader (a session). ` +
      `Writes: ${int(options.writes)} messages per round through the backend's repository (group commit, 256 in flight), after a warm-up round not counted; index on and off alternating on SQLite (on, then off, on PostgreSQL: rebuilding its index between rounds would take minutes). ` +
      `"Other load" is the CPU other processes used during the reads (100 % is one core): high values mean noisy figures._`,
    '',
    table(['engine', 'request', 'p50 ms', 'p99 ms', 'target', 'requests'], reads),
    '',
    table(['engine', 'writes/s, index on', 'writes/s, index off', 'on / off', 'index size', 'seeding', 'other load (reads)'], writes),
  ].join('\n');
}
