import type { MessageTarget } from '../messages/messages.repository';

/** A user's read state of one room or conversation. */
export interface ReadCounts {
  lastReadSeq: number;
  /** Messages of others after the pointer, not deleted. */
  unread: number;
  /** Of those, the ones that mention the user. */
  unreadMentions: number;
}

/** Read pointers and unread counts. DI token; see `storage/`. */
export abstract class ReadStateRepository {
  /**
   * Moves the user's pointer in `target` to `seq`, capped at the target's last
   * seq, in one statement; never back. Answers the pointer when it moved,
   * undefined when it did not (already there or further, or nothing stored).
   */
  abstract markRead(userId: string, target: MessageTarget, seq: number): Promise<number | undefined>;
  /** A first join: the pointer starts at the room's last seq (what came before joining is not news); an existing pointer stays. */
  abstract startAt(userId: string, room: string): Promise<void>;
  /** The user's read state of each room they are a member of, by room id. */
  abstract roomStates(userId: string): Promise<Map<string, ReadCounts>>;
  /** The user's read state of the conversations with `otherIds`, by the other user's id. */
  abstract conversationStates(userId: string, otherIds: string[]): Promise<Map<string, ReadCounts>>;
}
