import { BadRequestException, ConflictException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { HISTORY_DEFAULT_LIMIT, MAX_CONTENT_LENGTH, type HistoryMessage, type MessageFrame } from '@chatstream/protocol';
import { Connection } from '../fanout/connection';
import { FanoutService } from '../fanout/fanout.service';
import { RoomSequencer } from '../fanout/room-sequencer';
import { Cluster } from '../cluster/cluster';
import { messageFrame, newId, now } from '../common/frames';
import { RateLimitedException } from '../common/rate-limited.exception';
import { MembershipService } from '../rooms/membership.service';
import { RoomsService } from '../rooms/rooms.service';
import { UsersService } from '../users/users.service';
import { MessageRateLimiter } from './message-rate-limiter';
import { MessageRecord, MessagesRepository, RoomMessageRecord, type StoredMessage } from './messages.repository';

export interface SendMessage {
  senderId: string;
  senderName: string;
  content: string;
  /** Exactly one of room and recipient. */
  room?: string;
  recipient?: string;
  /** The sender's idempotency key: a repeat answers the stored message instead of storing another. */
  clientId?: string;
}

/** Which page of a room's history. */
export interface HistoryPage {
  limit?: number;
  /** Older than this message id. */
  before?: string;
  /** With seq greater than this, oldest first. */
  after?: number;
}

/** Sending (from a socket or REST, one path) and reading messages. */
@Injectable()
export class MessagesService {
  constructor(
    private readonly repository: MessagesRepository,
    private readonly rooms: RoomsService,
    private readonly membership: MembershipService,
    private readonly users: UsersService,
    private readonly fanout: FanoutService,
    private readonly sequencer: RoomSequencer,
    private readonly cluster: Cluster,
    private readonly limiter: MessageRateLimiter,
  ) {}

  /**
   * Checks, stores, then delivers a message: to every connection receiving the
   * room, or to every connection of recipient and sender. Nothing is delivered
   * before it is stored. `origin`, the sending connection, always gets its copy.
   *
   * A repeat of a `clientId` the sender already used is not stored or
   * delivered again: `origin` alone gets the stored message's frame, and the
   * caller the stored frame; a repeat that differs from the stored message is
   * refused (409).
   */
  async send(input: SendMessage, origin?: Connection): Promise<MessageFrame> {
    const lookup = input.room ? this.rooms.ensure(input.room, input.senderId) : input.recipient ? this.users.ensureKnown(input.recipient) : undefined;
    if (lookup) await lookup;
    const message = this.accept(input);
    const stored = await this.repository.append(message);
    const frame = messageFrame(stored);
    if (stored.repeated) {
      if (!sameMessage(stored, message)) {
        throw new ConflictException(`client_id ${message.clientId} was already used for a different message`);
      }
      if (origin) this.fanout.toConnection(origin, frame);
      return frame;
    }
    if (frame.type === 'text') {
      const seq = stored.seq as number;
      this.cluster.publish({ t: 'message', seq, frame });
      this.sequencer.deliver(frame, seq, origin);
    } else {
      const users = [frame.recipient, frame.sender_id];
      this.cluster.publish({ t: 'users', users, frame });
      this.fanout.toUsers(users, frame);
    }
    return frame;
  }

  /** Settles every message queued for storage (shutdown). */
  drain(): Promise<void> {
    return this.repository.drain();
  }

  /**
   * A page of a room's history, oldest first: the newest `limit` messages, or
   * the newest older than message `before`, or the oldest with seq above `after`.
   */
  async history(roomId: string, { limit = HISTORY_DEFAULT_LIMIT, before, after }: HistoryPage = {}): Promise<HistoryMessage[]> {
    if (before !== undefined && after !== undefined) throw new BadRequestException('before and after cannot be combined');
    await this.rooms.ensure(roomId);
    this.rooms.require(roomId);
    const page =
      after !== undefined
        ? await this.repository.after(roomId, limit, after)
        : before === undefined
          ? await this.repository.history(roomId, limit)
          : await this.repository.historyBefore(roomId, limit, before);
    if (page === undefined) throw new BadRequestException(`before: no message ${before} in room ${roomId}`);
    return page.map((message: RoomMessageRecord) => messageFrame(message) as HistoryMessage);
  }

  /** The rules a message must pass before it is stored; synchronous so arrival order is store order. */
  private accept(input: SendMessage): MessageRecord {
    const { content } = input;
    if (content.trim().length === 0) throw new BadRequestException('content must not be empty');
    if (content.length > MAX_CONTENT_LENGTH) {
      throw new BadRequestException(`content must be at most ${MAX_CONTENT_LENGTH} characters`);
    }
    const room = input.room || undefined;
    const recipient = input.recipient || undefined;
    if ((room === undefined) === (recipient === undefined)) {
      throw new BadRequestException('a message needs exactly one of room and recipient');
    }
    const message: MessageRecord = {
      id: newId(),
      senderId: input.senderId,
      senderName: input.senderName,
      content,
      timestamp: now(),
    };
    if (input.clientId !== undefined) message.clientId = input.clientId;
    if (room !== undefined) {
      this.rooms.require(room);
      if (!this.membership.isMember(room, input.senderId)) throw new ForbiddenException(`not a member of room: ${room}`);
      message.room = room;
    } else if (recipient !== undefined) {
      if (!this.users.isKnown(recipient)) throw new NotFoundException(`unknown recipient: ${recipient}`);
      message.recipient = recipient;
    }
    // Last, so that only a message that would be stored uses up the sender's allowance.
    const retryAfterMs = this.limiter.take(input.senderId);
    if (retryAfterMs > 0) throw new RateLimitedException(retryAfterMs);
    return message;
  }
}

/** A repeat is the same message when it says the same thing to the same place. */
function sameMessage(stored: StoredMessage, repeat: MessageRecord): boolean {
  return stored.content === repeat.content && stored.room === repeat.room && stored.recipient === repeat.recipient;
}
