import type { MessageFrame, RoomMessageFrame } from './frames';

/* REST shapes under `/api`. */

/**
 * Accounts mode, for the signed-in user: where they have read to in a room or
 * conversation, and what is new after it.
 */
export interface ReadState {
  /** The read pointer: the last `seq` read (0: nothing yet). */
  last_read_seq: number;
  /** Messages of others after the pointer, not deleted. */
  unread: number;
  /** Of those, the ones that mention the user. */
  unread_mentions: number;
}

export interface Room extends Partial<ReadState> {
  id: string;
  name: string;
  description: string;
  /** Members now. */
  user_count: number;
  /** ISO-8601 UTC. */
  created_at: string;
}

export interface RoomsResponse {
  rooms: Room[];
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

/** A message found by `GET /api/search`: its current state and where its content matched. */
export type SearchResult = MessageFrame & {
  /** `[start, end)` character offsets (JavaScript string indices) of the matches in `content`; never HTML. */
  highlights: Array<[number, number]>;
};

export interface SearchResponse {
  /** Newest first. */
  messages: SearchResult[];
}

export type HealthResponse = { status: 'ok' } | { status: 'error'; reason: string };

/** Body of every 4xx/5xx REST answer (Nest's shape). */
export interface ErrorResponse {
  statusCode: number;
  message: string | string[];
  error: string;
}
