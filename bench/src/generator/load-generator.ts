import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { nowMs } from '../clock';
import { addDelivery, emptyDelivery, type DeliveryCounts } from '../stats/delivery';
import { Histogram, type LatencySummary } from '../stats/histogram';
import { ClientPool } from './client-pool';
import type { Command, ConnectReply, Layout, Reply, ResultReply, SentReply, TargetAddress } from './messages';

/** One place commands go: a worker thread, or a pool in this thread (tests, tiny loads). */
interface Channel {
  post(command: Command): void;
  stop(): Promise<void>;
}

let workerOverride: string | undefined;
/** Run worker threads from this script (a snapshot of the build, see snapshot.ts). */
export function useWorkerScript(path: string): void {
  workerOverride = path;
}

/** The compiled worker; under ts-jest the sources run, so look for the build next to them. */
function workerScript(): string | undefined {
  if (workerOverride) return workerOverride;
  const here = join(__dirname, 'worker.js');
  if (existsSync(here)) return here;
  const built = resolve(__dirname, '..', '..', 'dist', 'generator', 'worker.js');
  return existsSync(built) ? built : undefined;
}

export interface ConnectOptions {
  target: TargetAddress;
  clients: number;
  layout: Layout;
  /** User ids are `<prefix><index>`: a fresh prefix per run keeps runs apart on one server. */
  prefix: string;
  /** Connections in flight at once, over all workers. */
  concurrency?: number;
  localAddresses?: string[];
  timeoutMs?: number;
  /** Contract servers: connect with the lean raw-socket client instead of `ws` (see raw-socket.ts). */
  rawHandshake?: boolean;
}

export interface ConnectResult {
  ok: number;
  failed: number;
  /** First attempt to last welcome frame. */
  durationMs: number;
  perSecond: number;
  latency: LatencySummary;
  errors: string[];
}

export interface StepOptions {
  /** Offered load: messages per second over all clients. */
  rate: number;
  warmupMs: number;
  durationMs: number;
  size: number;
  /** How long to wait after the send phase for late frames. */
  drainMs: number;
  /** Called when the measurement window opens and closes (server /proc snapshots). */
  onWindowStart?: () => void;
  onWindowEnd?: () => void;
}

export interface StepResult {
  rate: number;
  sent: number;
  skipped: number;
  delivery: DeliveryCounts;
  windowMs: number;
  windowFrames: number;
  /** Frames delivered per second inside the measurement window. */
  deliveredPerSec: number;
  latency: LatencySummary;
  /** How late the generator sent, against the schedule: large values mean the generator is the bottleneck. */
  sendLag: LatencySummary;
  stale: number;
  errorFrames: number;
  errors: string[];
  disconnected: number;
  drainMs: number;
  /** CPU the generator process used in the window, % of one core. */
  generatorCpuPct: number;
}

/**
 * The coordinator: splits clients into contiguous blocks, one per worker
 * (so each worker holds members of every room), and runs the phases of a
 * run in lockstep across workers.
 */
export class LoadGenerator {
  /** Per worker, the callers waiting for its next replies (a worker answers commands in order). */
  private readonly pending: Array<Array<(reply: Reply) => void>> = [];
  private total = 0;
  private stepNo = 0;

  private constructor(private readonly channels: Channel[]) {}

  /** `threads` worker threads; 0 runs the clients in this thread. */
  static start(threads: number): LoadGenerator {
    const channels: Channel[] = [];
    const script = workerScript();
    const generator = new LoadGenerator(channels);
    const n = Math.max(1, threads);
    for (let i = 0; i < n; i++) {
      generator.pending.push([]);
      const onReply = (reply: Reply): void => generator.onReply(i, reply);
      if (threads > 0 && script) {
        const worker = new Worker(script);
        worker.on('message', onReply);
        worker.on('error', (error) => onReply({ reply: 'failed', error: String(error) }));
        channels.push({ post: (command) => worker.postMessage(command), stop: () => worker.terminate().then(() => undefined) });
      } else {
        const pool = new ClientPool((reply) => setImmediate(() => onReply(reply)));
        channels.push({ post: (command) => void pool.handle(command), stop: async () => undefined });
      }
    }
    return generator;
  }

  get workers(): number {
    return this.channels.length;
  }

  /** Connections that join nothing (idle memory, connect storms), with a minute to get through. */
  connectIdle(options: Omit<ConnectOptions, 'layout' | 'timeoutMs'>): Promise<ConnectResult> {
    return this.connect({ ...options, layout: { kind: 'none' }, timeoutMs: 60_000 });
  }

