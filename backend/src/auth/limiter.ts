import type { Clock } from '../common/clock';

/**
 * At most `limit` hits per key within any `windowMs` (a sliding log of hit
 * times per key). Kept per instance, in memory; keys whose hits all left the
 * window are forgotten.
 */
export class SlidingWindowLimiter {
  private readonly hits = new Map<string, number[]>();
  private lastPrune = 0;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly clock: Clock,
  ) {}

  /** 0 when `key` may go ahead, else how many ms until it may. */
  waitMs(key: string): number {
    if (this.limit <= 0) return 0;
    const recent = this.recent(key);
    if (recent.length < this.limit) return 0;
    return recent[recent.length - this.limit] + this.windowMs - this.clock.now();
  }

  hit(key: string): void {
    if (this.limit <= 0) return;
    const recent = this.recent(key);
    recent.push(this.clock.now());
    // More than `limit` hits never matter.
    if (recent.length > this.limit) recent.splice(0, recent.length - this.limit);
    this.hits.set(key, recent);
    this.prune();
  }

  /** Forgets the key's hits (a sign-in that succeeded). */
  reset(key: string): void {
    this.hits.delete(key);
  }

  /** Keys with hits in the window (for specs). */
  get size(): number {
    return this.hits.size;
  }

  private recent(key: string): number[] {
    const since = this.clock.now() - this.windowMs;
    const times = this.hits.get(key);
    if (!times) return [];
    const recent = times.filter((time) => time > since);
    if (recent.length === 0) this.hits.delete(key);
    return recent;
  }

  private prune(): void {
    const now = this.clock.now();
    if (now - this.lastPrune < this.windowMs) return;
    this.lastPrune = now;
    for (const [key, times] of this.hits) if (times[times.length - 1] <= now - this.windowMs) this.hits.delete(key);
  }
}
