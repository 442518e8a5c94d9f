import { MAX_BUFFERED_BYTES, type ProtocolLevel } from '@chatstream/protocol';
import type { WebSocket } from 'ws';

/** One open WebSocket of a user, with what the protocol level needs to know about it. */
export class Connection {
  /** Rooms whose frames this connection receives (kept by `FanoutService`). */
  rooms?: Set<string>;
  /** Seed level: the one room this connection receives room frames for. */
  currentRoom?: string;
  /** Answered the last heartbeat ping. */
  alive = true;
  /**
   * While a seed-level join replays history, live frames wait here (with the
   * message id, to drop those the replay already carried).
   */
  private held?: Array<{ id: string | undefined; data: Buffer }>;

  /** Tail of this connection's membership changes (join/leave), while one is running. */
  private lane?: Promise<unknown>;

  constructor(
    readonly socket: WebSocket,
    readonly userId: string,
    readonly username: string,
    readonly level: ProtocolLevel,
    /** Accounts mode: the session the connection was opened with (it closes when the session ends). */
    readonly sessionId?: string,
  ) {}

  /** Queues a serialized frame; returns false when the connection is no longer open. */
  send(data: Buffer, messageId?: string): boolean {
    if (this.held) {
      this.held.push({ id: messageId, data });
      return true;
    }
    return this.write(data);
  }

  /**
   * The frames of one connection may be handled concurrently (their handlers
   * are async), but a client that sends `join_room` then `text` must find
   * itself a member. Membership changes therefore run one after another, and
   * a message waits for those that arrived before it, not for earlier
   * messages: their order is already fixed when they are appended to storage.
   */
  queueChange(task: () => Promise<void>): Promise<void> {
    const run = (this.lane ?? Promise.resolve()).then(task);
    const tail = run.catch(() => undefined);
    this.lane = tail;
    void tail.then(() => {
      if (this.lane === tail) this.lane = undefined;
    });
    return run;
  }

  /** Runs `task` once the membership changes asked for before it are done. */
  afterChanges<T>(task: () => Promise<T>): Promise<T> {
    return this.lane ? this.lane.then(task) : task();
  }

  /** Holds live frames back until `release`. */
  hold(): void {
    this.held ??= [];
  }

  /** Sends `first` frames, then the held ones that `first` did not already carry. */
  release(first: Array<{ id: string; data: Buffer }>): void {
    const held = this.held ?? [];
    this.held = undefined;
    const sent = new Set<string>();
    for (const frame of first) {
      sent.add(frame.id);
      this.write(frame.data);
    }
    for (const frame of held) {
      if (frame.id === undefined || !sent.has(frame.id)) this.write(frame.data);
    }
  }

  /** Set when the server dropped this connection because its client stopped reading: the bytes it had queued then. */
  overflowed?: number;

  private write(data: Buffer): boolean {
    if (this.socket.readyState !== 1 /* OPEN */) return false;
    const batched = this.cork();
    this.socket.send(data, TEXT_FRAME);
    return batched || this.checkBacklog();
  }

  /**
   * Batches writes: the frames a socket gets within one tick (a committed
   * batch of messages fans out in one tick) leave in one write system call
   * instead of one each. `ws` corks around each frame itself; corking the TCP
   * socket underneath (`ws` keeps it as `_socket`) for the rest of the tick
   * makes its uncork a no-op until ours. Returns false where there is no TCP
   * socket to cork.
   */
  private cork(): boolean {
    const tcp = (this.socket as unknown as { _socket?: CorkableSocket })._socket;
    if (!tcp) return false;
    if (tcp.writableCorked === 0) {
      tcp.cork();
      if (corked.push(this) === 1) process.nextTick(uncorkAll);
    }
    return true;
  }

  /** End of the tick: hand the batch to the kernel, then see what it could not take. */
  flush(): void {
    (this.socket as unknown as { _socket?: CorkableSocket })._socket?.uncork();
    this.checkBacklog();
  }

  /** More than 1 MiB queued that the kernel would not take: the client stopped reading. */
  private checkBacklog(): boolean {
    if (this.socket.bufferedAmount <= MAX_BUFFERED_BYTES) return true;
    // Drop it rather than grow server memory; terminate() discards the queue at once (close() would wait for it to drain).
    this.overflowed = this.socket.bufferedAmount;
    this.socket.terminate();
    return false;
  }
}

interface CorkableSocket {
  cork(): void;
  uncork(): void;
  writableCorked: number;
}

const corked: Connection[] = [];
function uncorkAll(): void {
  for (const conn of corked.splice(0)) conn.flush();
}

/** A pre-serialized UTF-8 buffer still goes out as a text frame. */
const TEXT_FRAME = { binary: false, compress: false, fin: true } as const;
