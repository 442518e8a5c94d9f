import { sweep, type SweepOptions } from './sweep';

const options: SweepOptions = { start: 100, growth: 2, refine: 3, maxProbes: 20, floor: 5 };

/** A server that sustains anything up to `limit`. */
const upTo = (limit: number) => async (rate: number) => ({ rate, ok: rate <= limit });

describe('sustainable rate sweep', () => {
  it('climbs until a probe fails, then bisects between the last pass and the first fail', async () => {
    const outcome = await sweep(upTo(1000), (r) => r.ok, options);
    expect(outcome.probes.slice(0, 5).map((p) => p.rate)).toEqual([100, 200, 400, 800, 1600]);
    const found = outcome.sustainable?.rate ?? 0;
    expect(found).toBeLessThanOrEqual(1000);
    // Three bisections narrow [800, 1600] to within a factor of 2^(1/8).
    expect(found).toBeGreaterThanOrEqual(1000 / 2 ** (1 / 8));
  });

  it('descends when the first probe fails', async () => {
    const outcome = await sweep(upTo(30), (r) => r.ok, options);
    expect(outcome.probes.slice(0, 3).map((p) => p.rate)).toEqual([100, 50, 25]);
    expect(outcome.sustainable?.rate).toBeLessThanOrEqual(30);
    expect(outcome.sustainable?.rate).toBeGreaterThanOrEqual(25);
  });

  it('reports no sustainable rate when nothing above the floor passes', async () => {
    const outcome = await sweep(upTo(1), (r) => r.ok, options);
    expect(outcome.sustainable).toBeUndefined();
    expect(Math.min(...outcome.probes.map((p) => p.rate))).toBeGreaterThanOrEqual(options.floor);
  });

  it('never runs more probes than allowed', async () => {
    const outcome = await sweep(upTo(1e12), (r) => r.ok, { ...options, maxProbes: 4 });
    expect(outcome.probes).toHaveLength(4);
    expect(outcome.sustainable?.rate).toBe(800);
  });

  it('stops climbing at the ceiling', async () => {
    const outcome = await sweep(upTo(1e12), (r) => r.ok, { ...options, ceiling: 500 });
    expect(outcome.sustainable?.rate).toBe(400);
  });

  it('repeats a failed probe once when asked, so one noisy step does not set the answer', async () => {
    let calls = 0;
    // The first probe at 400 fails by bad luck, the repeat passes.
    const flaky = async (rate: number) => ({ ok: rate <= 1000 && !(rate === 400 && calls++ === 0) });
    const outcome = await sweep(flaky, (r) => r.ok, { ...options, confirmFailures: true });
    const at400 = outcome.probes.filter((p) => p.rate === 400);
    expect(at400.map((p) => [p.pass, p.retried ?? false])).toEqual([
      [false, true],
      [true, false],
    ]);
    expect(outcome.sustainable?.rate).toBeGreaterThan(800);
  });
});
