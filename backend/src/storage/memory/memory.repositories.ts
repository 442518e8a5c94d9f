import { Injectable } from '@nestjs/common';
import { MessageRecord, MessagesRepository, RoomMessageRecord, StoredMessage } from '../../messages/messages.repository';
import { Membership, RoomRecord, RoomsRepository } from '../../rooms/rooms.repository';
import { UserRecord, UsersRepository } from '../../users/users.repository';

/** Rooms in process memory: gone on restart. */
@Injectable()
export class MemoryRoomsRepository extends RoomsRepository {
  private readonly rooms = new Map<string, RoomRecord>();
  private readonly memberships = new Map<string, Membership>();

  async listRooms(): Promise<RoomRecord[]> {
    return [...this.rooms.values()];
  }

  async findRoom(id: string): Promise<RoomRecord | undefined> {
    return this.rooms.get(id);
  }

  async createRoom(room: RoomRecord): Promise<void> {
    this.rooms.set(room.id, { ...room });
  }

  async listMemberships(): Promise<Membership[]> {
    return [...this.memberships.values()];
  }

  async countMembers(): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const { roomId } of this.memberships.values()) counts.set(roomId, (counts.get(roomId) ?? 0) + 1);
    return counts;
  }

  async isMember(membership: Membership): Promise<boolean> {
    return this.memberships.has(membershipKey(membership));
  }

  async addMember(membership: Membership): Promise<boolean> {
    const key = membershipKey(membership);
    if (this.memberships.has(key)) return false;
    this.memberships.set(key, { ...membership });
    return true;
  }

  async removeMember(membership: Membership): Promise<boolean> {
    return this.memberships.delete(membershipKey(membership));
  }
}

function membershipKey({ roomId, userId }: Membership): string {
  return JSON.stringify([roomId, userId]);
}

/** Known users in process memory. */
@Injectable()
export class MemoryUsersRepository extends UsersRepository {
  private readonly users = new Map<string, UserRecord>();

  async listUsers(): Promise<UserRecord[]> {
    return [...this.users.values()];
  }

  async findUser(id: string): Promise<UserRecord | undefined> {
    return this.users.get(id);
  }

  async saveUser(user: UserRecord): Promise<void> {
    this.users.set(user.id, { ...user });
  }
}

/** Messages in process memory: each room's history is an array in seq order. */
@Injectable()
export class MemoryMessagesRepository extends MessagesRepository {
  private readonly rooms = new Map<string, RoomMessageRecord[]>();
  private readonly privates: MessageRecord[] = [];
  /** (sender, client_id) -> the message stored under it. */
  private readonly byClientId = new Map<string, StoredMessage>();

  async append(message: MessageRecord): Promise<StoredMessage> {
    const key = message.clientId === undefined ? undefined : JSON.stringify([message.senderId, message.clientId]);
    const earlier = key === undefined ? undefined : this.byClientId.get(key);
    if (earlier) return { ...earlier, repeated: true };
    let stored: StoredMessage;
    if (message.room === undefined) {
      this.privates.push((stored = message));
    } else {
      let history = this.rooms.get(message.room);
      if (!history) this.rooms.set(message.room, (history = []));
      const roomMessage: RoomMessageRecord = { ...message, room: message.room, seq: history.length + 1 };
      history.push((stored = roomMessage));
    }
    if (key !== undefined) this.byClientId.set(key, stored);
    return stored;
  }

  async drain(): Promise<void> {}

  async seqOf(room: string, id: string): Promise<number | undefined> {
    return this.rooms.get(room)?.find((message) => message.id === id)?.seq;
  }

  async range(room: string, fromSeq: number, toSeq: number): Promise<RoomMessageRecord[]> {
    return (this.rooms.get(room) ?? []).slice(Math.max(0, fromSeq - 1), Math.max(0, toSeq - 1));
  }

  async after(room: string, limit: number, afterSeq: number): Promise<RoomMessageRecord[]> {
    // seq n sits at index n - 1.
    return (this.rooms.get(room) ?? []).slice(afterSeq, afterSeq + limit);
  }

  async history(room: string, limit: number, beforeSeq?: number): Promise<RoomMessageRecord[]> {
    const history = this.rooms.get(room) ?? [];
    // seq n sits at index n - 1.
    const end = beforeSeq === undefined ? history.length : Math.min(history.length, beforeSeq - 1);
    return history.slice(Math.max(0, end - limit), end);
  }
}
