/**
 * A latency histogram in microseconds: exact below 128 µs, then 64 buckets per
 * power of two (at most 1.6 % off). Bounded size whatever the sample count,
 * and two histograms merge by adding counts, so each worker thread keeps its
 * own and the coordinator adds them up.
 */
const EXACT = 128;
const SUB_BUCKETS = 64;
const SUB_BITS = 6;
/** Values are clamped below 2^31 µs (about 36 minutes). */
const MAX_VALUE = 2 ** 31 - 1;
export const BUCKETS = EXACT + (31 - SUB_BITS - 1) * SUB_BUCKETS;

export function bucketOf(us: number): number {
  const v = Math.min(MAX_VALUE, Math.max(0, Math.round(us)));
  if (v < EXACT) return v;
  const shift = 31 - Math.clz32(v) - SUB_BITS;
  return EXACT + (shift - 1) * SUB_BUCKETS + ((v >>> shift) - SUB_BUCKETS);
}

/** The range of values `[low, high]` that fall in bucket `index`. */
export function bucketRange(index: number): [number, number] {
  if (index < EXACT) return [index, index];
  const k = index - EXACT;
  const shift = Math.floor(k / SUB_BUCKETS) + 1;
  const mantissa = (k % SUB_BUCKETS) + SUB_BUCKETS;
  return [mantissa * 2 ** shift, (mantissa + 1) * 2 ** shift - 1];
}

/** What a histogram sends between threads. */
export interface HistogramData {
  counts: number[] | Uint32Array;
  count: number;
  max: number;
  sum: number;
}

export interface LatencySummary {
  count: number;
  /** Milliseconds. */
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export class Histogram {
  private readonly counts = new Uint32Array(BUCKETS);
  count = 0;
  /** Exact largest value recorded, µs. */
  max = 0;
  sum = 0;

  /** Records one value in microseconds; negative values (clock skew) count as 0. */
  record(us: number): void {
    const v = us < 0 ? 0 : us;
    this.counts[bucketOf(v)]++;
    this.count++;
    this.sum += v;
    if (v > this.max) this.max = v;
  }

  recordMs(ms: number): void {
    this.record(ms * 1000);
  }

  merge(other: Histogram | HistogramData): this {
    const counts = other instanceof Histogram ? other.counts : other.counts;
    for (let i = 0; i < BUCKETS; i++) this.counts[i] += counts[i] ?? 0;
    this.count += other.count;
    this.sum += other.sum;
    if (other.max > this.max) this.max = other.max;
    return this;
  }

  /**
   * The value at percentile `p` (0-100), in µs: the smallest recorded value
   * such that at least p % of the values are at or below it, reported as the
   * middle of its bucket and never above the exact maximum.
   */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= rank) {
        const [low, high] = bucketRange(i);
        return Math.min(this.max, (low + high) / 2);
      }
    }
    return this.max;
  }

  summary(): LatencySummary {
    const ms = (us: number): number => Math.round(us) / 1000;
    return {
      count: this.count,
      p50: ms(this.percentile(50)),
      p90: ms(this.percentile(90)),
      p99: ms(this.percentile(99)),
      max: ms(this.max),
      mean: this.count ? ms(this.sum / this.count) : 0,
    };
  }

  toData(): HistogramData {
    return { counts: Array.from(this.counts), count: this.count, max: this.max, sum: this.sum };
  }

  static from(data: HistogramData): Histogram {
    return new Histogram().merge(data);
  }
}
