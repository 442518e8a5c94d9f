import { ConflictException, Injectable } from '@nestjs/common';
import { SessionRecord, SessionsRepository, SessionWithUser } from '../../auth/sessions.repository';
import { ConversationRecord, ConversationsRepository } from '../../conversations/conversations.repository';
import { MessageRecord, MessagesRepository, RoomMessageRecord, StoredMessage } from '../../messages/messages.repository';
import { Membership, RoomRecord, RoomsRepository } from '../../rooms/rooms.repository';
import { AccountRecord, UserRecord, UsersRepository } from '../../users/users.repository';

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

/** Known users and accounts in process memory. */
@Injectable()
export class MemoryUsersRepository extends UsersRepository {
  private readonly users = new Map<string, AccountRecord>();

  async listUsers(): Promise<UserRecord[]> {
    return [...this.users.values()].map(({ id, username }) => ({ id, username }));
  }

  async findUser(id: string): Promise<UserRecord | undefined> {
    const user = this.users.get(id);
    return user && { id: user.id, username: user.username };
  }

  async saveUser(user: UserRecord): Promise<void> {
    const known = this.users.get(user.id);
    this.users.set(user.id, { passwordHash: null, createdAt: new Date().toISOString(), ...known, ...user });
  }

  async listAccounts(): Promise<AccountRecord[]> {
    return [...this.users.values()].map((user) => ({ ...user }));
  }

  async findByUsername(username: string): Promise<AccountRecord | undefined> {
    const key = username.toLowerCase();
    const user = [...this.users.values()].find((candidate) => candidate.username.toLowerCase() === key);
    return user && { ...user };
  }

  async createAccount(account: AccountRecord): Promise<void> {
    if (this.users.has(account.id) || (await this.findByUsername(account.username))) throw new ConflictException(`username taken: ${account.username}`);
    this.users.set(account.id, { ...account });
  }

  async setPasswordHash(userId: string, passwordHash: string): Promise<void> {
    const user = this.users.get(userId);
    if (user) user.passwordHash = passwordHash;
  }
}

/** Sessions in process memory; needs the users repository for names. */
@Injectable()
export class MemorySessionsRepository extends SessionsRepository {
  private readonly sessions = new Map<string, SessionRecord>();

  constructor(private readonly users: UsersRepository) {
    super();
  }

  async create(session: SessionRecord): Promise<void> {
    this.sessions.set(session.id, { ...session });
  }

  async findByTokenHash(tokenHash: string): Promise<SessionWithUser | undefined> {
    for (const session of this.sessions.values()) {
      if (session.tokenHash !== tokenHash) continue;
      const user = await this.users.findUser(session.userId);
      return user && { ...session, username: user.username };
    }
    return undefined;
  }

  async listForUser(userId: string): Promise<SessionRecord[]> {
    return [...this.sessions.values()].filter((s) => s.userId === userId).sort((a, b) => b.lastUsedAt.localeCompare(a.lastUsedAt));
  }

  async existing(ids: string[]): Promise<Set<string>> {
    return new Set(ids.filter((id) => this.sessions.has(id)));
  }

  async touch(ids: string[], lastUsedAt: string): Promise<void> {
    for (const id of ids) {
      const session = this.sessions.get(id);
      if (session) session.lastUsedAt = lastUsedAt;
    }
  }

  async delete(id: string, userId?: string): Promise<boolean> {
    const session = this.sessions.get(id);
    if (!session || (userId !== undefined && session.userId !== userId)) return false;
    return this.sessions.delete(id);
  }

  async deleteForUser(userId: string): Promise<string[]> {
    const ids = [...this.sessions.values()].filter((s) => s.userId === userId).map((s) => s.id);
    for (const id of ids) this.sessions.delete(id);
    return ids;
  }

  async deleteUnusedSince(lastUsedBefore: string): Promise<number> {
    let removed = 0;
    for (const [id, session] of this.sessions) if (session.lastUsedAt < lastUsedBefore && this.sessions.delete(id)) removed++;
    return removed;
  }
}

/** Messages in process memory: each room's history is an array in seq order. */
@Injectable()
export class MemoryMessagesRepository extends MessagesRepository {
  private readonly rooms = new Map<string, RoomMessageRecord[]>();
  /** Private messages in the order they were stored. */
  readonly privates: MessageRecord[] = [];
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

/** Conversations read from the memory message store. */
@Injectable()
export class MemoryConversationsRepository extends ConversationsRepository {
  constructor(
    private readonly messages: MessagesRepository,
    private readonly users: UsersRepository,
  ) {
    super();
  }

  private between(userId: string, otherId: string): MessageRecord[] {
    return (this.messages as MemoryMessagesRepository).privates.filter(
      (m) => (m.senderId === userId && m.recipient === otherId) || (m.senderId === otherId && m.recipient === userId),
    );
  }

  async list(userId: string): Promise<ConversationRecord[]> {
    const last = new Map<string, MessageRecord>();
    for (const message of (this.messages as MemoryMessagesRepository).privates) {
      const other = message.senderId === userId ? message.recipient : message.recipient === userId ? message.senderId : undefined;
      if (other !== undefined) last.set(other, message);
    }
    const conversations: ConversationRecord[] = [];
    for (const [id, lastMessage] of last) {
      const user = await this.users.findUser(id);
      conversations.push({ other: { id, username: user?.username ?? id }, lastMessage });
    }
    return conversations.reverse().sort((a, b) => b.lastMessage.timestamp.localeCompare(a.lastMessage.timestamp));
  }

  async page(userId: string, otherId: string, limit: number, beforeId?: string): Promise<MessageRecord[] | undefined> {
    const all = this.between(userId, otherId);
    let end = all.length;
    if (beforeId !== undefined) {
      end = all.findIndex((m) => m.id === beforeId);
      if (end < 0) return undefined;
    }
    return all.slice(Math.max(0, end - limit), end);
  }
}
