import type {
  AuthUserInfo,
  AuthConfigResponse,
  Conversation,
  CreateRoomRequest,
  HistoryMessage,
  OnlineUser,
  PrivateMessageFrame,
  Room,
  RoomListing,
  AuthSessionInfo,
  SearchResult,
} from '@chatstream/protocol';
import { Subject } from 'rxjs';
import { ApiError, type PageOptions } from '../app/core/api-client';

let sequence = 0;

/** A message as the server would store it (`seq`: its place in the room). */
export function message(room: string, content: string, sender = 'carol', senderId = `id-${sender}`, seq = sequence + 1, clientId?: string): HistoryMessage {
  sequence++;
  const stored: HistoryMessage = {
    id: `m-${sequence}`,
    type: 'text',
    content,
    sender,
    sender_id: senderId,
    room,
    seq,
    timestamp: new Date(Date.UTC(2026, 0, 1, 12, 0, 0) + sequence * 1000).toISOString(),
  };
  if (clientId !== undefined) stored.client_id = clientId;
  return stored;
}

/** A private message as the server would store it. */
export function privateMessage(from: AuthUserInfo, to: AuthUserInfo, content: string): PrivateMessageFrame {
  sequence++;
  return {
    id: `p-${sequence}`,
    type: 'private',
    content,
    sender: from.username,
    sender_id: from.id,
    recipient: to.id,
    timestamp: new Date(Date.UTC(2026, 0, 1, 12, 0, 0) + sequence * 1000).toISOString(),
  };
}

/** The REST API over in-memory state, with the server's paging rules. */
export class FakeApi {
  roomList: RoomListing[] = [room('general', 'General Chat')];
  readonly messages = new Map<string, HistoryMessage[]>();
  users: OnlineUser[] = [];
  readonly calls: string[] = [];
  /** Set to make the next calls fail. */
  failing = false;

  // ---- accounts mode ----
  config: AuthConfigResponse = { auth: 'open', registration: 'open' };
  /** Accounts by username, with their passwords. */
  readonly accounts = new Map<string, { user: AuthUserInfo; password: string }>();
  /** Who the session cookie belongs to (null: no valid session). */
  signedIn: AuthUserInfo | null = null;
  sessionList: AuthSessionInfo[] = [];
  /** Private messages in the order stored, of every pair. */
  readonly privateMessages: PrivateMessageFrame[] = [];
  /** Set to make the next auth call answer this error. */
  refuse?: ApiError;
  /** As the real client: a 401 on a call other than signing in. */
  readonly unauthorized$ = new Subject<void>();

  addAccount(username: string, password: string): AuthUserInfo {
    const user = { id: `id-${username}`, username };
    this.accounts.set(username.toLowerCase(), { user, password });
    return user;
  }

  /** Stores a private message between two accounts. */
  postPrivate(from: AuthUserInfo, to: AuthUserInfo, content: string): PrivateMessageFrame {
    const stored = privateMessage(from, to, content);
    this.privateMessages.push(stored);
    return stored;
  }

  async authConfig(): Promise<AuthConfigResponse> {
    this.calls.push('authConfig');
    if (this.failing) throw new TypeError('Failed to fetch');
    return { ...this.config };
  }

  async me(): Promise<AuthUserInfo> {
    this.calls.push('me');
    return this.session();
  }

  async login(username: string, password: string): Promise<AuthUserInfo> {
    this.calls.push(`login ${username}`);
    this.throwRefusal();
    const account = this.accounts.get(username.toLowerCase());
    if (!account || account.password !== password) throw new ApiError(401, 'invalid username or password');
    this.signedIn = account.user;
    return account.user;
  }

  async register(username: string, password: string): Promise<AuthUserInfo> {
    this.calls.push(`register ${username}`);
    this.throwRefusal();
    if (this.accounts.has(username.toLowerCase())) throw new ApiError(409, `username "${username}" is taken`);
    this.signedIn = this.addAccount(username, password);
    return this.signedIn;
  }

  async logout(): Promise<void> {
    this.calls.push('logout');
    this.session();
    this.throwRefusal();
    this.signedIn = null;
  }

  async sessions(): Promise<AuthSessionInfo[]> {
    this.calls.push('sessions');
    this.session();
    return this.sessionList.map((s) => ({ ...s }));
  }

  async endSession(sessionId: string): Promise<void> {
    this.calls.push(`endSession ${sessionId}`);
    this.session();
    const ended = this.sessionList.find((s) => s.id === sessionId);
    if (!ended) throw new ApiError(404, 'no such session');
    this.sessionList = this.sessionList.filter((s) => s !== ended);
    if (ended.current) this.signedIn = null;
  }

  async conversations(): Promise<Conversation[]> {
    this.calls.push('conversations');
    const me = this.session();
    const latest = new Map<string, Conversation>();
    for (const m of this.privateMessages) {
      if (m.sender_id !== me.id && m.recipient !== me.id) continue;
      const peerId = m.sender_id === me.id ? m.recipient : m.sender_id;
      const peer = [...this.accounts.values()].find((a) => a.user.id === peerId)?.user ?? { id: peerId, username: peerId };
      latest.set(peerId, { user: peer, last_message: m, last_read_seq: 0, unread: 0, unread_mentions: 0 });
    }
    return [...latest.values()].sort((a, b) => b.last_message.timestamp.localeCompare(a.last_message.timestamp));
  }

