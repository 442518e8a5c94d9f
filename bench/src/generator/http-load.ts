import { Agent, request } from 'node:http';
import { nowMs } from '../clock';
import { Histogram, type LatencySummary } from '../stats/histogram';

export interface HttpLoadOptions {
  baseUrl: string;
  /** Paths requested in turn; those with a `group` are also timed together under it (see perGroup). */
  paths: Array<{ name: string; path: string; group?: string }>;
  /** Requests per second, over all paths. */
  rate: number;
  durationMs: number;
  /**
   * Requests issued before this much time has passed (after the start) are
   * checked but not timed: a fresh server compiles its hot paths on its
   * first requests, which is not the latency of a running one.
   */
  warmupMs?: number;
  /** Keep-alive connections. */
  connections: number;
  timeoutMs?: number;
  /** Sent with every request (e.g. `authorization: Bearer …` for accounts mode). */
  headers?: Record<string, string>;
}

export interface HttpLoadResult {
  requests: number;
  ok: number;
  failed: number;
  errors: string[];
  perPath: Record<string, LatencySummary>;
  /**
   * The paths of each group timed as one (e.g. every history page): the p99
   * of "a page", where the worst of several per-path p99s, each from a
   * quarter of the samples, is a higher percentile than the one asked for.
   */
  perGroup: Record<string, LatencySummary>;
  all: LatencySummary;
  perSecond: number;
}

/**
 * Open-loop GETs at a fixed rate over keep-alive connections. Latency runs
 * from the moment the request is issued (not from its slot in the schedule:
 * the timer's millisecond granularity is the generator's, not the
 * server's), so a request that waits for a free connection counts its wait.
 */
export async function httpLoad(options: HttpLoadOptions): Promise<HttpLoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const url = new URL(options.baseUrl);
  const perPath = new Map(options.paths.map((p) => [p.name, new Histogram()]));
  const perGroup = new Map(options.paths.flatMap((p) => (p.group ? [[p.group, new Histogram()] as const] : [])));
  const all = new Histogram();
  const errors = new Set<string>();
  const warmup = Math.floor((options.rate * (options.warmupMs ?? 0)) / 1000);
  const total = warmup + Math.floor((options.rate * options.durationMs) / 1000);
  const interval = 1000 / options.rate;
  const start = nowMs() + 20;
  let ok = 0;
  let failed = 0;
  let issued = 0;
  let finished = 0;
  await new Promise<void>((resolve) => {
    const done = (): void => {
      finished++;
      if (finished === total) resolve();
    };
    const fire = (k: number): void => {
      const issued = nowMs();
      const target = options.paths[k % options.paths.length];
      const req = request(
        { host: url.hostname, port: url.port, path: target.path, agent, headers: options.headers, timeout: options.timeoutMs ?? 10_000 },
        (res) => {
          res.resume();
          res.on('end', () => {
            const ms = nowMs() - issued;
            if (res.statusCode === 200) {
              if (k < warmup) return done();
              ok++;
              perPath.get(target.name)?.recordMs(ms);
              if (target.group) perGroup.get(target.group)?.recordMs(ms);
              all.recordMs(ms);
            } else {
              failed++;
              errors.add(`HTTP ${res.statusCode} on ${target.name}`);
            }
            done();
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (error) => {
        failed++;
        errors.add(error.message);
        done();
      });
      req.end();
    };
    const tick = (): void => {
      const now = nowMs();
      while (issued < total && start + issued * interval <= now) fire(issued++);
      if (issued < total) setTimeout(tick, Math.max(0, Math.min(1, start + issued * interval - nowMs())));
    };
    if (total === 0) resolve();
    else setTimeout(tick, 20);
  });
  agent.destroy();
  return {
    requests: total - warmup,
    ok,
    failed,
    errors: [...errors].slice(0, 5),
    perPath: Object.fromEntries([...perPath].map(([name, h]) => [name, h.summary()])),
    perGroup: Object.fromEntries([...perGroup].map(([name, h]) => [name, h.summary()])),
    all: all.summary(),
    perSecond: (ok * 1000) / options.durationMs,
  };
}
