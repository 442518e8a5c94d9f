import type { MessageRecord } from '../messages/messages.repository';

/** A private conversation of one user: the other person and the newest message between them. */
export interface ConversationRecord {
  other: { id: string; username: string };
  lastMessage: MessageRecord;
}

/**
 * Reading private messages by conversation. DI token; see `storage/`.
 * Messages of one conversation are ordered by their `seq` (the order they were stored in).
 */
export abstract class ConversationsRepository {
  /** The user's conversations, most recent first. */
  abstract list(userId: string): Promise<ConversationRecord[]>;
  /**
   * The newest `limit` messages between `userId` and `otherId` (older than
   * message `beforeId` when given), oldest first; undefined when `beforeId`
   * is not a message of this conversation.
   */
  abstract page(userId: string, otherId: string, limit: number, beforeId?: string): Promise<MessageRecord[] | undefined>;
}