  async conversationHistory(userId: string, options: PageOptions = {}): Promise<PrivateMessageFrame[]> {
    this.calls.push(`conversationHistory ${userId} limit=${options.limit ?? 50}${options.before ? ` before=${options.before}` : ''}`);
    if (this.failing) throw new ApiError(503, 'unavailable');
    const me = this.session();
    const all = this.privateMessages.filter(
      (m) => (m.sender_id === me.id && m.recipient === userId) || (m.sender_id === userId && m.recipient === me.id),
    );
    return page(all, options);
  }

  private session(): AuthUserInfo {
    if (!this.signedIn) {
      this.unauthorized$.next();
      throw new ApiError(401, 'Unauthorized');
    }
    return this.signedIn;
  }

  private throwRefusal(): void {
    const refusal = this.refuse;
    this.refuse = undefined;
    if (refusal) throw refusal;
  }

  /** Stores a message as the server would: the next seq of the room; a client_id already used answers the stored one. */
  post(roomId: string, content: string, sender?: string, senderId?: string, clientId?: string): HistoryMessage {
    const history = this.messages.get(roomId) ?? [];
    const repeat = clientId === undefined ? undefined : history.find((m) => m.client_id === clientId && m.sender_id === senderId);
    if (repeat) return repeat;
    const stored = { ...message(roomId, content, sender, senderId, history.length + 1, clientId), rev: this.nextRev(roomId) };
    this.messages.set(roomId, [...history, stored]);
    return stored;
  }

  private readonly revs = new Map<string, number>();
  private nextRev(roomId: string): number {
    const rev = (this.revs.get(roomId) ?? 0) + 1;
    this.revs.set(roomId, rev);
    return rev;
  }

  /** A change of a stored message (an edit, a delete, a reaction), as the server makes it: the room's next rev. */
  change(roomId: string, id: string, fields: Partial<HistoryMessage>): HistoryMessage {
    const history = this.messages.get(roomId) ?? [];
    const at = history.findIndex((m) => m.id === id);
    const changed = { ...history[at], ...fields, rev: this.nextRev(roomId) };
    this.messages.set(roomId, history.map((m, i) => (i === at ? changed : m)));
    return changed;
  }

  async rooms(): Promise<RoomListing[]> {
    this.calls.push('rooms');
    return this.roomList.map((r) => ({ ...r }));
  }

  async createRoom(body: CreateRoomRequest): Promise<Room> {
    this.calls.push(`createRoom ${body.name}`);
    if (this.roomList.some((r) => r.name.toLowerCase() === body.name.toLowerCase())) {
      throw new ApiError(409, `a room named "${body.name}" already exists`);
    }
    const created = room(body.name.toLowerCase().replace(/\W+/g, '-'), body.name, body.description);
    this.roomList.push(created);
    return created;
  }

  async history(roomId: string, options: { limit?: number; before?: string; after?: number; changedAfter?: number } = {}): Promise<HistoryMessage[]> {
    if (options.changedAfter !== undefined) {
      const since = options.changedAfter;
      this.calls.push(`history ${roomId} limit=${options.limit ?? 50} changes-since=${since}`);
      if (this.failing) throw new ApiError(503, 'unavailable');
      const changed = (this.messages.get(roomId) ?? []).filter((m) => (m.rev ?? 0) > since);
      return changed.sort((a, b) => (a.rev ?? 0) - (b.rev ?? 0)).slice(0, options.limit ?? 50);
    }
    const paging = options.before ? ` before=${options.before}` : options.after !== undefined ? ` after=${options.after}` : '';
    this.calls.push(`history ${roomId} limit=${options.limit ?? 50}${paging}`);
    if (this.failing) throw new ApiError(503, 'unavailable');
    const all = this.messages.get(roomId) ?? [];
    if (options.after !== undefined) return all.slice(options.after, options.after + (options.limit ?? 50));
    return page(all, options);
  }

  async replies(messageId: string): Promise<HistoryMessage[]> {
    this.calls.push(`replies ${messageId}`);
    return [...this.messages.values()].flat().filter((m) => m.reply_to === messageId);
  }

  async privateReplies(messageId: string): Promise<PrivateMessageFrame[]> {
    this.calls.push(`privateReplies ${messageId}`);
    const me = this.session();
    return this.privateMessages.filter((m) => m.reply_to === messageId && (m.sender_id === me.id || m.recipient === me.id));
  }

  /** What `search` answers: a function of the query (a promise, to hold an answer back). */
  searchAnswer: (q: string) => Promise<SearchResult[]> = async () => [];

  async search(q: string): Promise<SearchResult[]> {
    this.calls.push(`search ${q}`);
    return this.searchAnswer(q);
  }

  async onlineUsers(): Promise<OnlineUser[]> {
    this.calls.push('users');
    return [...this.users];
  }
}

/** The server's paging: the newest `limit`, or the newest `limit` older than message `before`, oldest first. */
function page<T extends { id: string }>(all: readonly T[], options: PageOptions): T[] {
  const end = options.before === undefined ? all.length : all.findIndex((m) => m.id === options.before);
  if (end < 0) throw new ApiError(400, 'unknown before');
  const limit = options.limit ?? 50;
  return all.slice(Math.max(0, end - limit), end);
}

export function room(id: string, name: string, description = '', members = 0): Room {
  return { id, name, description, user_count: members, created_at: '2026-01-01T00:00:00.000Z' };
}

/** Lets pending promise callbacks (fake REST answers) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
  await new Promise((resolve) => setTimeout(resolve, 0));
}
