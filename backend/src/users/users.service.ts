import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { OnlineUser } from '@chatstream/protocol';
import { Connection } from '../chat/connection';
import { FanoutService } from '../chat/fanout.service';
import { presenceFrame, welcomeFrame } from '../common/frames';
import { RoomsService } from '../rooms/rooms.service';
import { UsersRepository } from './users.repository';

/** Who is known, who is online, and presence as their connections come and go. */
@Injectable()
export class UsersService implements OnModuleInit {
  private readonly logger = new Logger(UsersService.name);
  /** Every user that ever connected: id -> latest username. */
  private readonly known = new Map<string, string>();

  constructor(
    private readonly repository: UsersRepository,
    private readonly rooms: RoomsService,
    private readonly fanout: FanoutService,
  ) {}

  async onModuleInit(): Promise<void> {
    for (const user of await this.repository.listUsers()) this.known.set(user.id, user.username);
  }

  isKnown(userId: string): boolean {
    return this.known.has(userId);
  }

  /** Registers a new connection: welcome frame, its rooms, and presence if it is the user's first. */
  connect(conn: Connection): void {
    if (this.known.get(conn.userId) !== conn.username) {
      this.known.set(conn.userId, conn.username);
      // Registration does not wait for storage; a failed write only costs the name after a restart.
      this.repository
        .saveUser({ id: conn.userId, username: conn.username })
        .catch((error: unknown) => this.logger.error(`could not store user ${conn.userId}: ${String(error)}`));
    }
    const first = this.fanout.add(conn);
    this.rooms.attach(conn);
    this.fanout.toConnection(conn, welcomeFrame());
    if (first) this.announce(conn, 'online');
  }

  disconnect(conn: Connection): void {
    if (this.fanout.remove(conn)) this.announce(conn, 'offline');
  }

  /** Users online now; `room` is the current room of a seed-level connection that has one. */
  online(): OnlineUser[] {
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
  private announce(conn: Connection, content: 'online' | 'offline'): void {
    const targets = new Set<Connection>();
    for (const roomId of this.rooms.roomsOf(conn.userId)) {
      for (const other of this.fanout.subscribers(roomId)) {
        if (other.level === 2 && other.userId !== conn.userId) targets.add(other);
      }
    }
    if (targets.size === 0) return;
    this.logger.debug(`presence ${content} user=${conn.userId} to ${targets.size} connections`);
    this.fanout.toConnections(targets, presenceFrame(content, { id: conn.userId, username: conn.username }));
  }
}
