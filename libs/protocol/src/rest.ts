import type { RoomMessageFrame } from './frames';

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

export type HealthResponse = { status: 'ok' } | { status: 'error'; reason: string };

/** Body of every 4xx/5xx REST answer (Nest's shape). */
export interface ErrorResponse {
  statusCode: number;
  message: string | string[];
  error: string;
}
