import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { OnlineUser } from '@chatstream/protocol';
import { Connection } from '../fanout/connection';
import { FanoutService } from '../fanout/fanout.service';
import { Cluster } from '../cluster/cluster';
import { presenceFrame, welcomeFrame } from '../common/frames';
import { MembershipService } from '../rooms/membership.service';
import { UsersRepository } from './users.repository';

/** Who is known, who is online, and presence as their connections come and go. */
@Injectable()
export class UsersService implements OnModuleInit {
  private readonly logger = new Logger(UsersService.name);
  /** Every user that ever connected: id -> latest username. */
  private readonly known = new Map<string, string>();
  /** Lower-cased username -> the ids known under it (open mode lets several ids share one), for mentions. */
  private readonly byName = new Map<string, Set<string>>();

  constructor(
    private readonly repository: UsersRepository,
    private readonly membership: MembershipService,
    private readonly fanout: FanoutService,
    private readonly cluster: Cluster,
  ) {}

  private readonly looking = new Map<string, Promise<void>>();

  async onModuleInit(): Promise<void> {
    for (const user of await this.repository.listUsers()) this.remember(user.id, user.username);
  }

  isKnown(userId: string): boolean {
    return this.known.has(userId);
  }

  /**
   * A user unknown here may be in storage (made by another instance, or by
   * the operator's command line): the lookup to await, or undefined.
   */
  ensureKnown(userId: string): Promise<void> | undefined {
    if (this.known.has(userId)) return undefined;
    let lookup = this.looking.get(userId);
    if (!lookup) {
      lookup = this.repository
        .findUser(userId)
        .then((user) => {
          if (user) this.remember(user.id, user.username);
        })
        .finally(() => this.looking.delete(userId));
      this.looking.set(userId, lookup);
    }
    return lookup;
  }

  /** A new account: known from now on, here and on the other instances. */
  addKnown(user: { id: string; username: string }): void {
    this.remember(user.id, user.username);
    this.cluster.publish({ t: 'known', user: user.id, username: user.username });
  }

  /** A user another instance saw connect for the first time. */
  applyKnown(userId: string, username: string): void {
    this.remember(userId, username);
  }

  /** Ids of the known users with this username (any case). */
  idsNamed(username: string): ReadonlySet<string> | undefined {
    return this.byName.get(username.toLowerCase());
  }

  private remember(userId: string, username: string): void {
    const earlier = this.known.get(userId);
    if (earlier !== undefined && earlier !== username) this.byName.get(earlier.toLowerCase())?.delete(userId);
    this.known.set(userId, username);
    const key = username.toLowerCase();
    let ids = this.byName.get(key);
    if (!ids) this.byName.set(key, (ids = new Set()));
    ids.add(userId);
  }

  /** Presence decided by another instance (or by the reaper of a dead one): tell our connections. */
  applyPresence(content: 'online' | 'offline', userId: string, username: string): void {
    if (content === 'offline' && this.fanout.isOnline(userId)) return; // still here: a stale claim was reaped
    this.announce({ id: userId, username }, content);
  }

  /** Registers a new connection: welcome frame, its rooms, and presence if it is the user's first. */
  connect(conn: Connection): void {
    if (this.known.get(conn.userId) !== conn.username) {
      this.remember(conn.userId, conn.username);
      this.cluster.publish({ t: 'known', user: conn.userId, username: conn.username });
      // Registration does not wait for storage; a failed write only costs the name after a restart.
      this.repository
        .saveUser({ id: conn.userId, username: conn.username })
        .catch((error: unknown) => this.logger.error(`could not store user ${conn.userId}: ${String(error)}`));
    }
    const first = this.fanout.add(conn);
    this.membership.attach(conn);
    this.fanout.toConnection(conn, welcomeFrame());
    if (first) this.presence(conn, 'online');
  }

  disconnect(conn: Connection): void {
    if (this.fanout.remove(conn)) this.presence(conn, 'offline');
  }

  /**
   * The user's first connection here opened, or last one closed. Alone, that
   * is the news; with other instances, only if it is their first or last
   * anywhere, which Redis decides.
   */
  private presence(conn: Connection, content: 'online' | 'offline'): void {
    const user = { id: conn.userId, username: conn.username };
    if (!this.cluster.enabled) return this.announce(user, content);
    const change = content === 'online' ? this.cluster.userUp(user.id, user.username) : this.cluster.userDown(user.id);
    void change.then((news) => {
      if (!news) return;
      this.cluster.publish({ t: 'presence', content, user: user.id, username: user.username });
      this.announce(user, content);
    });
  }

  /** Users online now (on any instance); `room` is the current room of a seed-level connection that has one. */
  async online(): Promise<OnlineUser[]> {
    return (await this.cluster.onlineUsers()) ?? this.onlineHere();
  }

  private onlineHere(): OnlineUser[] {
    const users: OnlineUser[] = [];
    for (const id of this.fanout.onlineUserIds()) {
      const user: OnlineUser = { id, username: this.known.get(id) ?? id };
      for (const conn of this.fanout.connectionsOf(id)) {
        if (conn.currentRoom !== undefined) {
          user.room = conn.currentRoom;
          break;
        }
      }
      users.push(user);
    }
    return users;
  }

  /** Presence goes to level-2 connections of the users who share a room with this one. */
  private announce(user: { id: string; username: string }, content: 'online' | 'offline'): void {
    const targets = new Set<Connection>();
    for (const roomId of this.membership.roomsOf(user.id)) {
      for (const other of this.fanout.subscribers(roomId)) {
        if (other.level === 2 && other.userId !== user.id) targets.add(other);
      }
    }
    if (targets.size === 0) return;
    this.logger.debug(`presence ${content} user=${user.id} to ${targets.size} connections`);
    this.fanout.toConnections(targets, presenceFrame(content, user));
  }
}
