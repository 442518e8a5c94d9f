import { ConflictException, Injectable } from '@nestjs/common';
import { SessionRecord, SessionsRepository, SessionWithUser } from '../../auth/sessions.repository';
import { ConversationRecord, ConversationsRepository } from '../../conversations/conversations.repository';
import {
  applyChange,
  conversationKey,
  MessageChange,
  MessageRecord,
  MessagesRepository,
  MessageTarget,
  RoomMessageRecord,
  StoredMessage,
} from '../../messages/messages.repository';
import { ReadCounts, ReadStateRepository } from '../../reads/read-state.repository';
import { matchesAll } from '../../search/search-words';
import { SearchQuery, SearchRepository } from '../../search/search.repository';
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

/** Messages in process memory: each room's and each conversation's history is an array in seq order. */
@Injectable()
export class MemoryMessagesRepository extends MessagesRepository {
  private readonly rooms = new Map<string, RoomMessageRecord[]>();
  /** Private messages in the order they were stored. */
  readonly privates: StoredMessage[] = [];
  private readonly conversations = new Map<string, StoredMessage[]>();
  /** Change counters by room id, or by `c` + conversation key. */
  private readonly revs = new Map<string, number>();
  private readonly byId = new Map<string, StoredMessage>();
  /** (sender, client_id) -> the message stored under it. */
  private readonly byClientId = new Map<string, StoredMessage>();

  async append(message: MessageRecord): Promise<StoredMessage> {
    const key = message.clientId === undefined ? undefined : JSON.stringify([message.senderId, message.clientId]);
    const earlier = key === undefined ? undefined : this.byClientId.get(key);
    if (earlier) return { ...earlier, repeated: true };
    let stored: StoredMessage;
    const counter = counterOf(message);
    message = { editedAt: null, deleted: false, reactions: [], replyCount: 0, mentions: [], ...message };
    if (message.room === undefined) {
      const conversation = this.listOf(message);
      stored = { ...message, seq: conversation.length + 1, rev: this.nextRev(counter) };
      conversation.push(stored);
      this.privates.push(stored);
    } else {
      let history = this.rooms.get(message.room);
      if (!history) this.rooms.set(message.room, (history = []));
      const roomMessage: RoomMessageRecord = { ...message, room: message.room, seq: history.length + 1, rev: this.nextRev(counter) };
      history.push((stored = roomMessage));
    }
    this.byId.set(stored.id, stored);
    if (message.replyTo !== undefined) {
      const parent = this.byId.get(message.replyTo);
      if (parent) Object.assign(parent, { replyCount: (parent.replyCount ?? 0) + 1, rev: this.nextRev(counter) });
    }
    if (key !== undefined) this.byClientId.set(key, stored);
    return { ...stored };
  }

  async drain(): Promise<void> {}

  async find(id: string): Promise<StoredMessage | undefined> {
    const message = this.byId.get(id);
    return message && { ...message };
  }

  async change(id: string, decide: (current: StoredMessage) => MessageChange | undefined): Promise<{ message: StoredMessage; changed: boolean } | undefined> {
    const message = this.byId.get(id);
    if (!message) return undefined;
    const change = decide({ ...message });
    if (change === undefined) return { message: { ...message }, changed: false };
    Object.assign(message, applyChange(message, change, this.nextRev(counterOf(message))));
    return { message: { ...message }, changed: true };
  }

  async changedAfter(target: MessageTarget, afterRev: number, limit: number): Promise<StoredMessage[]> {
    const all = 'room' in target ? (this.rooms.get(target.room) ?? []) : (this.conversations.get(conversationKey(...target.between)) ?? []);
    return all
      .filter((message) => (message.rev ?? 0) > afterRev)
      .sort((a, b) => (a.rev ?? 0) - (b.rev ?? 0))
      .slice(0, limit)
      .map((message) => ({ ...message }));
  }

  async replies(parentId: string, limit: number, afterSeq: number): Promise<StoredMessage[]> {
    const parent = this.byId.get(parentId);
    if (!parent) return [];
    const all = parent.room !== undefined ? (this.rooms.get(parent.room) ?? []) : this.listOf(parent);
    return all
      .filter((message) => message.replyTo === parentId && (message.seq ?? 0) > afterSeq)
      .slice(0, limit)
      .map((message) => ({ ...message }));
  }

  async conversationAfter(between: [string, string], limit: number, afterSeq: number): Promise<StoredMessage[]> {
    // seq n sits at index n - 1.
    return (this.conversations.get(conversationKey(...between)) ?? []).slice(afterSeq, afterSeq + limit).map((message) => ({ ...message }));
  }

  async seqOf(room: string, id: string): Promise<number | undefined> {
    return this.rooms.get(room)?.find((message) => message.id === id)?.seq;
  }

  async range(room: string, fromSeq: number, toSeq: number): Promise<RoomMessageRecord[]> {
    return (this.rooms.get(room) ?? []).slice(Math.max(0, fromSeq - 1), Math.max(0, toSeq - 1)).map((message) => ({ ...message }));
  }

