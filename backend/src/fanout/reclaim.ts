import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Collections asked for within this window are one collection. */
const COALESCE_MS = 1000;
/** At most one collection per this long, however many slow consumers are cut. */
const MIN_INTERVAL_MS = 10_000;

/**
 * Gives back the memory a cut slow consumer held. Its queue (megabytes of
 * write requests, one per frame) is garbage the moment the socket is
 * terminated, but V8 collects only when something allocates: an idle server
 * kept ~150 MB of it for minutes after a burst (RSS 122 -> 273 MB, still
 * 267 MB 30 s later). One full collection, a second after the cut and at
 * most every 10 s, returns it (RSS back to ~125 MB) for a pause of a few
 * tens of milliseconds, paid only when a consumer was cut.
 */
export class MemoryReclaimer {
  private timer?: NodeJS.Timeout;
  private last = -Infinity;
  private collect?: () => void;

  constructor(private readonly clock: () => number = () => performance.now()) {}

  /** A slow consumer was cut: collect soon. */
  soon(): void {
    if (this.timer) return;
    const wait = Math.max(COALESCE_MS, this.last + MIN_INTERVAL_MS - this.clock());
    this.timer = setTimeout(() => this.run(), wait);
    this.timer.unref();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private run(): void {
    this.timer = undefined;
    this.last = this.clock();
    (this.collect ??= collector())();
  }
}

/** V8's full collection, made callable without starting node with --expose-gc; a no-op where that is not possible. */
function collector(): () => void {
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    if (typeof gc === 'function') return gc as () => void;
  } catch {
    // not available: leave it to V8
  }
  return () => undefined;
}
