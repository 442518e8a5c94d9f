import { randomUUID } from 'node:crypto';
import {
  SYSTEM_SENDER,
  WELCOME_TEXT,
  type MembershipFrame,
  type MessageFrame,
  type PresenceFrame,
  type Room,
  type RoomCreatedFrame,
  type SystemFrame,
} from '@chatstream/protocol';
import type { MessageRecord } from '../messages/messages.repository';

/** Ids of messages and server frames: unique strings. */
export const newId = (): string => randomUUID();
/** ISO-8601 UTC. */
export const now = (): string => new Date().toISOString();

/** The frame of a stored message in its current state (a room message has its room's seq, a private one its conversation's). */
export function messageFrame(message: MessageRecord & { seq?: number }): MessageFrame {
  const { id, content, senderName: sender, senderId: sender_id, timestamp } = message;
  const state = {
    edited_at: message.editedAt ?? null,
    deleted: message.deleted === true,
    reactions: message.reactions ?? [],
    reply_to: message.replyTo ?? null,
    reply_count: message.replyCount ?? 0,
    mentions: message.mentions ?? [],
    rev: message.rev ?? 0,
  };
  const frame: MessageFrame =
    message.room !== undefined
      ? { id, type: 'text', content, sender, sender_id, room: message.room, seq: message.seq as number, timestamp, ...state }
      : { id, type: 'private', content, sender, sender_id, recipient: message.recipient ?? '', seq: message.seq, timestamp, ...state };
  if (message.clientId !== undefined) frame.client_id = message.clientId;
  return frame;
}

export function membershipFrame(
  type: 'join' | 'leave',
  room: string,
  user: { id: string; username: string },
): MembershipFrame {
  const verb = type === 'join' ? 'joined' : 'left';
  return {
    id: newId(),
    type,
    content: `${user.username} ${verb} the room`,
    sender: SYSTEM_SENDER,
    sender_id: '',
    room,
    user_id: user.id,
    username: user.username,
    timestamp: now(),
  };
}

export function welcomeFrame(): SystemFrame {
  return { id: newId(), type: 'system', content: WELCOME_TEXT, sender: SYSTEM_SENDER, sender_id: '', timestamp: now() };
}

export function presenceFrame(content: 'online' | 'offline', user: { id: string; username: string }): PresenceFrame {
  return { type: 'presence', content, user_id: user.id, username: user.username, timestamp: now() };
}

export function roomCreatedFrame(room: Room): RoomCreatedFrame {
  return { type: 'room_created', room, timestamp: now() };
}
