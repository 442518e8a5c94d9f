import { Injectable, inject } from '@angular/core';
import {
  HISTORY_DEFAULT_LIMIT,
  HISTORY_MAX_LIMIT,
  type AuthUserInfo,
  type AuthConfigResponse,
  type Conversation,
  type ConversationsResponse,
  type CreateRoomRequest,
  type CreateRoomResponse,
  type ErrorResponse,
  type HistoryMessage,
  type MessagesResponse,
  type MeResponse,
  type OnlineUser,
  type PrivateMessageFrame,
  type PrivateMessagesResponse,
  type Room,
  type RoomListing,
  type RoomsResponse,
  type SearchResponse,
  type SearchResult,
  type AuthSessionInfo,
  type SessionsResponse,
  type SignInResponse,
  type UsersResponse,
} from '@chatstream/protocol';
import { Subject, type Observable } from 'rxjs';
import { API_BASE } from './config';

/** A REST call that got an error status; `message` is the server's reason. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Seconds to wait, from a 429's `Retry-After`. */
    readonly retryAfterS?: number,
  ) {
    super(message);
  }
}

/** What went wrong, in words: the server's reason for an `ApiError`, the browser's for a failed fetch. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Paging of a history call: the newest `limit`, or the newest `limit` older than message `before`. */
export interface PageOptions {
  limit?: number;
  before?: string;
}

/** The REST API, as promises (RxJS stays at the socket). */
@Injectable({ providedIn: 'root' })
export class ApiClient {
  private readonly base = inject(API_BASE);
  private readonly unauthorizedSubject = new Subject<void>();
  /**
   * A call other than signing in was answered 401: the session has ended
   * (expired, revoked) even if no socket said so yet.
   */
  readonly unauthorized$: Observable<void> = this.unauthorizedSubject.asObservable();

  async rooms(): Promise<RoomListing[]> {
    return (await this.request<RoomsResponse>('GET', '/rooms')).rooms;
  }

  async createRoom(body: CreateRoomRequest): Promise<Room> {
    return (await this.request<CreateRoomResponse>('POST', '/rooms', body)).room;
  }

  /**
   * A page of a room's history, oldest first: the newest `limit` messages
   * (older than message `before`), or the oldest `limit` with seq above `after`.
   */
  async history(roomId: string, options: PageOptions & { after?: number; changedAfter?: number } = {}): Promise<HistoryMessage[]> {
    const query = pageQuery(options);
    if (options.after !== undefined) query.set('after', String(options.after));
    if (options.changedAfter !== undefined) query.set('changed_after', String(options.changedAfter));
    const path = `/rooms/${encodeURIComponent(roomId)}/messages?${query}`;
    return (await this.request<MessagesResponse>('GET', path)).messages;
  }

  /** The replies of a message, oldest first. */
  async replies(messageId: string, limit = HISTORY_MAX_LIMIT): Promise<HistoryMessage[]> {
    return (await this.request<MessagesResponse>('GET', `/messages/${encodeURIComponent(messageId)}/replies?limit=${limit}`)).messages;
  }

  /** The replies of a private message (accounts mode: one of the signed-in user's conversations), oldest first. */
  async privateReplies(messageId: string, limit = HISTORY_MAX_LIMIT): Promise<PrivateMessageFrame[]> {
    return (await this.request<PrivateMessagesResponse>('GET', `/messages/${encodeURIComponent(messageId)}/replies?limit=${limit}`)).messages;
  }

  async onlineUsers(): Promise<OnlineUser[]> {
    return (await this.request<UsersResponse>('GET', '/users')).users;
  }

  // ---- accounts mode: the session is the HttpOnly cookie, sent by the browser ----

  authConfig(): Promise<AuthConfigResponse> {
    return this.request<AuthConfigResponse>('GET', '/auth/config');
  }

  async me(): Promise<AuthUserInfo> {
    return (await this.request<MeResponse>('GET', '/auth/me')).user;
  }

  async login(username: string, password: string): Promise<AuthUserInfo> {
    return (await this.request<SignInResponse>('POST', '/auth/login', { username, password })).user;
  }

  async register(username: string, password: string): Promise<AuthUserInfo> {
    return (await this.request<SignInResponse>('POST', '/auth/register', { username, password })).user;
  }

  async logout(): Promise<void> {
    await this.request<void>('POST', '/auth/logout');
  }

  async sessions(): Promise<AuthSessionInfo[]> {
    return (await this.request<SessionsResponse>('GET', '/auth/sessions')).sessions;
  }

  async endSession(sessionId: string): Promise<void> {
    await this.request<void>('DELETE', `/auth/sessions/${encodeURIComponent(sessionId)}`);
  }

  /** The signed-in user's private conversations, most recent first. */
  async conversations(): Promise<Conversation[]> {
    return (await this.request<ConversationsResponse>('GET', '/conversations')).conversations;
  }

  /** Messages between the signed-in user and `userId`, oldest first, paged as room history. */
  async conversationHistory(userId: string, options: PageOptions = {}): Promise<PrivateMessageFrame[]> {
    const path = `/conversations/${encodeURIComponent(userId)}/messages?${pageQuery(options)}`;
    return (await this.request<PrivateMessagesResponse>('GET', path)).messages;
  }

  /** Messages the signed-in user may read that match every word of `q` (as prefixes), newest first. */
  async search(q: string, options: { room?: string; limit?: number; before?: string } = {}): Promise<SearchResult[]> {
    const query = new URLSearchParams({ q });
    if (options.room !== undefined) query.set('room', options.room);
    if (options.limit !== undefined) query.set('limit', String(options.limit));
    if (options.before !== undefined) query.set('before', options.before);
    return (await this.request<SearchResponse>('GET', `/search?${query}`)).messages;
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(this.base + path, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
    if (!response.ok) {
      const error = new ApiError(response.status, await reasonOf(response), retryAfterOf(response));
      // A wrong password is a 401 too, and not the end of any session.
      if (error.status === 401 && !SIGN_IN_PATHS.has(path)) this.unauthorizedSubject.next();
      throw error;
    }
    // 204 (logout, ending a session) has no body.
    return (response.status === 204 ? undefined : await response.json()) as T;
  }
}

const SIGN_IN_PATHS = new Set(['/auth/login', '/auth/register']);

function pageQuery(options: PageOptions): URLSearchParams {
  const query = new URLSearchParams({ limit: String(options.limit ?? HISTORY_DEFAULT_LIMIT) });
  if (options.before !== undefined) query.set('before', options.before);
  return query;
}

/** `Retry-After` in seconds: delta-seconds, or an HTTP date. */
function retryAfterOf(response: Response): number | undefined {
  const header = response.headers.get('retry-after');
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

async function reasonOf(response: Response): Promise<string> {
  try {
    const { message } = (await response.json()) as Partial<ErrorResponse>;
    if (Array.isArray(message)) return message.join('; ');
    if (typeof message === 'string') return message;
  } catch {
    // Not the JSON error shape: fall back to the status text.
  }
  return response.statusText || `HTTP ${response.status}`;
}