  async after(room: string, limit: number, afterSeq: number): Promise<RoomMessageRecord[]> {
    // seq n sits at index n - 1.
    return (this.rooms.get(room) ?? []).slice(afterSeq, afterSeq + limit).map((message) => ({ ...message }));
  }

  async history(room: string, limit: number, beforeSeq?: number): Promise<RoomMessageRecord[]> {
    const history = this.rooms.get(room) ?? [];
    // seq n sits at index n - 1.
    const end = beforeSeq === undefined ? history.length : Math.min(history.length, beforeSeq - 1);
    return history.slice(Math.max(0, end - limit), end).map((message) => ({ ...message }));
  }

  /** The messages of a room or conversation, in seq order (read state and search read them in place). */
  messagesOf(target: MessageTarget): readonly StoredMessage[] {
    return 'room' in target ? (this.rooms.get(target.room) ?? []) : (this.conversations.get(conversationKey(...target.between)) ?? []);
  }

  /** Every message, in the order stored. */
  *all(): IterableIterator<StoredMessage> {
    yield* this.byId.values();
  }

  private listOf(message: MessageRecord): StoredMessage[] {
    const key = conversationKey(message.senderId, message.recipient ?? '');
    let list = this.conversations.get(key);
    if (!list) this.conversations.set(key, (list = []));
    return list;
  }

  private nextRev(counter: string): number {
    const rev = (this.revs.get(counter) ?? 0) + 1;
    this.revs.set(counter, rev);
    return rev;
  }
}

function counterOf(message: MessageRecord): string {
  return message.room !== undefined ? `r${message.room}` : `c${conversationKey(message.senderId, message.recipient ?? '')}`;
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

/** Read pointers in process memory; counts by walking the messages after the pointer (memory storage is for experiments). */
@Injectable()
export class MemoryReadStateRepository extends ReadStateRepository {
  private readonly pointers = new Map<string, number>();

  constructor(
    private readonly messages: MessagesRepository,
    private readonly rooms: RoomsRepository,
  ) {
    super();
  }

  private get store(): MemoryMessagesRepository {
    return this.messages as MemoryMessagesRepository;
  }

  async markRead(userId: string, target: MessageTarget, seq: number): Promise<number | undefined> {
    const last = this.store.messagesOf(target).length;
    const key = pointerKey(userId, target);
    const next = Math.min(seq, last);
    if (next <= (this.pointers.get(key) ?? 0)) return undefined;
    this.pointers.set(key, next);
    return next;
  }

  async startAt(userId: string, room: string): Promise<void> {
    const key = pointerKey(userId, { room });
    if (!this.pointers.has(key)) this.pointers.set(key, this.store.messagesOf({ room }).length);
  }

  async roomStates(userId: string): Promise<Map<string, ReadCounts>> {
    const states = new Map<string, ReadCounts>();
    for (const { roomId, userId: member } of await this.rooms.listMemberships()) {
      if (member === userId) states.set(roomId, this.counts(userId, { room: roomId }));
    }
    return states;
  }

  async conversationStates(userId: string, otherIds: string[]): Promise<Map<string, ReadCounts>> {
    return new Map(otherIds.map((other) => [other, this.counts(userId, { between: [userId, other] })]));
  }

  private counts(userId: string, target: MessageTarget): ReadCounts {
    const lastReadSeq = this.pointers.get(pointerKey(userId, target)) ?? 0;
    const unread = this.store.messagesOf(target).slice(lastReadSeq).filter((m) => m.senderId !== userId && !m.deleted);
    return { lastReadSeq, unread: unread.length, unreadMentions: unread.filter((m) => m.mentions?.includes(userId)).length };
  }
}

function pointerKey(userId: string, target: MessageTarget): string {
  return JSON.stringify([userId, 'room' in target ? target.room : conversationKey(...target.between)]);
}

/** Search by reading every message, newest first (memory storage is for experiments). */
@Injectable()
export class MemorySearchRepository extends SearchRepository {
  constructor(private readonly messages: MessagesRepository) {
    super();
  }

  async search(query: SearchQuery): Promise<StoredMessage[] | undefined> {
    const all = [...(this.messages as MemoryMessagesRepository).all()].reverse();
    const readable = (m: StoredMessage) => m.room !== undefined || (query.userId !== undefined && (m.senderId === query.userId || m.recipient === query.userId));
    let start = 0;
    if (query.before !== undefined) {
      start = all.findIndex((m) => m.id === query.before && readable(m)) + 1;
      if (start === 0) return undefined;
    }
    const found: StoredMessage[] = [];
    for (const message of all.slice(start)) {
      if (found.length >= query.limit) break;
      if (message.deleted || !readable(message) || (query.room !== undefined && message.room !== query.room)) continue;
      if (matchesAll(message.content, query.words)) found.push({ ...message });
    }
    return found;
  }
}
