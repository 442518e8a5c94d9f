import type { MessageFrame, RoomMessageFrame } from './frames';

/* REST shapes under `/api`. */

export interface Room {
  id: string;
  name: string;
  description: string;
  /** Members now. */
  user_count: number;
  /** ISO-8601 UTC. */
  created_at: string;
}

/**
 * Accounts mode: the signed-in user's read state of a room or conversation.
 * `unread`: messages of others after the pointer, not deleted;
 * `unread_mentions`: of those, the ones that mention the user.
 */
export interface ReadState {
  last_read_seq: number;
  unread: number;
  unread_mentions: number;
}

/** A room in `GET /api/rooms`: with the signed-in user's read state in accounts mode. */
export type RoomListing = Room & Partial<ReadState>;

export interface RoomsResponse {
  rooms: RoomListing[];
}

export interface CreateRoomRequest {
  name: string;
  description?: string;
}

export interface CreateRoomResponse {
  room: Room;
}

/** History entries have the shape of live room message frames. */
export type HistoryMessage = RoomMessageFrame;

export interface MessagesResponse {
  /** Oldest first. */
  messages: HistoryMessage[];
}

export interface OnlineUser {
  id: string;
  username: string;
  /** Current room of a seed-level connection that has one. */
  room?: string;
}

export interface UsersResponse {
  users: OnlineUser[];
}

export interface PostMessageRequest {
  type?: 'text';
  content: string;
  /** Required in AUTH=open; in accounts mode the signed-in user sends (a different `sender_id` is 403). */
  sender?: string;
  sender_id?: string;
  room?: string;
  recipient?: string;
  /** Idempotency key (1–64 characters): a repeat answers the stored message, never stores it twice. */
  client_id?: string;
}

export interface PostMessageResponse {
  message: 'Message sent successfully';
  id: string;
  timestamp: string;
  /** Room messages: the message's place in the room. */
  seq?: number;
}

export type HealthResponse = { status: 'ok' } | { status: 'error'; reason: string };

/** Body of every 4xx/5xx REST answer (Nest's shape). */
export interface ErrorResponse {
  statusCode: number;
  message: string | string[];
  error: string;
}

/**
 * A search result: the message in its current state, and where the words
 * of the query matched in `content`: `[start, end)` pairs of UTF-16 code
 * unit offsets (JavaScript string indexes: `content.slice(start, end)` is
 * the matched word), in order, never overlapping. Never HTML.
 */
export type SearchResult = MessageFrame & { highlights: Array<[number, number]> };

export interface SearchResponse {
  /** Newest first; page on with `before=<the last id>`. */
  messages: SearchResult[];
}
