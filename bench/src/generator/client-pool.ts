import { nowMs } from '../clock';
import { ReceiverLedger, emptyDelivery, type DeliveryCounts } from '../stats/delivery';
import { Histogram } from '../stats/histogram';
import { encodeContent, isErrorFrame, scanContent, scanFrame, type Stamp } from './content';
import type { Command, ConnectCommand, Layout, Reply, StepCommand } from './messages';
import { openSocket, type BenchSocket, type FrameSink, type OutFrame } from './transports';

/** Who client `index` hears from: its room's members, or itself and its partner. */
export function audienceOf(index: number, total: number, layout: Layout): number[] {
  if (layout.kind === 'pairs') {
    const partner = index ^ 1;
    return partner < total ? [index, partner] : [index];
  }
  if (layout.kind === 'rooms') {
    const rooms = layout.roomIds.length;
    const members: number[] = [];
    for (let i = index % rooms; i < total; i += rooms) members.push(i);
    return members;
  }
  return [];
}

/** The frame client `index` sends for message `content`. */
export function outgoing(index: number, total: number, layout: Layout, prefix: string, content: string): OutFrame | undefined {
  if (layout.kind === 'rooms') return { type: 'text', content, room: layout.roomIds[index % layout.roomIds.length] };
  if (layout.kind === 'pairs') {
    const partner = index ^ 1;
    return partner < total ? { type: 'text', content, recipient: `${prefix}${partner}` } : undefined;
  }
  return undefined;
}

/** Keeps at most a few distinct error messages. */
class ErrorLog {
  readonly list: string[] = [];
  add(message: string): void {
    if (this.list.length < 5 && !this.list.includes(message)) this.list.push(message);
  }
}

interface StepState {
  command: StepCommand;
  windowStart: number;
  windowEnd: number;
  windowStartUs: number;
  windowEndUs: number;
  latency: Histogram;
  windowFrames: number;
  stale: number;
  errorFrames: number;
  errors: ErrorLog;
  disconnected: number;
  /** Set by `expect`: unique frames still missing, and who is waiting for them. */
  remaining?: number;
  expected?: number[];
  drained?: () => void;
}

/**
 * One worker's share of the clients: it opens them, joins their rooms, sends
 * its part of the offered load on schedule and accounts for every frame they
 * receive. Runs in a worker thread (worker.ts) or inline (tests).
 */
export class ClientPool {
  private config?: ConnectCommand;
  private readonly clients: Array<ClientState> = [];
  private step?: StepState;
  private lastStep = -1;
  private readonly stamp: Stamp = { step: 0, sender: 0, seq: 0, sentUs: 0 };

  constructor(private readonly reply: (reply: Reply) => void) {}

