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
}

/** A room message with its place in the room's history. */
export interface RoomMessageRecord extends MessageRecord {
  room: string;
  /** Position in the room, from 1; the delivery and history order. */
  seq: number;
}

/** Storage of messages. DI token; see `storage/`. */
export abstract class MessagesRepository {
  /**
   * Stores a message. The returned promise settles once the message is
   * durable; messages of one room get increasing `seq` in the order this
   * method was called, and their promises settle in that order.
   */
  abstract append(message: MessageRecord): Promise<MessageRecord & { seq?: number }>;
  /** Settles every append made so far (shutdown). */
  abstract drain(): Promise<void>;
  /** `seq` of message `id` in `room`, or undefined when the room has no such message. */
  abstract seqOf(room: string, id: string): Promise<number | undefined>;
  /** The messages of `room` with `fromSeq <= seq < toSeq`, in seq order (fills a gap in delivery). */
  abstract range(room: string, fromSeq: number, toSeq: number): Promise<RoomMessageRecord[]>;
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
