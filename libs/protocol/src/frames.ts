import type { Room } from './rest';

/* Frames on `/api/ws`. Every frame is one JSON object with a `type`. */

// ---- client to server -------------------------------------------------------

/** A message to a room the user is a member of. */
export interface RoomTextFrame {
  type: 'text';
  content: string;
  room: string;
  /** Idempotency key chosen by the sender (1–64 characters); a repeat is never stored twice. */
  client_id?: string;
}

/** A private message to another user (by user id). */
export interface PrivateTextFrame {
  type: 'text';
  content: string;
  recipient: string;
  /** Idempotency key chosen by the sender (1–64 characters). */
  client_id?: string;
}

/** Join or leave a room; `content` is the room id. */
export interface MembershipRequestFrame {
  type: 'join_room' | 'leave_room';
  content: string;
}

export type ClientFrame = RoomTextFrame | PrivateTextFrame | MembershipRequestFrame;
export type ClientFrameType = ClientFrame['type'];
export const CLIENT_FRAME_TYPES: readonly ClientFrameType[] = ['text', 'join_room', 'leave_room'];

// ---- server to client -------------------------------------------------------

interface Stamped {
  /** Unique id of this frame (of the message, for messages). */
  id: string;
  /** ISO-8601 UTC. */
  timestamp: string;
}

/** A room message; the sender's own copy is its acknowledgement. */
export interface RoomMessageFrame extends Stamped {
  type: 'text';
  content: string;
  sender: string;
  sender_id: string;
  room: string;
  /** The n-th message stored in the room has seq n: 1, 2, 3, … without gaps. */
  seq: number;
  /** The sender's idempotency key, when it gave one. */
  client_id?: string;
}

/** A private message, to every connection of the recipient and of the sender. */
export interface PrivateMessageFrame extends Stamped {
  type: 'private';
  content: string;
  sender: string;
  sender_id: string;
  recipient: string;
  /** The sender's idempotency key, when it gave one. */
  client_id?: string;
}

export type MessageFrame = RoomMessageFrame | PrivateMessageFrame;

/** Someone joined or left a room (the joiner or leaver gets it too). */
export interface MembershipFrame extends Stamped {
  type: 'join' | 'leave';
  content: string;
  sender: 'System';
  sender_id: '';
  room: string;
  user_id: string;
  username: string;
}

/** Sent once on connect. */
export interface SystemFrame extends Stamped {
  type: 'system';
  content: string;
  sender: 'System';
  sender_id: '';
}

/** Level 2 only: a user's first connection opened or last one closed. */
export interface PresenceFrame {
  type: 'presence';
  content: 'online' | 'offline';
  user_id: string;
  username: string;
  timestamp: string;
}

/** Level 2: a room was created (on any instance); room lists follow it instead of polling. */
export interface RoomCreatedFrame {
  type: 'room_created';
  room: Room;
  timestamp: string;
}

/** A frame the server could not accept; the connection stays open. */
export interface ErrorFrame {
  type: 'error';
  content: string;
  /** A message over the rate limit: how long until one would be accepted. */
  retry_after_ms?: number;
}

export type ServerFrame =
  | RoomMessageFrame
  | PrivateMessageFrame
  | MembershipFrame
  | SystemFrame
  | PresenceFrame
  | RoomCreatedFrame
  | ErrorFrame;
export type ServerFrameType = ServerFrame['type'];
