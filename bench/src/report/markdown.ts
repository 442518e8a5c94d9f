import { WARMUP_MS } from '../scenarios/history';
import { AFTER_READS_MS } from '../scenarios/large-history';
import type { Measured } from '../scenarios/session';
import { NOISY_PCT } from '../scenarios/messages';
import { P99_BOUND_MS } from '../scenarios/session';
import { median, sustainableRate, type SuiteResults } from '../suite';
import type { SweepOutcome } from '../sweep';
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
  chatstream: '#d62728',
  'chatstream-memory': '#ff7f0e',
  socketio: '#2ca02c',
  'socketio-default': '#9467bd',
};

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
  const wsDelivered = sustainableDelivered(results, 'ws', scenario);
  const shared = commonRate(sweeps);
  const wsShared = atRate(sweeps.ws ?? [], shared);
  const rows = Object.entries(sweeps).map(([id, outcomes]) => {
    const best = outcomes.map((o) => o.sustainable).filter((s) => s !== undefined);
    const pick = (f: (m: Measured) => number): number => median(best.map((s) => f(s.result)));
    const delivered = sustainableDelivered(results, id, scenario);
    const bound = neverFailed(outcomes) ? '≥ ' : '';
    const cpuShared = atRate(outcomes, shared);
    return [
      results.labels[id] ?? id,
      `${bound}${int(sustainableRate(outcomes))}`,
      `${bound}${int(delivered)}`,
      times(delivered, wsDelivered),
      ms(pick((m) => m.latency.p50)),
      ms(pick((m) => m.latency.p99)),
      num(pick((m) => m.cpuUsPerFrame)),
      num(cpuShared),
      times(cpuShared, wsShared),
      int(pick((m) => m.server.cpuPct)),
      int(pick((m) => m.generatorCpuPct)),
      int(pick((m) => m.otherCpuPct)),
    ];
  });
  const note = [
    '',
    '',
    `CPU per frame falls as load rises (writes to a socket coalesce, fixed per-wake-up and per-commit costs spread over more frames), so it compares only at equal load: the "at ${int(shared)} msg/s" column is the highest offered rate every server passed.` +
      (Object.values(sweeps).some(neverFailed) ? ' "≥": the sweep ran out of steps before any step failed, so the real limit is higher.' : ''),
  ];
  return (
    table(
      [
        'server',
        'sustainable offered msg/s',
        'delivered msg/s',
        '× bare ws',
        'p50 ms',
        'p99 ms',
        'server CPU µs / delivered frame',
        `CPU µs / frame at ${int(shared)} msg/s`,
        '× bare ws',
        'server CPU %',
        'generator CPU %',
        'other jobs CPU %',
      ],
      rows,
    ) + note.join('\n')
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

export function renderMarkdown(results: SuiteResults, chartFile: string | undefined, runSeconds: number): string {
  const out: string[] = [];
  const L = (id: string): string => results.labels[id] ?? id;
  const v = results.versions;
  const m = results.machine;
  const f = results.plan.fanout;
  out.push('## Server benchmarks');
  out.push('');
  out.push(
    `_Generated ${results.finishedAt.slice(0, 16).replace('T', ' ')} UTC by \`npm run bench\` (${results.mode} mode, ${Math.round(runSeconds / 60)} min). ` +
      'Everything between the `bench:begin` and `bench:end` markers is rewritten by the next run; write elsewhere in this file._',
  );
  out.push('');
  out.push('### Machine and versions');
  out.push('');
  out.push(
    table(
      ['', ''],
      [
        ['CPU', `${m.cpuModel}, ${m.cores} cores`],
        ['memory', `${m.memoryGiB} GiB`],
        ['kernel', m.kernel],
        ['load average at start', m.loadAverage],
        ['Node.js', v.node],
        ['ws', v.ws],
        ['socket.io / socket.io-client', `${v.socketio} / ${v.socketioClient}`],
        ['better-sqlite3', v.betterSqlite3],
        ['ChatStream', `commit ${v.chatstreamCommit}; backend/dist built ${v.chatstreamBuilt}`],
      ],
    ),
  );
  out.push('');
  out.push('### Method');
  out.push('');
  out.push(
    [
      `- **Three servers, one workload.** ChatStream (\`node backend/dist/main.js\`, \`LOG_LEVEL=warn\`; storage on = SQLite in a fresh \`DATA_DIR\`, storage off = \`STORAGE=memory\`), a bare \`ws\` server speaking our contract (bench/src/baselines/ws-server.ts: one \`JSON.stringify\` and one Buffer per fan-out, no framework, no storage) and a Socket.IO 4 server doing the same job with the same message shapes as events (bench/src/baselines/socketio-server.ts: rooms via \`socket.join\`, a broadcast encoded once). Both baselines keep everything in memory and follow level 2 of the contract. Socket.IO is driven through \`socket.io-client\`, at its fastest (websocket transport only; no compression, which is Socket.IO's default) and at its defaults (long-polling first, then upgrade).`,
      `- **Each server is its own process** on 127.0.0.1 and a free port, started fresh for every run; its CPU (utime + stime) and RSS come from \`/proc/<pid>/stat\` and \`/proc/<pid>/status\` at the edges of the measurement window. All traffic is loopback.`,
      `- **Load generator** (bench/src/generator): ${results.plan.threads} worker threads, each owning a contiguous block of clients (\`ws\` clients, or \`socket.io-client\` for Socket.IO). Open loop: message *k* is due at start + k/rate whatever the server answers, spread round-robin over the clients; a late generator shows as send lag, and latency counts from the scheduled time, so a stalled server cannot hide queueing (no coordinated omission).`,
      `- **Latency** is measured at every receiver: the sender puts its scheduled send time (wall clock µs, \`performance.timeOrigin + performance.now()\`, one clock across threads) in the content; the receiver subtracts it from its own clock. Only messages scheduled inside the measurement window count (after a ${f.timing.warmupMs / 1000} s warm-up, a ${f.timing.durationMs / 1000} s window).`,
      `- **Loss and duplicates**: each message carries sender and per-sender sequence number; every receiver tracks, per sender, which sequence numbers it got. After the send phase the workers wait up to ${f.timing.drainMs / 1000} s for stragglers, then compare with what each sender of its audience (room members, or the two ends of a private conversation, the sender's own copy included) actually sent. A message that arrives later than that counts as lost.`,
      `- **Delivered messages/s** = message frames received by clients per second inside the window: one message to a room of ${Math.round(f.clients / f.rooms)} is ${Math.round(f.clients / f.rooms)} deliveries. **Server CPU per delivered frame** = server CPU time in the window / frames delivered in the window.`,
      `- **Sustainable rate** (sweep, bench/src/sweep.ts): offered load climbs ×${f.sweep.growth} from the previous result (or ${f.sweep.start} msg/s) until a step loses, duplicates or refuses a message, drops a client, or has p99 > ${P99_BOUND_MS} ms; then ${f.sweep.refine} bisection steps between the last pass and the first fail.${f.sweep.confirmFailures ? ' A failed step is repeated once before it counts.' : ''} A step that failed while other jobs used more than ${NOISY_PCT} % of a core is thrown away and measured again once the machine is quieter (at most twice). A step that dropped clients gets a fresh server and fresh clients for the next one.`,
      `- **Interleaving**: within each scenario the servers take turns (A, B, C, A, B, C…); with several rounds the median is reported. Ratios are to the bare \`ws\` baseline.`,
      `- **Caveat: this is a 2-core machine.** The generator and the server share it, and other jobs (builds, test suites of other people) were running during the run: the "other jobs CPU %" column shows how much. At high fan-out the generator saturates first (its CPU % next to the server's shows it), so the sustainable rate of the fastest servers measures the generator as much as the server. **Server CPU per delivered frame does not depend on the generator's speed**: compare that figure when the generator is the bottleneck.`,
    ].join('\n'),
  );
  out.push('');

  // Targets.
  out.push('### Targets');
  out.push('');
  out.push(
    `Load for the first three: ${int(f.clients)} clients, ${f.rooms} rooms of ${Math.round(f.clients / f.rooms)}, ${f.size}-byte messages, ChatStream with storage on (SQLite); Socket.IO at its fastest setting.`,
  );
  out.push('');
  const targets = evaluateTargets(results);
  out.push(table(['measure', 'target', 'measured (ChatStream)', 'met'], targets.map((t) => [t.measure, t.target, t.measured, t.met === undefined ? '—' : t.met ? '✅ met' : '❌ missed'])));
  out.push('');

  if (results.fanout) {
    const half = results.fanout.half;
    out.push(`### Room fan-out (${int(f.clients)} clients, ${f.rooms} rooms, ${f.size}-byte messages)`);
    out.push('');
    out.push('**Sustainable rate** (highest offered load with no loss and p99 ≤ 50 ms):');
    out.push('');
    out.push(sweepTable(results, results.fanout.sweeps, 'fanout'));
    out.push('');
    if (chartFile) {
      out.push(`![p99 latency against offered load](${chartFile})`);
      out.push('');
    }
    out.push(`**At half the bare ws sustainable load** (${int(results.fanout.halfRate)} msg/s offered, medians of ${f.halfRounds} interleaved rounds):`);
    out.push('');
    const wsCpu = halfLoad(results, 'ws', (x) => x.cpuUsPerFrame);
    const wsP99 = halfLoad(results, 'ws', (x) => x.latency.p99);
    const wsDel = halfLoad(results, 'ws', (x) => x.deliveredPerSec);
    out.push(
      table(
        ['server', 'delivered msg/s', '× bare ws', 'p50 ms', 'p90 ms', 'p99 ms', '× bare ws', 'max ms', 'server CPU µs / delivered frame', '× bare ws', 'server CPU % (of it in the kernel)', 'server RSS MB', 'loss (all rounds)'],
        Object.keys(half).map((id) => {
          const runs = half[id];
          const pick = (g: (x: Measured) => number): number => median(runs.map(g));
          const cpu = pick((x) => x.cpuUsPerFrame);
          const p99 = pick((x) => x.latency.p99);
          const del = pick((x) => x.deliveredPerSec);
          const lost = runs.reduce((n, r) => n + r.delivery.lost, 0);
          const dup = runs.reduce((n, r) => n + r.delivery.duplicates, 0);
          return [
            L(id),
            int(del),
            times(del, wsDel),
            ms(pick((x) => x.latency.p50)),
            ms(pick((x) => x.latency.p90)),
            ms(p99),
            times(p99, wsP99),
            ms(pick((x) => x.latency.max)),
            num(cpu),
            times(cpu, wsCpu),
            `${int(pick((x) => x.server.cpuPct))} (${int(pick((x) => (x.server.systemMs / x.server.wallMs) * 100))})`,
            mb(pick((x) => x.server.rssKB)),
            `${int(lost)} lost, ${int(dup)} dup`,
          ];
        }),
      ),
    );
    out.push('');
    out.push('<details><summary>Every sweep step</summary>');
    out.push('');
    out.push(probeDetails(results, results.fanout.sweeps));
    out.push('');
    out.push('</details>');
    out.push('');
  }

  if (results.private) {
    const p = results.plan.private;
    out.push(`### Private messages (${int(p.clients)} clients in ${int(p.clients / 2)} conversations, ${p.size}-byte messages)`);
    out.push('');
    out.push('Each message goes to the recipient and back to the sender (2 deliveries). Sustainable rate:');
    out.push('');
    out.push(sweepTable(results, results.private.sweeps, 'private'));
    out.push('');
    out.push('<details><summary>Every sweep step</summary>');
    out.push('');
    out.push(probeDetails(results, results.private.sweeps));
    out.push('');
    out.push('</details>');
    out.push('');
  }

  if (results.idle) {
    const idle = results.idle;
    out.push(`### Idle connections`);
    out.push('');
    out.push(
      `${int(results.plan.idle.connections)} level-2 connections that join no room and send nothing, opened 512 at a time over 4 loopback source addresses. ` +
        'Memory per connection = (server RSS with them − RSS before) / connections, each the median of five readings after a pause. ' +
        (results.plan.idle.connections < 20_000
          ? `(20,000 asked; this machine's hard open-files limit is ${int(results.plan.idle.connections + 200)} per process and cannot be raised here, so each side stays just under it.)`
          : ''),
    );
    out.push('');
    const wsKB = idle.ws?.perConnectionKB;
    out.push(
      table(
        ['server', 'connections', 'failed', 'connects/s', 'RSS before MB', 'RSS after MB', 'KB per connection', '× bare ws'],
        Object.entries(idle).map(([id, r]) => [
          L(id),
          int(r.connections),
          int(r.connect.failed),
          int(r.connect.perSecond),
          mb(r.rssBeforeKB),
          mb(r.rssAfterKB),
          num(r.perConnectionKB),
          times(r.perConnectionKB, wsKB),
        ]),
      ),
    );
    out.push('');
  }

  if (results.heap) {
    const heap = results.heap;
    const anyRun = Object.values(heap)[0];
    out.push(
      `**Where an idle connection's memory goes** (JS heap only; heap snapshots via \`node --heapsnapshot-signal\` before and after ${int(anyRun?.connections)} idle connections, the difference per connection by constructor; native memory such as socket buffers is not in it):`,
    );
    out.push('');
    const ids = Object.keys(heap);
    out.push(table(['server', 'JS heap bytes per connection', 'largest kinds (bytes per connection, objects per connection)'], ids.map((id) => [
      L(id),
      int(heap[id].bytesPerConnection),
      heap[id].kinds.slice(0, 8).map((k) => `${k.kind.replace(/\|/g, '\\|')} ${int(k.bytesPerUnit)} (${num(k.countPerUnit, 1)})`).join('; '),
    ])));
    out.push('');
  }

  if (results.storm) {
    const storm = results.storm;
    const s = results.plan.storm;
    out.push('### Connect storm');
    out.push('');
    out.push(
      `${int(s.connections)} new users connect at once, ${s.concurrency} handshakes in flight, after ${s.warmup} warm-up connections. A connect is done when the welcome frame arrived. ` +
        'Server CPU per connect includes what the server does right after (ChatStream stores each new user). ' +
        'For the servers of our contract the storm\'s clients are the generator\'s raw-socket WebSocket client (bench/src/generator/raw-socket.ts: the RFC 6455 handshake with its `Sec-WebSocket-Accept` checked, then frames), ' +
        'because the `ws` client opens each connection through Node\'s whole HTTP client and costs the generator three to four times what the handshake costs the server: ' +
        'on this 2-core machine a storm of `ws` clients measured the generator (about 1,000–2,100 connects/s for every server, whatever it did). ' +
        'Socket.IO is still driven through `socket.io-client`, as its users would, so its rate is the most generator-bound of the table: compare server CPU per connect. ' +
        'Connections are not bound to a source address first (see bench/src/scenarios/connect-storm.ts: with the TIME_WAIT sockets that earlier scenarios leave, that stalled connects by ~500 ms).',
    );
    out.push('');
    const wsRate = storm.ws?.connect.perSecond;
    const wsCpu = storm.ws?.cpuUsPerConnect;
    out.push(
      table(
        ['server', 'connected', 'failed', 'connects/s', '× bare ws', 'connect p50 ms', 'connect p99 ms', 'server CPU µs / connect', '× bare ws', 'connects/s one server core could take (10⁶ / µs)'],
        Object.entries(storm).map(([id, r]) => [
          L(id),
          int(r.connect.ok),
          int(r.connect.failed),
          int(r.connect.perSecond),
          times(r.connect.perSecond, wsRate),
          ms(r.connect.latency.p50),
          ms(r.connect.latency.p99),
          int(r.cpuUsPerConnect),
          times(r.cpuUsPerConnect, wsCpu),
          int(1e6 / r.cpuUsPerConnect),
        ]),
      ),
    );
    out.push('');
  }

  if (results.history) {
    const h = results.plan.history;
    const hist = results.history;
    out.push('### History reads');
    out.push('');
    out.push(
      `A room is filled with ${int(h.messages)} messages over the WebSocket, then \`GET /api/rooms/:id/messages?limit=50\` is read open-loop at ${h.rate}/s for ${h.durationMs / 1000} s (after ${WARMUP_MS / 1000} s of the same reads, not timed) over ${h.connections} keep-alive connections, the newest page and a deep page (\`before=\` the 101st message) in turn.`,
    );
    out.push('');
    const wsCpu = hist.ws?.cpuUsPerRequest;
    out.push(
      table(
        ['server', 'seeding msg/s', 'newest p50 ms', 'newest p99 ms', 'deep p50 ms', 'deep p99 ms', 'failed', 'server CPU µs / request', '× bare ws'],
        Object.entries(hist).map(([id, r]) => [
          L(id),
          int(r.seedPerSecond),
          ms(r.reads.perPath.newest?.p50),
          ms(r.reads.perPath.newest?.p99),
          ms(r.reads.perPath.deep?.p50),
          ms(r.reads.perPath.deep?.p99),
          int(r.reads.failed),
          int(r.cpuUsPerRequest),
          times(r.cpuUsPerRequest, wsCpu),
        ]),
      ),
    );
    out.push('');
  }

  if (results.fanout) {
    const on = sustainableDelivered(results, 'chatstream');
    const off = sustainableDelivered(results, 'chatstream-memory');
    out.push('### Storage on vs off');
    out.push('');
    out.push(
      `Same fan-out load, ChatStream with SQLite (default) and with \`STORAGE=memory\`: sustainable delivered ${int(on)} vs ${int(off)} msg/s, **${times(on, off)}** (target ≥ 0.8×). ` +
        `CPU per delivered frame at half load: ${num(halfLoad(results, 'chatstream', (x) => x.cpuUsPerFrame))} vs ${num(halfLoad(results, 'chatstream-memory', (x) => x.cpuUsPerFrame))} µs.`,
    );
    out.push('');
  }

  if (results.commitWindow) {
    const cw = results.commitWindow;
    out.push('### Group-commit window (`COMMIT_WINDOW_MS`)');
    out.push('');
    out.push(`ChatStream with SQLite, fan-out load at ${cw.rates.map(int).join(' and ')} msg/s offered, one fresh server per setting.`);
    out.push('');
    const rows: string[][] = [];
    for (const [window, steps] of Object.entries(cw.rows)) {
      for (const s of steps) rows.push([window, int(s.rate), int(s.deliveredPerSec), ms(s.latency.p50), ms(s.latency.p99), ms(s.latency.max), num(s.cpuUsPerFrame), lossCell(s), s.pass ? 'pass' : 'fail']);
    }
    out.push(table(['COMMIT_WINDOW_MS', 'offered msg/s', 'delivered msg/s', 'p50 ms', 'p99 ms', 'max ms', 'CPU µs/frame', 'loss', 'result'], rows));
    out.push('');
    out.push(bestWindow(cw));
    out.push('');
  }

  if (results.largeHistory) {
    const lh = results.largeHistory;
    out.push(`### ${int(lh.messages)} stored messages`);
    out.push('');
    out.push(
      `Written straight into the SQLite file of a migrated, empty \`DATA_DIR\` (${lh.seedSeconds.toFixed(1)} s, database ${lh.databaseMB.toFixed(0)} MB), then the server started on it. ` +
        `The empty server is the same migrated database without the messages. Reads: \`GET /api/rooms/:id/messages?limit=50\` open-loop at ${int(lh.rate)}/s, the newest page, the page before the 1,000th message and \`GET /api/health\` (the same server's cheapest route: the floor of what any request costs here) in turn, once other jobs on the machine have calmed down (as before every measurement), after ${WARMUP_MS / 1000} s of the same reads that are not timed (a fresh server compiles its routes on its first requests); the empty server reads its (empty) newest page and health. Latency runs from the moment a request is issued. RSS after reads is the lowest in the ${AFTER_READS_MS / 1000} s after them: V8 keeps the heap a load grew until its memory reducer compacts it 10–15 s later, so one sample right after the reads measures where the GC cycle is, not what the server holds.`,
    );
    out.push('');
    out.push(
      table(
        ['server', 'RSS at start MB', 'RSS after reads MB', 'newest page p50 / p99 ms', 'deep page p50 / p99 ms', '`/api/health` p50 / p99 ms', 'failed', 'other jobs CPU %'],
        [
          ['empty database', lh.empty, false] as const,
          [`${int(lh.messages)} messages`, lh.full, true] as const,
        ].map(([name, r, deep]) => {
          const page = (path: string): string => `${ms(r.reads.perPath[path]?.p50)} / ${ms(r.reads.perPath[path]?.p99)}`;
          return [name, mb(r.rssStartKB), mb(r.rssAfterReadsKB), page('newest'), deep ? page('deep') : '—', page('health'), int(r.reads.failed), r.otherCpuPct === undefined ? '—' : r.otherCpuPct.toFixed(0)];
        }),
      ),
    );
    out.push('');
  } else {
    out.push('### 1,000,000 stored messages');
    out.push('');
    out.push('Not run in this mode: `npm run bench:full`, or `npm run bench -- --history-1m` (`--history-1m=200000` for fewer messages).');
    out.push('');
  }

  if (results.profile || results.stormProfile) {
    out.push('### Where ChatStream spends its CPU');
    out.push('');
    out.push(
      '`node --cpu-prof` on ChatStream (SQLite); self time of the samples taken inside the measurement window, by package and by function. ' +
        "V8 samples the main thread's stack at fixed intervals, so time spent blocked in a synchronous call (better-sqlite3's queries and their fsync, `writev` to sockets) counts as self time of that call, and `(idle)` is time waiting for I/O.",
    );
    out.push('');
  }
  if (results.profile) {
    const p = results.profile;
    out.push(
      `**Room fan-out** at ${int(p.rate)} msg/s offered (${int(p.step.deliveredPerSec)} delivered/s, server at ${int(p.step.server.cpuPct)} % CPU of which ${int((p.step.server.systemMs / p.step.server.wallMs) * 100)} % in the kernel, ` +
        `${num(p.step.cpuUsPerFrame)} µs per delivered frame with the profiler on; ${int(p.summary.samples)} samples${p.summary.windowed ? '' : ', whole process: the window could not be matched'}):`,
    );
    out.push('');
    out.push(profileTables(p.summary));
  }
  if (results.privateProfile) {
    const p = results.privateProfile;
    out.push(
      `**Private messages** at ${int(p.rate)} msg/s offered (${int(p.step.deliveredPerSec)} delivered/s, server at ${int(p.step.server.cpuPct)} % CPU of which ${int((p.step.server.systemMs / p.step.server.wallMs) * 100)} % in the kernel, ` +
        `${num(p.step.cpuUsPerFrame)} µs per delivered frame with the profiler on; ${int(p.summary.samples)} samples${p.summary.windowed ? '' : ', whole process'}), where the cost per message rather than per delivery shows:`,
    );
    out.push('');
    out.push(profileTables(p.summary));
  }
  if (results.wsProfile) {
    const p = results.wsProfile;
    out.push(
      `For comparison, **the bare ws baseline** under the same load (${int(p.step.deliveredPerSec)} delivered/s, ${int(p.step.server.cpuPct)} % CPU, ${num(p.step.cpuUsPerFrame)} µs per frame with the profiler on), by package:`,
    );
    out.push('');
    out.push(table(['package', 'self time %'], p.summary.byPackage.slice(0, 8).map((e) => [e.name, num(e.pct, 1)])));
    out.push('');
  }
  if (results.stormProfile) {
    const p = results.stormProfile;
    out.push(
      `**Connect storm** of ${int(p.result.connect.ok)} users (${int(p.result.connect.perSecond)} connects/s, ${int(p.result.cpuUsPerConnect)} µs server CPU each with the profiler on; ` +
        `${int(p.summary.samples)} samples${p.summary.windowed ? '' : ', whole process'}):`,
    );
    out.push('');
    out.push(profileTables(p.summary));
  }

  if (results.syscalls?.length) {
    out.push('### What storage costs the kernel');
    out.push('');
    out.push(
      'System calls of the ChatStream process per message sent, counted by `perf stat` on the syscall tracepoints during the measurement window (after a warm-up step), storage on and off. ' +
        'With SQLite every commit appends the changed pages to the WAL (`pwrite64`) and syncs it (`fsync`, `synchronous = FULL`), on the event loop (better-sqlite3 is synchronous).',
    );
    out.push('');
    const names = Object.keys(results.syscalls[0].result.perMessage);
    out.push(
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
    out.push('');
  }

  const missed = targets.filter((t) => t.met === false);
  out.push('### Where ChatStream misses its targets');
  out.push('');
  out.push(missed.length === 0 ? 'No target measured in this run was missed.' : missed.map((t) => `- **${t.measure}** (target ${t.target}): ${t.measured}.`).join('\n'));
  out.push('');
  if (results.failures.length) {
    out.push('### Runs that failed');
    out.push('');
    out.push(results.failures.map((f2) => `- ${f2.replace(/\n/g, ' ')}`).join('\n'));
    out.push('');
  }
  return out.join('\n');
}

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
    .map(([window, steps]) => ({ window, step: steps.find((s) => s.rate === top) }))
    .filter((c): c is { window: string; step: Measured } => c.step !== undefined);
  if (candidates.length === 0) return '';
  const clean = candidates.filter((c) => c.step.delivery.lost === 0 && c.step.disconnected === 0);
  const pool = clean.length ? clean : candidates;
  const best = pool.reduce((a, b) => (b.step.latency.p99 < a.step.latency.p99 ? b : a));
  const cpu = Object.entries(cw.rows)
    .map(([window, steps]) => `${window} ms: ${steps.map((s) => num(s.cpuUsPerFrame)).join(' / ')}`)
    .join('; ');
  return (
    `Best at ${int(top)} msg/s: **COMMIT_WINDOW_MS=${best.window}** (lowest p99 without loss: ${ms(best.step.latency.p99)} ms, ${int(best.step.deliveredPerSec)} delivered/s${clean.length ? '' : '; every setting lost messages at this rate'}). ` +
    `Server CPU µs per delivered frame at ${cw.rates.map(int).join(' / ')} msg/s: ${cpu}. A longer window means fewer commits per message, which shows in CPU first; p99 differences of a few ms are within this machine's noise.`
  );
}
