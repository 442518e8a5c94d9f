import { bucketOf, bucketRange, BUCKETS, Histogram } from './histogram';

/** The exact percentile of a sorted list, same definition as the histogram (nearest rank). */
function exact(sorted: number[], p: number): number {
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1];
}

describe('latency histogram', () => {
  it('keeps values below 128 µs exact', () => {
    const sut = new Histogram();
    for (const us of [0, 1, 5, 127]) sut.record(us);
    expect(sut.percentile(25)).toBe(0);
    expect(sut.percentile(50)).toBe(1);
    expect(sut.percentile(75)).toBe(5);
    expect(sut.percentile(100)).toBe(127);
  });

  it('puts every value in the bucket whose range holds it, and the buckets tile the axis', () => {
    for (let v = 0; v < 300_000; v += 37) {
      const [low, high] = bucketRange(bucketOf(v));
      expect(v).toBeGreaterThanOrEqual(low);
      expect(v).toBeLessThanOrEqual(high);
    }
    for (let i = 1; i < BUCKETS; i++) expect(bucketRange(i)[0]).toBe(bucketRange(i - 1)[1] + 1);
  });

  it('reports percentiles within 1.6 % of the exact ones', () => {
    const values = Array.from({ length: 50_000 }, (_, i) => Math.round(200 + ((i * 7919) % 100_000) * (1 + (i % 13))));
    const sut = new Histogram();
    values.forEach((v) => sut.record(v));
    const sorted = [...values].sort((a, b) => a - b);
    for (const p of [50, 90, 99, 99.9]) {
      const want = exact(sorted, p);
      expect(Math.abs(sut.percentile(p) - want) / want).toBeLessThan(0.016);
    }
    expect(sut.max).toBe(sorted[sorted.length - 1]);
  });

  it('merges to the same result as recording everything in one', () => {
    const a = new Histogram();
    const b = new Histogram();
    const both = new Histogram();
    for (let i = 0; i < 1000; i++) {
      const v = (i * 31) % 5000;
      (i % 2 ? a : b).record(v);
      both.record(v);
    }
    const merged = new Histogram().merge(a).merge(Histogram.from(b.toData()));
    expect(merged.summary()).toEqual(both.summary());
  });

  it('summarizes in milliseconds, counts clock skew as zero, and is all zeros when empty', () => {
    expect(new Histogram().summary()).toEqual({ count: 0, p50: 0, p90: 0, p99: 0, max: 0, mean: 0 });
    const sut = new Histogram();
    sut.recordMs(2.5);
    sut.recordMs(-0.3);
    expect(sut.summary()).toMatchObject({ count: 2, max: 2.5, p50: 0 });
    expect(sut.summary().p99).toBeCloseTo(2.5, 1);
  });
});
