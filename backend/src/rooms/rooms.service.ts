import { ConflictException, Injectable, NotFoundException, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DEFAULT_ROOM_ID, DEFAULT_ROOM_NAME, SEED_HISTORY_REPLAY, type Room } from '@chatstream/protocol';
import { Connection } from '../chat/connection';
import { FanoutService, serialize } from '../chat/fanout.service';
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
  ) {}

  async onModuleInit(): Promise<void> {
    for (const room of await this.repository.listRooms()) this.index(room);
    if (!this.rooms.has(DEFAULT_ROOM_ID)) {
      const general = { id: DEFAULT_ROOM_ID, name: DEFAULT_ROOM_NAME, description: 'The room everyone can find', createdAt: now() };
      await this.repository.createRoom(general);
      this.index(general);
    }
    for (const { roomId, userId } of await this.repository.listMemberships()) this.addMember(roomId, userId);
  }

  list(): Room[] {
    return [...this.rooms.values()].map((room) => this.toRoom(room));
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
    }
    const frame = membershipFrame('join', roomId, user);
    // A repeated join changes nothing for the others: only the asker gets its acknowledgement.
    if (joined) this.fanout.toRoom(roomId, frame);
    else this.fanout.toConnection(conn, frame);
    if (conn.level === 1) await this.replayHistory(conn, roomId);
  }

  /** Ends the connection's user's membership of the room, on all of their connections. */
  async leave(conn: Connection, roomId: string): Promise<void> {
    this.require(roomId);
    const user = { id: conn.userId, username: conn.username };
    if (!this.isMember(roomId, user.id)) throw new ConflictException(`not a member of room: ${roomId}`);
    await this.repository.removeMember({ roomId, userId: user.id });
    // The leaver's connections get the frame too: it is their acknowledgement.
    const recipients = new Set(this.fanout.subscribers(roomId));
    recipients.add(conn);
    this.fanout.toConnections(recipients, membershipFrame('leave', roomId, user));
    this.removeMember(roomId, user.id);
    for (const mine of this.fanout.connectionsOf(user.id)) {
      this.fanout.unsubscribe(mine, roomId);
      if (mine.currentRoom === roomId) mine.currentRoom = undefined;
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