  async handle(command: Command): Promise<void> {
    try {
      switch (command.cmd) {
        case 'connect':
          return this.reply(await this.connect(command));
        case 'join':
          return this.reply(await this.join(command.timeoutMs));
        case 'step':
          return this.reply(await this.send(command));
        case 'expect':
          return this.reply(await this.drain(command.step, command.sent, command.drainMs));
        case 'close':
          await Promise.all(this.clients.map((client) => client.socket?.close()));
          return this.reply({ reply: 'closed' });
      }
    } catch (error) {
      this.reply({ reply: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    }
  }

  private async connect(command: ConnectCommand): Promise<Reply> {
    this.config = command;
    const latency = new Histogram();
    const errors = new ErrorLog();
    let ok = 0;
    let failed = 0;
    let firstStart = Infinity;
    let lastDone = 0;
    let next = command.from;
    const open = async (): Promise<void> => {
      while (next < command.to) {
        const index = next++;
        const client = new ClientState(index, `${command.prefix}${index}`, this);
        this.clients.push(client);
        const started = nowMs();
        firstStart = Math.min(firstStart, started);
        const addresses = command.localAddresses;
        try {
          client.socket = await openSocket(
            command.target,
            {
              userId: client.userId,
              username: client.userId,
              localAddress: addresses.length ? addresses[index % addresses.length] : undefined,
              timeoutMs: command.timeoutMs,
              rawHandshake: command.rawHandshake,
            },
            client,
          );
          const done = nowMs();
          lastDone = Math.max(lastDone, done);
          latency.recordMs(done - started);
          ok++;
        } catch (error) {
          failed++;
          errors.add(error instanceof Error ? error.message : String(error));
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, command.concurrency) }, open));
    return { reply: 'connected', ok, failed, firstStart, lastDone, latency: latency.toData(), errors: errors.list };
  }

  /** Every client joins its room and waits for its own `join` frame. */
  private async join(timeoutMs: number): Promise<Reply> {
    const layout = this.config?.layout;
    if (layout?.kind !== 'rooms') return { reply: 'joined', ok: 0, failed: 0, errors: [] };
    const errors = new ErrorLog();
    const results = await Promise.all(
      this.clients.map((client) => {
        const room = layout.roomIds[client.index % layout.roomIds.length];
        return client.join(room, timeoutMs).then(
          () => true,
          (error: Error) => (errors.add(error.message), false),
        );
      }),
    );
    const ok = results.filter(Boolean).length;
    return { reply: 'joined', ok, failed: results.length - ok, errors: errors.list };
  }

  /** Open-loop sending: message k is due at startAt + k/rate, whatever the server's answers. */
  private async send(command: StepCommand): Promise<Reply> {
    const config = this.config as ConnectCommand;
    const windowStart = command.startAt + command.warmupMs;
    const windowEnd = windowStart + command.durationMs;
    this.step = {
      command,
      windowStart,
      windowEnd,
      windowStartUs: windowStart * 1000,
      windowEndUs: windowEnd * 1000,
      latency: new Histogram(),
      windowFrames: 0,
      stale: 0,
      errorFrames: 0,
      errors: new ErrorLog(),
      disconnected: 0,
    };
    this.lastStep = command.step;
    for (const client of this.clients) client.resetForStep();
    const senders = this.clients.filter((client) => client.socket && outgoing(client.index, config.total, config.layout, '', 'x'));
    const lag = new Histogram();
    const intervalMs = 1000 / command.rate;
    const total = senders.length === 0 ? 0 : Math.floor(((command.warmupMs + command.durationMs) * command.rate) / 1000);
    let k = 0;
    let skipped = 0;
    await new Promise<void>((resolve) => {
      const tick = (): void => {
        const now = nowMs();
        while (k < total) {
          const due = command.startAt + k * intervalMs;
          if (due > now) break;
          const client = senders[k % senders.length];
          k++;
          if (!client.socket?.open) {
            skipped++;
            continue;
          }
          const seq = client.sent++;
          const content = encodeContent({ step: command.step, sender: client.index, seq, sentUs: due * 1000 }, command.size);
          client.socket.send(outgoing(client.index, config.total, config.layout, config.prefix, content) as OutFrame);
          if (due >= windowStart && due < windowEnd) lag.recordMs(now - due);
        }
        if (k >= total) return resolve();
        const wait = command.startAt + k * intervalMs - nowMs();
        setTimeout(tick, Math.max(0, Math.min(wait, 1)));
      };
      setTimeout(tick, Math.max(0, command.startAt - nowMs()));
    });
    // Pace the end too: report once the send phase is over, not before.
    const left = windowEnd - nowMs();
    if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
    return {
      reply: 'sent',
      step: command.step,
      sent: senders.map((client) => [client.index, client.sent] as [number, number]),
      skipped,
      lag: lag.toData(),
    };
  }

  /** Waits until every receiver has what was sent to it (or `drainMs` passed), then accounts. */
  private async drain(step: number, sent: number[], drainMs: number): Promise<Reply> {
    const state = this.step as StepState;
    const config = this.config as ConnectCommand;
    const started = nowMs();
    const expected = this.clients.map((client) => {
      let n = 0;
      for (const sender of audienceOf(client.index, config.total, config.layout)) n += sent[sender] ?? 0;
      return n;
    });
    let remaining = 0;
    this.clients.forEach((client, i) => (remaining += Math.max(0, expected[i] - client.ledger.unique)));
    state.expected = expected;
    state.remaining = remaining;
    if (remaining > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, drainMs);
        state.drained = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    state.drained = undefined;
    let delivery: DeliveryCounts = emptyDelivery();
    for (const client of this.clients) {
      const audience = audienceOf(client.index, config.total, config.layout);
      const { expected: want, lost, unexpected } = client.ledger.account(audience, sent);
      delivery = {
        expected: delivery.expected + want,
        delivered: delivery.delivered + (want - lost),
        lost: delivery.lost + lost,
        duplicates: delivery.duplicates + client.ledger.duplicates,
        unexpected: delivery.unexpected + unexpected,
      };
    }
    return {
      reply: 'result',
      step,
      latency: state.latency.toData(),
      delivery,
      windowFrames: state.windowFrames,
      stale: state.stale,
      errorFrames: state.errorFrames,
      errors: state.errors.list,
      disconnected: state.disconnected,
      drainMs: nowMs() - started,
    };
  }

  /** A benchmark message reached client `receiver` (by its position in this pool). */
  received(receiver: ClientState, stamp: Stamp): void {
    const state = this.step;
    if (!state || stamp.step !== this.lastStep) {
      if (state) state.stale++;
      return;
    }
    const now = nowMs();
    if (!receiver.ledger.record(stamp.sender, stamp.seq)) return;
    if (stamp.sentUs >= state.windowStartUs && stamp.sentUs < state.windowEndUs) state.latency.record(now * 1000 - stamp.sentUs);
    if (now >= state.windowStart && now < state.windowEnd) state.windowFrames++;
    if (state.remaining !== undefined && state.expected && receiver.ledger.unique <= state.expected[receiver.position]) {
      state.remaining--;
      if (state.remaining === 0) state.drained?.();
    }
  }

  errorFrame(content: string): void {
    if (this.step) {
      this.step.errorFrames++;
      this.step.errors.add(content);
    }
  }

  disconnected(): void {
    if (this.step) this.step.disconnected++;
  }

  /** Parses stamps into one reused object: the hot path allocates nothing. */
  get scratch(): Stamp {
    return this.stamp;
  }

  get size(): number {
    return this.clients.length;
  }
}

/** One client: its socket, what it sent this step, and what it received. */
class ClientState implements FrameSink {
  socket?: BenchSocket;
  sent = 0;
  ledger = new ReceiverLedger();
  readonly position: number;
  private waiter?: { match: (frame: Record<string, unknown>) => boolean; resolve: () => void };

