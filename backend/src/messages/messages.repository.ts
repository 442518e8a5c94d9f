import type { Reaction } from '@chatstream/protocol';

/** A message as stored: to a room, or private to a recipient. */
export interface MessageRecord {
  id: string;
  senderId: string;
  senderName: string;
  content: string;
  /** ISO-8601 UTC. */
  timestamp: string;
  room?: string;
  recipient?: string;
  /** The sender's idempotency key: unique per sender. */
  clientId?: string;
  /** The message this one answers (same room or conversation, not itself a reply). */
  replyTo?: string;
  /** Ids of the users named in `content`, resolved when stored. */
  mentions?: string[];
  /** State that changes after it is stored; absent on a new message. */
  editedAt?: string | null;
  deleted?: boolean;
  replyCount?: number;
  reactions?: Reaction[];
  /** The room's or conversation's change counter at this message's last change. */
  rev?: number;
}

/**
 * What `append` answers: the message as stored, with its seq for a room
 * message. `repeated`: the sender had already used this `clientId`, and this
 * is the message stored under it then (which may differ from the one asked).
 */
export interface StoredMessage extends MessageRecord {
  seq?: number;
  repeated?: boolean;
}

/** A room message with its place in the room's history. */
export interface RoomMessageRecord extends MessageRecord {
  room: string;
  /** Position in the room, from 1; the delivery and history order. */
  seq: number;
}

/** What a change does to a message; the service decides it from the current state (see `MessagesRepository.change`). */
export type MessageChange =
  | { kind: 'edit'; content: string; mentions: string[]; at: string }
  | { kind: 'delete' }
  | { kind: 'react' | 'unreact'; userId: string; emoji: string };

/** Where a message lives, for the change counter and `changed_after`: a room, or the conversation of two users. */
export type MessageTarget = { room: string } | { between: [string, string] };

/** The key of the conversation between two users, whichever of them wrote. */
export function conversationKey(a: string, b: string): string {
  return a < b ? `${a}\u001f${b}` : `${b}\u001f${a}`;
}

/**
 * `message` after `change` took `rev`: the one place the state rules of a
 * change live, shared by every storage. Reactions stay in order of first use
 * (an emoji whose last reaction goes and comes back is used anew, at the end).
 */
export function applyChange(message: StoredMessage, change: MessageChange, rev: number): StoredMessage {
  const next: StoredMessage = { ...message, rev };
  switch (change.kind) {
    case 'edit':
      return { ...next, content: change.content, mentions: change.mentions, editedAt: change.at };
    case 'delete':
      return { ...next, content: '', mentions: [], deleted: true };
    case 'react': {
      const reactions = (message.reactions ?? []).map((r) => ({ ...r, user_ids: [...r.user_ids] }));
      const group = reactions.find((r) => r.emoji === change.emoji);
      if (group) {
        group.user_ids.push(change.userId);
        group.count = group.user_ids.length;
      } else {
        reactions.push({ emoji: change.emoji, count: 1, user_ids: [change.userId] });
      }
      return { ...next, reactions };
    }
    case 'unreact': {
      const reactions = (message.reactions ?? [])
        .map((r) => {
          const user_ids = r.user_ids.filter((id) => id !== change.userId);
          return { emoji: r.emoji, count: user_ids.length, user_ids };
        })
        .filter((r, i) => r.count > 0 || (message.reactions ?? [])[i].emoji !== change.emoji);
      return { ...next, reactions };
    }
  }
}

/** Storage of messages. DI token; see `storage/`. */
export abstract class MessagesRepository {
  /**
   * Stores a message. The returned promise settles once the message is
   * durable; messages of one room get increasing `seq` in the order this
   * method was called, and their promises settle in that order. A message
   * whose (senderId, clientId) is already stored, or queued before it, is not
   * stored again: it resolves to the stored one, marked `repeated`; this is
   * decided in the transaction that would store it, so concurrent repeats
   * (other connections, other instances) store one message.
   *
   * Every message takes the next `rev` of its room or conversation, and a
   * private message the next `seq` of its conversation. A reply also moves
   * its parent's `reply_count`, a change of the parent with its own rev
   * (the parent must exist: the service checked it).
   */
  abstract append(message: MessageRecord): Promise<StoredMessage>;
  /** The message with this id, in its current state. */
  abstract find(id: string): Promise<StoredMessage | undefined>;
  /**
   * Changes message `id` in one transaction with its room's or
   * conversation's counter: `decide` sees the current state (no other change
   * of that room or conversation runs meanwhile) and answers the change, or
   * undefined for none (nothing stored, no rev taken), or throws to refuse.
   * Answers the message after the change, and whether it changed; undefined
   * when there is no such message.
   */
  abstract change(id: string, decide: (current: StoredMessage) => MessageChange | undefined): Promise<{ message: StoredMessage; changed: boolean } | undefined>;
  /** Up to `limit` messages of the target whose rev is above `afterRev`, in their current state, oldest change first. */
  abstract changedAfter(target: MessageTarget, afterRev: number, limit: number): Promise<StoredMessage[]>;
  /** The oldest `limit` replies to message `parentId` with seq above `afterSeq`, oldest first. */
  abstract replies(parentId: string, limit: number, afterSeq: number): Promise<StoredMessage[]>;
  /** The oldest `limit` messages between two users with seq above `afterSeq`, oldest first. */
  abstract conversationAfter(between: [string, string], limit: number, afterSeq: number): Promise<StoredMessage[]>;
  /** Settles every append made so far (shutdown). */
  abstract drain(): Promise<void>;
  /** `seq` of message `id` in `room`, or undefined when the room has no such message. */
  abstract seqOf(room: string, id: string): Promise<number | undefined>;
  /** The messages of `room` with `fromSeq <= seq < toSeq`, in seq order (fills a gap in delivery). */
  abstract range(room: string, fromSeq: number, toSeq: number): Promise<RoomMessageRecord[]>;
  /** The oldest `limit` messages of `room` with seq above `afterSeq`, oldest first. */
  abstract after(room: string, limit: number, afterSeq: number): Promise<RoomMessageRecord[]>;
  /** The newest `limit` messages of `room` with seq below `beforeSeq` (all when absent), oldest first. */
  abstract history(room: string, limit: number, beforeSeq?: number): Promise<RoomMessageRecord[]>;
  /**
   * The newest `limit` messages of `room` older than message `beforeId`,
   * oldest first; undefined when the room has no such message.
   */
  async historyBefore(room: string, limit: number, beforeId: string): Promise<RoomMessageRecord[] | undefined> {
    const beforeSeq = await this.seqOf(room, beforeId);
    return beforeSeq === undefined ? undefined : this.history(room, limit, beforeSeq);
  }
}
