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
   */
  abstract append(message: MessageRecord): Promise<StoredMessage>;
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
