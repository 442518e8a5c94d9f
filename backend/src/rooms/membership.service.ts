import { Injectable, OnModuleInit } from '@nestjs/common';
import { Cluster } from '../cluster/cluster';
import { Connection } from '../fanout/connection';
import { FanoutService } from '../fanout/fanout.service';
import { RoomsRepository } from './rooms.repository';

/**
 * The one owner of who is in which room. Storage is the truth and decides
 * races (of two joins or two leaves, from two tabs or two instances, exactly
 * one changes anything); this service keeps a cache of it, loaded once at
 * start and then changed only by single memberships: this instance's joins
 * and leaves, other instances' (the cluster relay), and a read-through when a
 * membership is missing here. It is never cleared and reloaded, so a change
 * cannot be undone by a reload that read storage just before it.
 *
 * What depends on membership derives from here: which connections receive a
 * room (the fan-out index), a seed-level connection's current room, and the
 * cluster's record of it for `GET /api/users`.
 */
@Injectable()
export class MembershipService implements OnModuleInit {
  private readonly members = new Map<string, Set<string>>();
  private readonly memberOf = new Map<string, Set<string>>();
  /**
   * Each membership's last change, on a clock that ticks per change: a read
   * of storage that began before a change must not overwrite it.
   */
  private readonly changedAt = new Map<string, number>();
  private clock = 0;
  /** Read-throughs in flight, shared by concurrent callers so they resume in the order they asked. */
  private readonly reading = new Map<string, Promise<void>>();

  constructor(
    private readonly repository: RoomsRepository,
    private readonly fanout: FanoutService,
    private readonly cluster: Cluster,
  ) {}

  async onModuleInit(): Promise<void> {
    for (const { roomId, userId } of await this.repository.listMemberships()) this.cache(true, roomId, userId);
  }

  isMember(roomId: string, userId: string): boolean {
    return this.members.get(roomId)?.has(userId) ?? false;
  }

  /** Rooms the user is a member of. */
  roomsOf(userId: string): ReadonlySet<string> {
    return this.memberOf.get(userId) ?? NO_ONE;
  }

  /** Members of the room as this instance knows them. */
  count(roomId: string): number {
    return this.members.get(roomId)?.size ?? 0;
  }

  /**
   * With other instances, a membership missing here may have just been made
   * elsewhere (its event not yet arrived): the read of storage to await
   * first, or undefined when there is nothing to read (always, alone).
   */
  ensure(roomId: string, userId: string): Promise<void> | undefined {
    if (!this.cluster.enabled || this.isMember(roomId, userId)) return undefined;
    const key = keyOf(roomId, userId);
    let read = this.reading.get(key);
    if (!read) {
      const startedAt = this.clock;
      read = this.repository
        .isMember({ roomId, userId })
        .then((member) => {
          if (member && this.unchangedSince(key, startedAt)) this.change(true, roomId, userId);
        })
        .finally(() => this.reading.delete(key));
      this.reading.set(key, read);
    }
    return read;
  }

  /**
   * Makes the user a member; true when this call did (false: they were, or
   * another tab or instance was first). Storage is asked even when the cache
   * says member: it may be stale, and the write is idempotent.
   */
  async join(roomId: string, userId: string): Promise<boolean> {
    const made = await this.repository.addMember({ roomId, userId });
    this.change(true, roomId, userId);
    return made;
  }

  /** Ends the membership; true when this call did (false: there was none, or another tab or instance was first). */
  async leave(roomId: string, userId: string): Promise<boolean> {
    const ended = await this.repository.removeMember({ roomId, userId });
    this.change(false, roomId, userId);
    return ended;
  }

  /** A join or leave another instance made. */
  applyRemote(joined: boolean, roomId: string, userId: string): void {
    this.change(joined, roomId, userId);
  }

  /**
   * Events may have been lost (the relay was away): bring the cache to what
   * storage holds, membership by membership, leaving alone every membership
   * that changed while storage was read.
   */
  async reconcile(): Promise<void> {
    const startedAt = this.clock;
    const stored = new Set<string>();
    for (const { roomId, userId } of await this.repository.listMemberships()) {
      const key = keyOf(roomId, userId);
      stored.add(key);
      if (!this.isMember(roomId, userId) && this.unchangedSince(key, startedAt)) this.change(true, roomId, userId);
    }
    for (const [roomId, users] of this.members) {
      for (const userId of [...users]) {
        const key = keyOf(roomId, userId);
        if (!stored.has(key) && this.unchangedSince(key, startedAt)) this.change(false, roomId, userId);
      }
    }
  }

  /** A new connection: a level-2 one receives every room of its user. */
  attach(conn: Connection): void {
    if (conn.level !== 2) return;
    for (const roomId of this.roomsOf(conn.userId)) this.fanout.subscribe(conn, roomId);
  }

  /** Seed level: the one room this connection receives room frames for (undefined: none). */
  setCurrentRoom(conn: Connection, roomId: string | undefined): void {
    const previous = conn.currentRoom;
    if (previous === roomId) return;
    if (previous !== undefined) this.fanout.unsubscribe(conn, previous);
    conn.currentRoom = roomId;
    if (roomId !== undefined) this.fanout.subscribe(conn, roomId);
    this.cluster.setSeedRoom(conn.userId, roomId);
  }

  /** The cache and everything derived from it, for one membership. */
  private change(joined: boolean, roomId: string, userId: string): void {
    this.changedAt.set(keyOf(roomId, userId), ++this.clock);
    this.cache(joined, roomId, userId);
    if (joined) {
      this.fanout.subscribeLevel2(userId, roomId);
      return;
    }
    for (const conn of this.fanout.connectionsOf(userId)) {
      if (conn.currentRoom === roomId) this.setCurrentRoom(conn, undefined);
      else this.fanout.unsubscribe(conn, roomId);
    }
  }

  private cache(joined: boolean, roomId: string, userId: string): void {
    if (joined) {
      let members = this.members.get(roomId);
      if (!members) this.members.set(roomId, (members = new Set()));
      members.add(userId);
      let rooms = this.memberOf.get(userId);
      if (!rooms) this.memberOf.set(userId, (rooms = new Set()));
      rooms.add(roomId);
    } else {
      this.members.get(roomId)?.delete(userId);
      this.memberOf.get(userId)?.delete(roomId);
    }
  }

  private unchangedSince(key: string, time: number): boolean {
    return (this.changedAt.get(key) ?? 0) <= time;
  }
}

function keyOf(roomId: string, userId: string): string {
  return `${roomId}\u0000${userId}`;
}

const NO_ONE: ReadonlySet<string> = new Set<string>();
