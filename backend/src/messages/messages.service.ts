import { BadRequestException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { HISTORY_DEFAULT_LIMIT, MAX_CONTENT_LENGTH, type HistoryMessage, type MessageFrame } from '@chatstream/protocol';
import { Connection } from '../fanout/connection';
import { FanoutService } from '../fanout/fanout.service';
import { RoomSequencer } from '../fanout/room-sequencer';
import { Cluster } from '../cluster/cluster';
import { messageFrame, newId, now } from '../common/frames';
import { RateLimitedException } from '../common/rate-limited.exception';
import { RoomsService } from '../rooms/rooms.service';
import { UsersService } from '../users/users.service';
import { MessageRateLimiter } from './message-rate-limiter';
import { MessageRecord, MessagesRepository, RoomMessageRecord } from './messages.repository';

export interface SendMessage {
  senderId: string;
  senderName: string;
  content: string;
  /** Exactly one of room and recipient. */
  room?: string;
  recipient?: string;
}

/** Sending (from a socket or REST, one path) and reading messages. */
@Injectable()
export class MessagesService {
  constructor(
    private readonly repository: MessagesRepository,
    private readonly rooms: RoomsService,
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
   */
  async send(input: SendMessage, origin?: Connection): Promise<MessageFrame> {
    const lookup = input.room ? this.rooms.ensure(input.room, input.senderId) : input.recipient ? this.users.ensureKnown(input.recipient) : undefined;
    if (lookup) await lookup;
    const message = this.accept(input);
    const stored = await this.repository.append(message);
    const frame = messageFrame(stored);
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

  /** The newest `limit` messages of a room (older than message `before` if given), oldest first. */
  async history(roomId: string, limit = HISTORY_DEFAULT_LIMIT, before?: string): Promise<HistoryMessage[]> {
    await this.rooms.ensure(roomId);
    this.rooms.require(roomId);
    const page =
      before === undefined ? await this.repository.history(roomId, limit) : await this.repository.historyBefore(roomId, limit, before);
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
    if (room !== undefined) {
      this.rooms.require(room);
      if (!this.rooms.isMember(room, input.senderId)) throw new ForbiddenException(`not a member of room: ${room}`);
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
