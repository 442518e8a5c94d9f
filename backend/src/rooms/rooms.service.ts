import { ConflictException, Injectable, NotFoundException, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DEFAULT_ROOM_ID, DEFAULT_ROOM_NAME, SEED_HISTORY_REPLAY, type MembershipFrame, type Room, type RoomListing } from '@chatstream/protocol';
import { Connection } from '../fanout/connection';
import { FanoutService } from '../fanout/fanout.service';
import { RoomSequencer } from '../fanout/room-sequencer';
import { Cluster } from '../cluster/cluster';
import { AppConfig } from '../config/app-config';
import { membershipFrame, messageFrame, now, roomCreatedFrame } from '../common/frames';
import { MessagesRepository } from '../messages/messages.repository';
import { ReadStateRepository } from '../reads/read-state.repository';
import { MembershipService } from './membership.service';
import { RoomRecord, RoomsRepository } from './rooms.repository';

/**
 * Rooms, and joining and leaving them. Rooms are kept in memory, loaded at
 * start and written through to the repository; who is a member is
 * `MembershipService`'s.
 */
@Injectable()
export class RoomsService implements OnModuleInit {
  private readonly rooms = new Map<string, RoomRecord>();
  /** Lower-cased name -> room id: names are unique regardless of case. */
  private readonly names = new Map<string, string>();
  /** Lookups of rooms this instance does not know yet (another instance made them). */
  private readonly loading = new Map<string, Promise<void>>();

  constructor(
    private readonly repository: RoomsRepository,
    private readonly messages: MessagesRepository,
    private readonly membership: MembershipService,
    private readonly fanout: FanoutService,
    private readonly sequencer: RoomSequencer,
    private readonly cluster: Cluster,
    private readonly reads: ReadStateRepository,
    private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    for (const room of await this.repository.listRooms()) this.applyRoom(room);
    if (!this.rooms.has(DEFAULT_ROOM_ID)) {
      const general = { id: DEFAULT_ROOM_ID, name: DEFAULT_ROOM_NAME, description: 'The room everyone can find', createdAt: now() };
      try {
        await this.repository.createRoom(general);
      } catch (error) {
        // Another instance created it at the same moment.
        if (!this.cluster.enabled) throw error;
      }
      this.applyRoom(general);
    }
  }

  /**
   * Every room. With other instances, rooms and member counts are read from
   * storage, so a room or join made elsewhere a moment ago counts; rooms are
   * only ever added to what this instance knows, and the membership cache is
   * not touched.
   */
  async list(): Promise<Room[]> {
    if (!this.cluster.enabled) return [...this.rooms.values()].map((room) => this.toRoom(room, this.membership.count(room.id)));
    const [rooms, counts] = await Promise.all([this.repository.listRooms(), this.repository.countMembers()]);
    for (const room of rooms) this.applyRoom(room);
    return [...this.rooms.values()].map((room) => this.toRoom(room, counts.get(room.id) ?? 0));
  }

  /**
   * Every room with `userId`'s read state (accounts mode). Rooms they are
   * not a member of have nothing unread: their pointer cannot move.
   */
  async listFor(userId: string): Promise<RoomListing[]> {
    const [rooms, states] = await Promise.all([this.list(), this.reads.roomStates(userId)]);
    return rooms.map((room) => {
      const state = states.get(room.id);
      return { ...room, last_read_seq: state?.lastReadSeq ?? 0, unread: state?.unread ?? 0, unread_mentions: state?.unreadMentions ?? 0 };
    });
  }

  /**
   * With other instances, a room missing here may exist in storage: returns
   * the lookup to await first, or undefined when there is nothing to look up
   * (always, on a lone instance). With `userId`, the same for that user's
   * membership. Concurrent callers share one lookup, so they resume in the
   * order they asked.
   */
  ensure(roomId: string, userId?: string): Promise<void> | undefined {
    if (!this.cluster.enabled) return undefined;
    if (!this.rooms.has(roomId)) {
      let lookup = this.loading.get(roomId);
      if (!lookup) {
        lookup = this.repository
          .findRoom(roomId)
          .then((room) => {
            if (room) this.applyRoom(room);
          })
          .finally(() => this.loading.delete(roomId));
        this.loading.set(roomId, lookup);
      }
      return userId === undefined ? lookup : lookup.then(() => (this.rooms.has(roomId) ? this.membership.ensure(roomId, userId) : undefined));
    }
    return userId === undefined ? undefined : this.membership.ensure(roomId, userId);
  }

  /**
   * A room this instance did not know, from storage or another instance's
   * event: it is announced to this instance's level-2 connections, once,
   * whichever way it was learned first.
   */
  applyRoom(room: RoomRecord): void {
    if (this.rooms.has(room.id)) return;
    this.index(room);
    this.sequencer.start(room.id, room.lastSeq ?? 0);
    this.announce(room);
  }

