import { ConflictException, Injectable, NotFoundException, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DEFAULT_ROOM_ID, DEFAULT_ROOM_NAME, SEED_HISTORY_REPLAY, type MembershipFrame, type Room } from '@chatstream/protocol';
import { Connection } from '../fanout/connection';
import { FanoutService, serialize } from '../fanout/fanout.service';
import { RoomSequencer } from '../fanout/room-sequencer';
import { Cluster } from '../cluster/cluster';
import { membershipFrame, messageFrame, now } from '../common/frames';
import { MessagesRepository } from '../messages/messages.repository';
import { RoomRecord, RoomsRepository } from './rooms.repository';

/**
 * Rooms and memberships. Both are kept in memory, loaded at start and written
 * through to the repository, so that the per-message membership check costs
 * no storage round trip.
 */
@Injectable()
export class RoomsService implements OnModuleInit {
  private readonly rooms = new Map<string, RoomRecord>();
  /** Lower-cased name -> room id: names are unique regardless of case. */
  private readonly names = new Map<string, string>();
  private readonly members = new Map<string, Set<string>>();
  private readonly memberOf = new Map<string, Set<string>>();

  constructor(
    private readonly repository: RoomsRepository,
    private readonly messages: MessagesRepository,
    private readonly fanout: FanoutService,
    private readonly sequencer: RoomSequencer,
    private readonly cluster: Cluster,
  ) {}

  /** Lookups of rooms and memberships this instance does not know yet (other instances made them). */
  private readonly loading = new Map<string, Promise<void>>();

  async onModuleInit(): Promise<void> {
    await this.load();
    if (!this.rooms.has(DEFAULT_ROOM_ID)) {
      const general = { id: DEFAULT_ROOM_ID, name: DEFAULT_ROOM_NAME, description: 'The room everyone can find', createdAt: now() };
      try {
        await this.repository.createRoom(general);
      } catch (error) {
        // Another instance created it at the same moment.
        if (!this.cluster.enabled) throw error;
      }
      this.index(general);
    }
  }

  /** Every room; with other instances, read afresh so a room or join made elsewhere a moment ago counts. */
  async list(): Promise<Room[]> {
    if (this.cluster.enabled) await this.load();
    return [...this.rooms.values()].map((room) => this.toRoom(room));
  }

  /** Rooms and memberships from storage into the caches. */
  private async load(): Promise<void> {
    const [rooms, memberships] = await Promise.all([this.repository.listRooms(), this.repository.listMemberships()]);
    for (const room of rooms) {
      this.index(room);
      this.sequencer.start(room.id, room.lastSeq ?? 0);
    }
    this.members.clear();
    this.memberOf.clear();
    for (const { roomId, userId } of memberships) this.addMember(roomId, userId);
  }

  /**
   * With other instances, a room or membership missing here may exist in
   * storage: returns the lookup to await first, or undefined when there is
   * nothing to look up (always, on a lone instance). Concurrent callers share
   * one lookup, so they resume in the order they asked.
   */
  ensure(roomId: string, userId?: string): Promise<void> | undefined {
    if (!this.cluster.enabled) return undefined;
    if (this.rooms.has(roomId) && (userId === undefined || this.isMember(roomId, userId))) return undefined;
    const key = JSON.stringify([roomId, userId]);
    let lookup = this.loading.get(key);
    if (!lookup) {
      lookup = (async () => {
        if (!this.rooms.has(roomId)) {
          const room = await this.repository.findRoom(roomId);
          if (room) this.applyRoom(room);
        }
        if (userId !== undefined && this.rooms.has(roomId) && (await this.repository.isMember({ roomId, userId }))) {
          this.addMember(roomId, userId);
        }
      })().finally(() => this.loading.delete(key));
      this.loading.set(key, lookup);
    }
    return lookup;
  }

  /** A room another instance created. */
  applyRoom(room: RoomRecord): void {
    if (this.rooms.has(room.id)) return;
    this.index(room);
    this.sequencer.start(room.id, room.lastSeq ?? 0);
  }