  async connect(options: ConnectOptions): Promise<ConnectResult> {
    this.total = options.clients;
    const per = Math.ceil(options.clients / this.channels.length);
    const concurrency = Math.max(1, Math.ceil((options.concurrency ?? 256) / this.channels.length));
    const replies = (await this.all((i) => ({
      cmd: 'connect',
      target: options.target,
      from: Math.min(options.clients, i * per),
      to: Math.min(options.clients, (i + 1) * per),
      total: options.clients,
      prefix: options.prefix,
      layout: options.layout,
      concurrency,
      localAddresses: options.localAddresses ?? [],
      timeoutMs: options.timeoutMs ?? 30_000,
      rawHandshake: options.rawHandshake,
    }))) as ConnectReply[];
    const latency = new Histogram();
    for (const reply of replies) latency.merge(reply.latency);
    const ok = replies.reduce((n, r) => n + r.ok, 0);
    const started = Math.min(...replies.map((r) => r.firstStart));
    const done = Math.max(...replies.map((r) => r.lastDone));
    const durationMs = ok > 0 ? done - started : 0;
    return {
      ok,
      failed: replies.reduce((n, r) => n + r.failed, 0),
      durationMs,
      perSecond: durationMs > 0 ? (ok * 1000) / durationMs : 0,
      latency: latency.summary(),
      errors: [...new Set(replies.flatMap((r) => r.errors))],
    };
  }

  async join(timeoutMs = 30_000): Promise<{ ok: number; failed: number; errors: string[] }> {
    const replies = (await this.all(() => ({ cmd: 'join', timeoutMs }))) as Array<{ ok: number; failed: number; errors: string[] }>;
    return {
      ok: replies.reduce((n, r) => n + r.ok, 0),
      failed: replies.reduce((n, r) => n + r.failed, 0),
      errors: [...new Set(replies.flatMap((r) => r.errors))],
    };
  }

  /** One open-loop load step at a fixed offered rate, then a drain and the accounting. */
  async step(options: StepOptions): Promise<StepResult> {
    const step = ++this.stepNo;
    const startAt = nowMs() + 50;
    const windowStart = startAt + options.warmupMs;
    const windowEnd = windowStart + options.durationMs;
    let cpuStart = process.cpuUsage();
    let cpuWindow = 0;
    const timers = [
      setTimeout(() => {
        cpuStart = process.cpuUsage();
        options.onWindowStart?.();
      }, windowStart - nowMs()),
      setTimeout(() => {
        const used = process.cpuUsage(cpuStart);
        cpuWindow = (used.user + used.system) / 1000;
        options.onWindowEnd?.();
      }, windowEnd - nowMs()),
    ];
    const perWorker = options.rate / this.channels.length;
    let sentReplies: SentReply[];
    try {
      sentReplies = (await this.all(() => ({
        cmd: 'step',
        step,
        startAt,
        warmupMs: options.warmupMs,
        durationMs: options.durationMs,
        rate: perWorker,
        size: options.size,
      }))) as SentReply[];
    } finally {
      // Workers reply at the end of the window; make sure the window-end snapshot ran.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, windowEnd - nowMs()) + 5));
      timers.forEach(clearTimeout);
    }
    const sent = new Array<number>(this.total).fill(0);
    const lag = new Histogram();
    let skipped = 0;
    for (const reply of sentReplies) {
      for (const [index, count] of reply.sent) sent[index] = count;
      lag.merge(reply.lag);
      skipped += reply.skipped;
    }
    const results = (await this.all(() => ({ cmd: 'expect', step, sent, drainMs: options.drainMs }))) as ResultReply[];
    const latency = new Histogram();
    let delivery = emptyDelivery();
    for (const result of results) {
      latency.merge(result.latency);
      delivery = addDelivery(delivery, result.delivery);
    }
    const windowFrames = results.reduce((n, r) => n + r.windowFrames, 0);
    return {
      rate: options.rate,
      sent: sent.reduce((a, b) => a + b, 0),
      skipped,
      delivery,
      windowMs: options.durationMs,
      windowFrames,
      deliveredPerSec: (windowFrames * 1000) / options.durationMs,
      latency: latency.summary(),
      sendLag: lag.summary(),
      stale: results.reduce((n, r) => n + r.stale, 0),
      errorFrames: results.reduce((n, r) => n + r.errorFrames, 0),
      errors: [...new Set(results.flatMap((r) => r.errors))],
      disconnected: results.reduce((n, r) => n + r.disconnected, 0),
      drainMs: Math.max(...results.map((r) => r.drainMs)),
      generatorCpuPct: (cpuWindow / options.durationMs) * 100,
    };
  }

  async close(): Promise<void> {
    await this.all(() => ({ cmd: 'close' }));
  }

  async stop(): Promise<void> {
    await Promise.all(this.channels.map((channel) => channel.stop()));
  }

  /** Sends each worker its command and waits for every reply. */
  private all(command: (worker: number) => Command): Promise<Reply[]> {
    return Promise.all(
      this.channels.map(
        (channel, i) =>
          new Promise<Reply>((resolvePromise, reject) => {
            this.pending[i].push((reply) => (reply.reply === 'failed' ? reject(new Error(reply.error)) : resolvePromise(reply)));
            channel.post(command(i));
          }),
      ),
    );
  }

  private onReply(worker: number, reply: Reply): void {
    const waiter = this.pending[worker].shift();
    if (waiter) waiter(reply);
    else if (reply.reply === 'failed') console.error(`bench worker ${worker}: ${reply.error}`);
  }
}