  /** A join or leave made on another instance: the same effects here, for this instance's connections. */
  applyMembership(joined: boolean, roomId: string, userId: string, frame: MembershipFrame): void {
    if (joined) {
      this.membership.applyRemote(true, roomId, userId);
      this.fanout.toRoom(roomId, frame);
    } else {
      this.fanout.toRoom(roomId, frame);
      this.membership.applyRemote(false, roomId, userId);
    }
  }

  /** The room, or a 404 / error frame naming it. */
  require(id: string): RoomRecord {
    const room = this.rooms.get(id);
    if (!room) throw new NotFoundException(`unknown room: ${id}`);
    return room;
  }

  async create(name: string, description = ''): Promise<Room> {
    const display = name.trim();
    const key = display.toLowerCase();
    if (this.names.has(key)) throw new ConflictException(`a room named "${display}" already exists`);
    const room: RoomRecord = { id: this.freeId(display), name: display, description: description.trim(), createdAt: now() };
    // Reserve name and id before the write so a concurrent create of the same name gets its 409.
    this.index(room);
    try {
      await this.repository.createRoom(room);
    } catch (error) {
      this.rooms.delete(room.id);
      this.names.delete(key);
      throw error;
    }
    this.sequencer.start(room.id, 0);
    this.cluster.publish({ t: 'room', room });
    this.announce(room);
    return this.toRoom(room, 0);
  }

  /**
   * Makes the connection's user a member of the room. A seed-level connection
   * first leaves its current room, and gets the room's latest messages right
   * after its `join` frame.
   */
  async join(conn: Connection, roomId: string): Promise<void> {
    await this.ensure(roomId, conn.userId);
    this.require(roomId);
    const user = { id: conn.userId, username: conn.username };
    if (conn.level === 1 && conn.currentRoom !== undefined && conn.currentRoom !== roomId) {
      await this.leave(conn, conn.currentRoom);
    }
    const wasMember = this.membership.isMember(roomId, user.id);
    // Storage decides a race of two joins (two tabs, two instances): only the one that made the membership tells the room.
    const made = await this.membership.join(roomId, user.id);
    // Accounts mode: a room's history before one joined is not unread news (a rejoin keeps the old pointer).
    if (made && this.config.auth === 'accounts') await this.reads.startAt(user.id, roomId);
    if (conn.level === 1) this.membership.setCurrentRoom(conn, roomId);
    const frame = membershipFrame('join', roomId, user);
    if (made) {
      this.cluster.publish({ t: 'member', joined: true, room: roomId, user: user.id, frame });
      this.fanout.toRoom(roomId, frame);
    } else if (wasMember || conn.level === 1) {
      // A repeated join changes nothing for the others: only the asker gets its acknowledgement.
      this.fanout.toConnection(conn, frame);
    }
    // (A level-2 join that lost a race is acknowledged by the winner's frame: membership is the user's, so all of
    // their level-2 connections receive the room, this one included.)
    if (conn.level === 1) {
      await this.fanout.replay(conn, async () =>
        (await this.messages.history(roomId, SEED_HISTORY_REPLAY)).map((message) => messageFrame(message)),
      );
    }
  }

  /** Ends the connection's user's membership of the room, on all of their connections. */
  async leave(conn: Connection, roomId: string): Promise<void> {
    await this.ensure(roomId, conn.userId);
    this.require(roomId);
    const user = { id: conn.userId, username: conn.username };
    if (!this.membership.isMember(roomId, user.id)) throw new ConflictException(`not a member of room: ${roomId}`);
    // The room's receivers as they were: the leaver's connections get the frame too, as their acknowledgement.
    const recipients = new Set(this.fanout.subscribers(roomId));
    recipients.add(conn);
    // Storage decides a race of two leaves: the second finds no membership.
    if (!(await this.membership.leave(roomId, user.id))) throw new ConflictException(`not a member of room: ${roomId}`);
    const frame = membershipFrame('leave', roomId, user);
    this.cluster.publish({ t: 'member', joined: false, room: roomId, user: user.id, frame });
    this.fanout.toConnections(recipients, frame);
  }

  /** `room_created` to every level-2 connection here. */
  private announce(room: RoomRecord): void {
    this.fanout.toLevel2(roomCreatedFrame(this.toRoom(room, 0)));
  }

  private toRoom(room: RoomRecord, userCount: number): Room {
    return {
      id: room.id,
      name: room.name,
      description: room.description,
      user_count: userCount,
      created_at: room.createdAt,
    };
  }

  private index(room: RoomRecord): void {
    this.rooms.set(room.id, room);
    this.names.set(room.name.toLowerCase(), room.id);
  }

  /** A readable, URL-safe id from the name; a uuid when the name gives none that is free. */
  private freeId(name: string): string {
    const slug = name
      .normalize('NFKD')
      .toLowerCase()
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 48);
    return slug && !this.rooms.has(slug) ? slug : randomUUID();
  }
}