  /** A join or leave made on another instance: the same effects here, for this instance's connections. */
  applyMembership(joined: boolean, roomId: string, userId: string, frame: MembershipFrame): void {
    if (joined) {
      this.addMember(roomId, userId);
      this.subscribeUser(userId, roomId);
      this.fanout.toRoom(roomId, frame);
    } else {
      this.fanout.toRoom(roomId, frame);
      this.forget(roomId, userId);
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
    return this.toRoom(room);
  }

  isMember(roomId: string, userId: string): boolean {
    return this.members.get(roomId)?.has(userId) ?? false;
  }

  /** Rooms the user is a member of. */
  roomsOf(userId: string): ReadonlySet<string> {
    return this.memberOf.get(userId) ?? NO_ROOMS;
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
    const joined = !this.isMember(roomId, user.id);
    if (joined) await this.repository.addMember({ roomId, userId: user.id });
    this.addMember(roomId, user.id);
    // Membership is the user's: all of their level-2 connections receive the room, whoever asked.
    this.subscribeUser(user.id, roomId);
    if (conn.level === 1) {
      conn.currentRoom = roomId;
      this.fanout.subscribe(conn, roomId);
      this.cluster.setSeedRoom(user.id, roomId);
    }
    const frame = membershipFrame('join', roomId, user);
    // A repeated join changes nothing for the others: only the asker gets its acknowledgement.
    if (joined) {
      this.cluster.publish({ t: 'member', joined: true, room: roomId, user: user.id, frame });
      this.fanout.toRoom(roomId, frame);
    } else {
      this.fanout.toConnection(conn, frame);
    }
    if (conn.level === 1) await this.replayHistory(conn, roomId);
  }

  /** Ends the connection's user's membership of the room, on all of their connections. */
  async leave(conn: Connection, roomId: string): Promise<void> {
    await this.ensure(roomId, conn.userId);
    this.require(roomId);
    const user = { id: conn.userId, username: conn.username };
    if (!this.isMember(roomId, user.id)) throw new ConflictException(`not a member of room: ${roomId}`);
    await this.repository.removeMember({ roomId, userId: user.id });
    // The leaver's connections get the frame too: it is their acknowledgement.
    const recipients = new Set(this.fanout.subscribers(roomId));
    recipients.add(conn);
    const frame = membershipFrame('leave', roomId, user);
    this.cluster.publish({ t: 'member', joined: false, room: roomId, user: user.id, frame });
    this.fanout.toConnections(recipients, frame);
    this.forget(roomId, user.id);
  }

  /** The user is no longer a member: none of their connections here receives the room. */
  private forget(roomId: string, userId: string): void {
    this.removeMember(roomId, userId);
    for (const mine of this.fanout.connectionsOf(userId)) {
      this.fanout.unsubscribe(mine, roomId);
      if (mine.currentRoom === roomId) {
        mine.currentRoom = undefined;
        this.cluster.setSeedRoom(userId, undefined);
      }
    }
  }

  /** A new level-2 connection receives the frames of all of its user's rooms. */
  attach(conn: Connection): void {
    if (conn.level !== 2) return;
    for (const roomId of this.roomsOf(conn.userId)) this.fanout.subscribe(conn, roomId);
  }

  private subscribeUser(userId: string, roomId: string): void {
    for (const conn of this.fanout.connectionsOf(userId)) {
      if (conn.level === 2) this.fanout.subscribe(conn, roomId);
    }
  }

  private async replayHistory(conn: Connection, roomId: string): Promise<void> {
    // Live frames that arrive while history is read wait, so the replay comes first and nothing twice.
    conn.hold();
    try {
      const history = await this.messages.history(roomId, SEED_HISTORY_REPLAY);
      conn.release(history.map((message) => ({ id: message.id, data: serialize(messageFrame(message)) })));
    } catch (error) {
      conn.release([]);
      throw error;
    }
  }

  private toRoom(room: RoomRecord): Room {
    return {
      id: room.id,
      name: room.name,
      description: room.description,
      user_count: this.members.get(room.id)?.size ?? 0,
      created_at: room.createdAt,
    };
  }

  private index(room: RoomRecord): void {
    this.rooms.set(room.id, room);
    this.names.set(room.name.toLowerCase(), room.id);
  }

  private addMember(roomId: string, userId: string): void {
    let members = this.members.get(roomId);
    if (!members) this.members.set(roomId, (members = new Set()));
    members.add(userId);
    let rooms = this.memberOf.get(userId);
    if (!rooms) this.memberOf.set(userId, (rooms = new Set()));
    rooms.add(roomId);
  }

  private removeMember(roomId: string, userId: string): void {
    this.members.get(roomId)?.delete(userId);
    this.memberOf.get(userId)?.delete(roomId);
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

const NO_ROOMS: ReadonlySet<string> = new Set<string>();
