import { Injectable, inject } from '@angular/core';
import {
  HISTORY_DEFAULT_LIMIT,
  type CreateRoomRequest,
  type CreateRoomResponse,
  type ErrorResponse,
  type HistoryMessage,
  type MessagesResponse,
  type OnlineUser,
  type Room,
  type RoomsResponse,
  type UsersResponse,
} from '@chatstream/protocol';
import { API_BASE } from './config';

/** A REST call that got an error status; `message` is the server's reason. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The REST API, as promises (RxJS stays at the socket). */
@Injectable({ providedIn: 'root' })
export class ApiClient {
  private readonly base = inject(API_BASE);

  async rooms(): Promise<Room[]> {
    return (await this.request<RoomsResponse>('GET', '/rooms')).rooms;
  }

  async createRoom(body: CreateRoomRequest): Promise<Room> {
    return (await this.request<CreateRoomResponse>('POST', '/rooms', body)).room;
  }

  /**
   * A page of a room's history, oldest first: the newest `limit` messages
   * (older than message `before`), or the oldest `limit` with seq above `after`.
   */
  async history(roomId: string, options: { limit?: number; before?: string; after?: number } = {}): Promise<HistoryMessage[]> {
    const query = new URLSearchParams({ limit: String(options.limit ?? HISTORY_DEFAULT_LIMIT) });
    if (options.before !== undefined) query.set('before', options.before);
    if (options.after !== undefined) query.set('after', String(options.after));
    const path = `/rooms/${encodeURIComponent(roomId)}/messages?${query}`;
    return (await this.request<MessagesResponse>('GET', path)).messages;
  }

  async onlineUsers(): Promise<OnlineUser[]> {
    return (await this.request<UsersResponse>('GET', '/users')).users;
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(this.base + path, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
    if (!response.ok) throw new ApiError(response.status, await reasonOf(response));
    return (await response.json()) as T;
  }
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