  constructor(
    readonly index: number,
    readonly userId: string,
    private readonly pool: ClientPool,
  ) {
    this.position = pool.size;
  }

  resetForStep(): void {
    this.sent = 0;
    this.ledger = new ReceiverLedger();
  }

  join(room: string, timeoutMs: number): Promise<void> {
    const socket = this.socket;
    if (!socket?.open) return Promise.reject(new Error('not connected'));
    const me = this.userId;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`no join acknowledgement for ${room} in time`));
      }, timeoutMs);
      this.waiter = {
        match: (frame) => frame.type === 'join' && frame.user_id === me && frame.room === room,
        resolve: () => {
          clearTimeout(timer);
          this.waiter = undefined;
          resolve();
        },
      };
      socket.send({ type: 'join_room', content: room });
    });
  }

  raw(frame: Buffer): void {
    const stamp = this.pool.scratch;
    if (scanFrame(frame, stamp)) return this.pool.received(this, stamp);
    if (isErrorFrame(frame) || this.waiter) this.control(JSON.parse(frame.toString()) as Record<string, unknown>);
  }

  decoded(type: string, frame: Record<string, unknown>): void {
    const stamp = this.pool.scratch;
    if ((type === 'text' || type === 'private') && scanContent(frame?.content, stamp)) return this.pool.received(this, stamp);
    this.control(frame ?? {});
  }

  closed(): void {
    this.pool.disconnected();
  }

  private control(frame: Record<string, unknown>): void {
    if (frame.type === 'error') this.pool.errorFrame(String(frame.content));
    else if (this.waiter?.match(frame)) this.waiter.resolve();
  }
}
