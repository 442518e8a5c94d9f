import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { CloseCode, type ServerFrame } from '@chatstream/protocol';
import { AppConfig } from '../config/app-config';
import { Connection } from './connection';
import { MemoryReclaimer } from './reclaim';

/** Frames that carry a message id worth de-duplicating against a history replay. */
function idOf(frame: ServerFrame): string | undefined {
  return 'id' in frame ? frame.id : undefined;
}

/** Serializes a frame once; the same buffer then goes to every recipient. */
export function serialize(frame: ServerFrame): Buffer {
  return Buffer.from(JSON.stringify(frame));
}

/**
 * Knows every open connection, which rooms each one receives, and sends
 * frames to them. A frame is serialized once per fan-out, never per recipient.
 */
@Injectable()
export class FanoutService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Connections');
  private readonly byUser = new Map<string, Set<Connection>>();
  private readonly byRoom = new Map<string, Set<Connection>>();
  private readonly open = new Set<Connection>();
  /** Open level-2 connections: they hear of new rooms. */
  private readonly level2 = new Set<Connection>();
  private readonly bySocket = new WeakMap<object, Connection>();
  private heartbeat?: NodeJS.Timeout;
  private count = 0;
  private readonly reclaimer = new MemoryReclaimer();
  /** Set once shutdown began: no new connections. */
  closing = false;

  constructor(private readonly config: AppConfig) {}

  onModuleInit(): void {
    this.heartbeat = setInterval(() => this.beat(), this.config.heartbeatMs);
    this.heartbeat.unref();
  }

  /** Open connections. */
  get size(): number {
    return this.count;
  }

  /** Adds a connection; returns true when it is the user's first. */
  add(conn: Connection): boolean {
    this.bySocket.set(conn.socket, conn);
    this.open.add(conn);
    if (conn.level === 2) this.level2.add(conn);
    let mine = this.byUser.get(conn.userId);
    const first = !mine;
    if (!mine) this.byUser.set(conn.userId, (mine = new Set()));
    mine.add(conn);
    this.count++;
    conn.socket.on('pong', () => (conn.alive = true));
    this.logger.log(`connection opened user=${conn.userId} level=${conn.level} open=${this.count}`);
    return first;
  }

  /** Removes a connection; returns true when it was the user's last. */
  remove(conn: Connection): boolean {
    if (!this.open.delete(conn)) return false;
    this.level2.delete(conn);
    for (const room of conn.rooms ?? []) this.unsubscribe(conn, room);
    const mine = this.byUser.get(conn.userId);
    mine?.delete(conn);
    const last = !!mine && mine.size === 0;
    if (last) this.byUser.delete(conn.userId);
    this.count--;
    const why = conn.overflowed === undefined ? '' : ` reason=slow-consumer buffered=${conn.overflowed}`;
    if (conn.overflowed !== undefined) this.reclaimer.soon();
    this.logger.log(`connection closed user=${conn.userId} level=${conn.level} open=${this.count}${why}`);
    return last;
  }

  connectionOf(socket: object): Connection | undefined {
    return this.bySocket.get(socket);
  }

  connectionsOf(userId: string): ReadonlySet<Connection> {
    return this.byUser.get(userId) ?? EMPTY;
  }

  /** User ids with at least one open connection here. */
  onlineUserIds(): IterableIterator<string> {
    return this.byUser.keys();
  }

  isOnline(userId: string): boolean {
    return this.byUser.has(userId);
  }

  /** From now on `conn` receives the frames of `room`. */
  subscribe(conn: Connection, room: string): void {
    if (!this.open.has(conn)) return; // already closed
    (conn.rooms ??= new Set()).add(room);
    let members = this.byRoom.get(room);
    if (!members) this.byRoom.set(room, (members = new Set()));
    members.add(conn);
  }

  unsubscribe(conn: Connection, room: string): void {
    conn.rooms?.delete(room);
    const members = this.byRoom.get(room);
    if (!members) return;
    members.delete(conn);
    if (members.size === 0) this.byRoom.delete(room);
  }

  /** From now on every level-2 connection of the user here receives `room` (membership is the user's). */
  subscribeLevel2(userId: string, room: string): void {
    for (const conn of this.connectionsOf(userId)) if (conn.level === 2) this.subscribe(conn, room);
  }

  /**
   * Sends `first()`'s frames to `conn` before any live frame that arrives
   * while they are read, and no message twice (a seed-level join's history).
   */
  async replay(conn: Connection, first: () => Promise<Array<ServerFrame & { id: string }>>): Promise<void> {
    conn.hold();
    try {
      const frames = await first();
      conn.release(frames.map((frame) => ({ id: frame.id, data: serialize(frame) })));
    } catch (error) {
      conn.release([]);
      throw error;
    }
  }

  /** Sends a frame to every level-2 connection. */
  toLevel2(frame: ServerFrame): void {
    if (this.level2.size > 0) this.toConnections(this.level2, frame);
  }

  /** Connections receiving `room`'s frames. */
  subscribers(room: string): ReadonlySet<Connection> {
    return this.byRoom.get(room) ?? EMPTY;
  }

  /** Sends a frame to every connection receiving `room`. */
  toRoom(room: string, frame: ServerFrame): void {
    const members = this.byRoom.get(room);
    if (members) this.toConnections(members, frame);
  }

  /** Sends a frame to every connection of each user, once per connection. */
  toUsers(userIds: Iterable<string>, frame: ServerFrame): void {
    let data: Buffer | undefined;
    const id = idOf(frame);
    const seen = new Set<string>();
    for (const userId of userIds) {
      if (seen.has(userId)) continue;
      seen.add(userId);
      const conns = this.byUser.get(userId);
      if (!conns) continue;
      data ??= serialize(frame);
      for (const conn of conns) conn.send(data, id);
    }
  }

  /**
   * Sends a frame to the level-2 connections receiving `room`, or of `userIds`,
   * but none of user `except`'s (a typist does not hear its own typing).
   */
  toLevel2Of(target: { room: string } | { users: readonly string[] }, frame: ServerFrame, except?: string): void {
    let data: Buffer | undefined;
    const id = idOf(frame);
    const send = (conn: Connection) => {
      if (conn.level !== 2 || conn.userId === except) return;
      data ??= serialize(frame);
      conn.send(data, id);
    };
    if ('room' in target) {
      for (const conn of this.byRoom.get(target.room) ?? EMPTY) send(conn);
      return;
    }
    for (const userId of new Set(target.users)) for (const conn of this.byUser.get(userId) ?? EMPTY) send(conn);
  }

  /** Sends a frame to the other level-2 connections of `conn`'s user here (a read pointer moved on `conn`). */
  toOtherConnections(conn: Connection, frame: ServerFrame): void {
    let data: Buffer | undefined;
    for (const other of this.byUser.get(conn.userId) ?? EMPTY) {
      if (other === conn || other.level !== 2) continue;
      data ??= serialize(frame);
      other.send(data);
    }
  }

  toConnections(conns: Iterable<Connection>, frame: ServerFrame): void {
    const data = serialize(frame);
    const id = idOf(frame);
    for (const conn of conns) conn.send(data, id);
  }

  toConnection(conn: Connection, frame: ServerFrame): void {
    conn.send(serialize(frame), idOf(frame));
  }

  /** Closes the connections opened with this session, with 4001; returns how many. */
  endSession(sessionId: string): number {
    let closed = 0;
    for (const conn of this.open) {
      if (conn.sessionId !== sessionId) continue;
      conn.socket.close(CloseCode.SessionEnded, 'session ended');
      closed++;
    }
    return closed;
  }

  /** Sessions of the open connections (accounts mode). */
  sessionIds(): string[] {
    const ids = new Set<string>();
    for (const conn of this.open) if (conn.sessionId !== undefined) ids.add(conn.sessionId);
    return [...ids];
  }

  /** Drops connections that did not answer the previous ping. */
  private beat(): void {
    for (const conn of this.open) {
      if (!conn.alive) {
        this.logger.log(`connection timed out user=${conn.userId}`);
        conn.socket.terminate();
        continue;
      }
      conn.alive = false;
      conn.socket.ping();
    }
  }

  /** Closes every socket with 1001, letting queued frames flush first (3 s at most). */
  async closeAll(): Promise<void> {
    this.closing = true;
    clearInterval(this.heartbeat);
    const sockets = [...this.open].map((conn) => conn.socket);
    if (sockets.length === 0) return;
    this.logger.log(`closing ${sockets.length} connections`);
    const closed = sockets.map(
      (socket) => new Promise<void>((resolve) => (socket.readyState === 3 ? resolve() : socket.once('close', () => resolve()))),
    );
    for (const socket of sockets) socket.close(CloseCode.GoingAway, 'server shutting down');
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, 3000).unref());
    await Promise.race([Promise.all(closed), deadline]);
    for (const socket of sockets) if (socket.readyState !== 3) socket.terminate();
  }

  onApplicationShutdown(): void {
    clearInterval(this.heartbeat);
    this.reclaimer.stop();
  }
}

const EMPTY: ReadonlySet<never> = new Set<never>();
