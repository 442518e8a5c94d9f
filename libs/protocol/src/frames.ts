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
  /** The id of the message this one answers in its thread (a message of the same room that is not itself a reply). */
  reply_to?: string;
}

/** A private message to another user (by user id). */
export interface PrivateTextFrame {
  type: 'text';
  content: string;
  recipient: string;
  /** Idempotency key chosen by the sender (1–64 characters). */
  client_id?: string;
  /** The id of the message this one answers (same conversation, not itself a reply). */
  reply_to?: string;
}

/** Replace the text of one's own message (not deleted). */
export interface EditFrame {
  type: 'edit';
  id: string;
  content: string;
}

/** Delete one's own message: it stays in place as a tombstone. */
export interface DeleteFrame {
  type: 'delete';
  id: string;
}

/** Add or remove one's reaction: one emoji (a single grapheme) or a `:short_code:`. */
export interface ReactionFrame {
  type: 'react' | 'unreact';
  id: string;
  emoji: string;
}

/** "I am typing" to a room or a person; forwarded at most once every 2 s per user and target, never stored. */
export type TypingRequestFrame = { type: 'typing'; room: string } | { type: 'typing'; recipient: string };

/**
 * Level 2, accounts mode: everything up to `seq` in the room (or the
 * conversation with `recipient`) has been read. The pointer only moves
 * forward and never past the last seq; the user's other connections get a
 * `ReadFrame`.
 */
export type ReadRequestFrame = { type: 'read'; room: string; seq: number } | { type: 'read'; recipient: string; seq: number };

/** Join or leave a room; `content` is the room id. */
export interface MembershipRequestFrame {
  type: 'join_room' | 'leave_room';
  content: string;
}

export type ClientFrame =
  | RoomTextFrame
  | PrivateTextFrame
  | MembershipRequestFrame
  | EditFrame
  | DeleteFrame
  | ReactionFrame
  | TypingRequestFrame
  | ReadRequestFrame;
export type ClientFrameType = ClientFrame['type'];
export const CLIENT_FRAME_TYPES: readonly ClientFrameType[] = ['text', 'join_room', 'leave_room', 'edit', 'delete', 'react', 'unreact', 'typing', 'read'];

// ---- server to client -------------------------------------------------------

interface Stamped {
  /** Unique id of this frame (of the message, for messages). */
  id: string;
  /** ISO-8601 UTC. */
  timestamp: string;
}

/** Who reacted with one emoji; a message's reactions are in order of first use. */
export interface Reaction {
  emoji: string;
  count: number;
  user_ids: string[];
}

/**
 * The current state of a message, carried by every message frame and history
 * entry. Optional in the type only so that clients may build their own
 * pending copies; the server always sends every field.
 */
export interface MessageState {
  /** ISO-8601 of the last edit, or null. */
  edited_at?: string | null;
  /** A tombstone: `content` is "". */
  deleted?: boolean;
  reactions?: Reaction[];
  /** The message this one answers, or null. */
  reply_to?: string | null;
  reply_count?: number;
  /** Ids of the users named as `@username` in `content`, set by the server. */
  mentions?: string[];
  /** The room's or conversation's change counter at this message's last change. */
  rev?: number;
}

/** A room message; the sender's own copy is its acknowledgement. */
export interface RoomMessageFrame extends Stamped, MessageState {
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
export interface PrivateMessageFrame extends Stamped, MessageState {
  type: 'private';
  content: string;
  sender: string;
  sender_id: string;
  recipient: string;
  /** The n-th message of the conversation has seq n (optional in the type for clients' pending copies). */
  seq?: number;
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

/** A message changed (edit, delete, reaction, reply count): its whole current state. */
export interface MessageUpdatedFrame {
  type: 'message_updated';
  message: MessageFrame;
}

/** Level 2: someone is typing in a room or to you; show it for 5 s. */
export type TypingFrame = { type: 'typing'; user_id: string; username: string } & ({ room: string } | { recipient: string });

/** Level 2, accounts mode: the user's read pointer moved on another of their connections (`seq`: the pointer now). */
export type ReadFrame = { type: 'read'; seq: number } & ({ room: string } | { recipient: string });

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
  | MessageUpdatedFrame
  | TypingFrame
  | ReadFrame
  | ErrorFrame;
export type ServerFrameType = ServerFrame['type'];
