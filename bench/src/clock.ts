import { performance } from 'node:perf_hooks';

/**
 * Wall-clock milliseconds with sub-millisecond resolution. Latency is
 * measured between a sender and a receiver that may live in different worker
 * threads: `performance.now()` alone counts from each thread's own origin, so
 * the origin is added back to get one clock all threads share.
 */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
