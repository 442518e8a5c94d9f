/**
 * Finds the highest offered rate a server sustains: no message lost and
 * p99 within bound. Climbs geometrically from `start` until a probe fails
 * (or descends until one passes), then bisects (geometric mean) between the
 * last pass and the first fail `refine` times. A failure can be re-probed
 * once (`confirmFailures`), since one noisy second on a shared machine should
 * not set the answer. Never more than `maxProbes` probes.
 */
export interface SweepOptions {
  start: number;
  /** Factor between climbing probes (> 1). */
  growth: number;
  /** Bisection steps between the last pass and the first fail. */
  refine: number;
  maxProbes: number;
  /** Lowest rate worth probing; below it the sweep gives up. */
  floor: number;
  /** Highest rate worth probing. */
  ceiling?: number;
  confirmFailures?: boolean;
}

export interface SweepProbe<T> {
  rate: number;
  pass: boolean;
  result: T;
  /** A failed probe that was repeated (the repeat is the next entry). */
  retried?: boolean;
}

export interface SweepOutcome<T> {
  /** The highest passing probe, if any passed. */
  sustainable?: SweepProbe<T>;
  /** Every probe in the order it ran. */
  probes: Array<SweepProbe<T>>;
}

export async function sweep<T>(
  probe: (rate: number) => Promise<T>,
  passes: (result: T) => boolean,
  options: SweepOptions,
): Promise<SweepOutcome<T>> {
  const probes: Array<SweepProbe<T>> = [];
  const budgetLeft = (): boolean => probes.length < options.maxProbes;
  const run = async (rate: number): Promise<boolean> => {
    let result = await probe(rate);
    let pass = passes(result);
    if (!pass && options.confirmFailures && budgetLeft() && probes.length + 1 < options.maxProbes) {
      probes.push({ rate, pass, result, retried: true });
      result = await probe(rate);
      pass = passes(result);
    }
    probes.push({ rate, pass, result });
    return pass;
  };
  let lo: number | undefined;
  let hi: number | undefined;
  let rate = Math.round(options.start);
  if (await run(rate)) {
    lo = rate;
    while (budgetLeft()) {
      const next = Math.round(rate * options.growth);
      if (options.ceiling !== undefined && next > options.ceiling) break;
      rate = next;
      if (await run(rate)) lo = rate;
      else {
        hi = rate;
        break;
      }
    }
  } else {
    hi = rate;
    while (budgetLeft()) {
      rate = Math.round(rate / options.growth);
      if (rate < options.floor) break;
      if (await run(rate)) {
        lo = rate;
        break;
      }
      hi = rate;
    }
  }
  for (let i = 0; i < options.refine && lo !== undefined && hi !== undefined && budgetLeft(); i++) {
    const mid = Math.round(Math.sqrt(lo * hi));
    if (mid <= lo || mid >= hi) break;
    if (await run(mid)) lo = mid;
    else hi = mid;
  }
  const passed = probes.filter((p) => p.pass);
  const sustainable = passed.length ? passed.reduce((best, p) => (p.rate > best.rate ? p : best)) : undefined;
  return { sustainable, probes };
}
