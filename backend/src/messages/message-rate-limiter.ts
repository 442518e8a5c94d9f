/** Milliseconds on a clock that never goes back. */
export type Clock = () => number;
const monotonic: Clock = () => performance.now();

interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date. */
  at: number;
}

/**
 * The message limit of one instance: a token bucket per user holding up to
 * `burst` messages, refilled at `perSecond`. `take` is a few arithmetic
 * operations on the sender's bucket, allocates only for a user's first
 * message, and never waits. Full buckets are the same as no bucket, so they
 * are dropped now and then: the map holds only users who sent recently.
 */
export class MessageRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;
  /** Map size at which the next sweep of full buckets runs. */
  private sweepAt = MIN_SWEEP;

  constructor(
    private readonly burst: number,
    perSecond: number,
    private readonly now: Clock = monotonic,
  ) {
    this.perMs = perSecond / 1000;
  }

  get enabled(): boolean {
    return this.perMs > 0;
  }

  /** Takes one message from `userId`'s allowance: 0 if it may be sent, otherwise the milliseconds until it could be. */
  take(userId: string): number {
    if (this.perMs <= 0) return 0;
    const now = this.now();
    let bucket = this.buckets.get(userId);
    if (!bucket) {
      if (this.buckets.size >= this.sweepAt) this.sweep(now);
      bucket = { tokens: this.burst, at: now };
      this.buckets.set(userId, bucket);
    } else {
      bucket.tokens = Math.min(this.burst, bucket.tokens + (now - bucket.at) * this.perMs);
      bucket.at = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs));
  }

  /** Users with a bucket (for tests of the sweep). */
  get size(): number {
    return this.buckets.size;
  }

  private sweep(now: number): void {
    for (const [userId, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.at) * this.perMs >= this.burst) this.buckets.delete(userId);
    }
    this.sweepAt = Math.max(MIN_SWEEP, this.buckets.size * 2);
  }
}

const MIN_SWEEP = 1024;
