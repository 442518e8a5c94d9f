import { waitForQuietMachine } from '../proc';
import type { ServerSpec } from '../servers';
import { sweep, type SweepOptions, type SweepOutcome } from '../sweep';
import { closeSession, healthy, measure, openSession, type MeasureOptions, type Measured, type Session, type SessionOptions } from './session';

/**
 * Room fan-out and private messages: the same open-loop load, over rooms
 * (every message to its room's members, the sender included) or pairs
 * (every message to the recipient and the sender).
 */
export interface MessageLoad {
  session: SessionOptions;
  step: Omit<MeasureOptions, 'rate'>;
}

/** Other jobs' CPU (% of one core) above which a failed step is measured again. */
export const NOISY_PCT = 25;
const NOISY_RETRIES = 2;

/** A session that reopens itself (fresh server, fresh clients) after a step that dropped clients. */
export class Workload {
  private current?: Session;
  private reopen = false;

  constructor(
    readonly spec: ServerSpec,
    private readonly load: MessageLoad,
  ) {}

  async session(): Promise<Session> {
    if (this.current && this.reopen) {
      await closeSession(this.current);
      this.current = undefined;
    }
    this.reopen = false;
    this.current ??= await openSession(this.spec, this.load.session);
    return this.current;
  }

  /**
   * One load step. A step that fails while other jobs took more than
   * `NOISY_PCT` of a core is not the server's verdict: wait for the machine
   * to calm down and measure again (at most twice; the result says how often).
   */
  async step(rate: number): Promise<Measured> {
    let result: Measured | undefined;
    for (let attempt = 0; attempt <= NOISY_RETRIES; attempt++) {
      const session = await this.session();
      if (result) await waitForQuietMachine([session.server.pid], 20_000);
      const next = await measure(session, { ...this.load.step, rate });
      next.noisyRetries = attempt;
      result = next;
      if (!healthy(result)) this.reopen = true;
      if (result.pass || result.otherCpuPct <= NOISY_PCT) break;
    }
    return result as Measured;
  }

  async sweep(options: SweepOptions): Promise<SweepOutcome<Measured>> {
    return sweep(
      (rate) => this.step(rate),
      (result) => result.pass,
      options,
    );
  }

  async close(): Promise<void> {
    if (this.current) await closeSession(this.current);
    this.current = undefined;
  }
}
