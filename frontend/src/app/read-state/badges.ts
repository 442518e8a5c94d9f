import { READ_THROTTLE_MS, type ReadState } from '@chatstream/protocol';

/** A room (`room:<id>`) or a private conversation (`dm:<other user's id>`). */
export type ReadKey = `room:${string}` | `dm:${string}`;
export const roomKey = (roomId: string): ReadKey => `room:${roomId}`;
export const dmKey = (userId: string): ReadKey => `dm:${userId}`;

/** A message as the badge maths needs it. */
export interface Arrival {
  id: string;
  seq: number;
  /** Sent by the user (on any device): never unread. */
  mine: boolean;
  mentionsMe: boolean;
  deleted?: boolean;
}

/**
 * What is new in one room or conversation. The server's counts (`base`) are
 * the truth as of the last fetch; messages that arrived live since are kept
 * one by one (`live`), so that a read pointer moved here or on another device
 * lowers the counts exactly without asking the server again.
 */
export interface Badge {
  /** The read pointer as far as this device knows (the server's, or further: read here, not yet sent). */
  lastRead: number;
  /** The server's counts arrived (accounts mode); before that, reads wait and no divider is drawn. */
  seeded: boolean;
  /** Unread counted by the server at the last fetch. */
  base: { unread: number; mentions: number };
  /** Unread messages that arrived live since the fetch. */
  live: readonly Arrival[];
  /** The newest seq this device has seen arrive (0: none). */
  newest: number;
  /** The counts may be too high (a read landed inside what only the server counted): fetch them again. */
  stale: boolean;
}

export const EMPTY_BADGE: Badge = { lastRead: 0, seeded: false, base: { unread: 0, mentions: 0 }, live: [], newest: 0, stale: false };

export function unreadOf(badge: Badge | undefined): number {
  return badge ? badge.base.unread + badge.live.length : 0;
}

export function mentionsOf(badge: Badge | undefined): number {
  return badge ? badge.base.mentions + badge.live.filter((message) => message.mentionsMe).length : 0;
}

/** The server's counts replace what this device counted, except where this device has already read further. */
export function seed(badge: Badge, server: ReadState): Badge {
  if (badge.lastRead > server.last_read_seq) {
    // A read from here that the server had not applied when it answered: everything known was read, or ask again.
    const readAll = badge.newest > 0 && badge.lastRead >= badge.newest;
    return readAll
      ? { ...badge, seeded: true, base: { unread: 0, mentions: 0 }, live: [], stale: false }
      : { ...badge, seeded: true, base: { unread: server.unread, mentions: server.unread_mentions }, live: [], stale: true };
  }
  return {
    ...badge,
    lastRead: server.last_read_seq,
    seeded: true,
    base: { unread: server.unread, mentions: server.unread_mentions },
    live: [],
    stale: false,
  };
}

/** A message arrived live: unread when someone else sent it after the pointer. */
export function arrive(badge: Badge, message: Arrival): Badge {
  const newest = Math.max(badge.newest, message.seq);
  const counts = !message.mine && !message.deleted && message.seq > badge.lastRead && !badge.live.some((known) => known.id === message.id);
  if (!counts) return newest === badge.newest ? badge : { ...badge, newest };
  return { ...badge, newest, live: [...badge.live, message] };
}

/** The pointer moved to `seq` (read here, or on another device): what it covers is no longer unread. */
export function read(badge: Badge, seq: number): Badge {
  if (seq <= badge.lastRead) return badge;
  const live = badge.live.filter((message) => message.seq > seq);
  if (seq >= badge.newest && badge.newest > 0) return { ...badge, lastRead: seq, base: { unread: 0, mentions: 0 }, live: [], stale: false };
  // The server's share of the count is of messages this device never saw: only it knows how many the read covered.
  const stale = badge.stale || badge.base.unread > 0;
  return { ...badge, lastRead: seq, live, stale };
}

/** A message changed: a mention edited away or a delete stops counting. */
export function change(badge: Badge, message: Arrival): Badge {
  const at = badge.live.findIndex((known) => known.id === message.id);
  if (at < 0) {
    // Only the server knows whether a message it counted changed its count.
    const counted = !message.mine && message.seq > badge.lastRead && badge.base.unread > 0;
    return counted ? { ...badge, stale: true } : badge;
  }
  const live = message.deleted ? badge.live.filter((_, i) => i !== at) : badge.live.map((known, i) => (i === at ? message : known));
  return { ...badge, live };
}

/**
 * Sends the read pointer of each room or conversation to the server: only
 * forward, at most once per `intervalMs` per target; a seq offered meanwhile
 * goes at the end of the interval (the newest one only).
 */
export class ReadThrottle {
  private readonly sent = new Map<ReadKey, number>();
  private readonly sentAt = new Map<ReadKey, number>();
  private readonly wanted = new Map<ReadKey, number>();
  private readonly timers = new Map<ReadKey, ReturnType<typeof setTimeout>>();

  constructor(
    private readonly send: (key: ReadKey, seq: number) => void,
    private readonly intervalMs = READ_THROTTLE_MS,
  ) {}

  offer(key: ReadKey, seq: number): void {
    if (seq <= Math.max(this.sent.get(key) ?? 0, this.wanted.get(key) ?? 0)) return;
    this.wanted.set(key, seq);
    if (this.timers.has(key)) return;
    const wait = (this.sentAt.get(key) ?? -Infinity) + this.intervalMs - Date.now();
    if (wait <= 0) this.flush(key);
    else
      this.timers.set(
        key,
        setTimeout(() => {
          this.timers.delete(key);
          this.flush(key);
        }, wait),
      );
  }

  /** The server's pointer is at least `seq` (it said so, or another device moved it): no need to send up to there. */
  known(key: ReadKey, seq: number): void {
    if (seq > (this.sent.get(key) ?? 0)) this.sent.set(key, seq);
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private flush(key: ReadKey): void {
    const seq = this.wanted.get(key);
    this.wanted.delete(key);
    if (seq === undefined || seq <= (this.sent.get(key) ?? 0)) return;
    this.sent.set(key, seq);
    this.sentAt.set(key, Date.now());
    this.send(key, seq);
  }
}
