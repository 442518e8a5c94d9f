import { BadRequestException, ConflictException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import {
  HISTORY_DEFAULT_LIMIT,
  MAX_REACTIONS_PER_MESSAGE,
  type HistoryMessage,
  type MessageFrame,
  type MessageUpdatedFrame,
} from '@chatstream/protocol';
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
import { checkContent, checkEmoji, mentionsIn } from './message-rules';
import { MessageChange, MessageRecord, MessagesRepository, RoomMessageRecord, type StoredMessage } from './messages.repository';

export interface SendMessage {
  senderId: string;
  senderName: string;
  content: string;
  /** Exactly one of room and recipient. */
  room?: string;
  recipient?: string;
  /** The sender's idempotency key: a repeat answers the stored message instead of storing another. */
  clientId?: string;
  /** Answers this message in its thread. */
  replyTo?: string;
}

/** Who asks for a change: from the session or the connection, never from a frame or body. */
export interface Actor {
  userId: string;
}

/** Which page of a room's history. */
export interface HistoryPage {
  limit?: number;
  /** Older than this message id. */
  before?: string;
  /** With seq greater than this, oldest first. */
  after?: number;
  /** Changed (rev) after this, oldest change first; combines with no other paging parameter. */
  changedAfter?: number;
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
    // Only a reply, or a message sent while its sender's reply is being checked, waits (no await on the plain path).
    const parentLookup = input.replyTo !== undefined || this.replyLookups.has(input.senderId) ? this.parentLookup(input) : undefined;
    const parent = parentLookup ? await parentLookup : undefined;
    const message = this.accept(input);
    if (parent) this.checkParent(message, parent);
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
    if (stored.replyTo !== undefined) await this.announceParent(stored.replyTo);
    return frame;
  }

  /**
   * A reply waits for its parent to be read; a later message of the same
   * sender waits for that too, so one sender's messages are stored in the
   * order sent.
   */
  private readonly replyLookups = new Map<string, Promise<StoredMessage | undefined>>();

  private async parentLookup(input: SendMessage): Promise<StoredMessage | undefined> {
    const earlier = this.replyLookups.get(input.senderId);
    if (input.replyTo === undefined) {
      if (earlier) await earlier.catch(() => undefined);
      return undefined;
    }
    const replyTo = input.replyTo;
    const lookup = (earlier ?? Promise.resolve(undefined)).catch(() => undefined).then(() => this.repository.find(replyTo));
    this.replyLookups.set(input.senderId, lookup);
    try {
      const parent = await lookup;
      if (!parent) throw new NotFoundException(`reply_to: unknown message ${replyTo}`);
      return parent;
    } finally {
      if (this.replyLookups.get(input.senderId) === lookup) this.replyLookups.delete(input.senderId);
    }
  }

  /** One-level threads, in one room or conversation; a private message one cannot read is unknown. */
  private checkParent(message: MessageRecord, parent: StoredMessage): void {
    const samePlace =
      message.room !== undefined
        ? parent.room === message.room
        : parent.room === undefined &&
          ((parent.senderId === message.senderId && parent.recipient === message.recipient) ||
            (parent.senderId === message.recipient && parent.recipient === message.senderId));
    if (!samePlace) {
      if (!this.canRead(parent, message.senderId)) throw new NotFoundException(`reply_to: unknown message ${parent.id}`);
      throw new BadRequestException('reply_to must be a message of the same room or conversation');
    }
    if (parent.replyTo !== undefined) throw new BadRequestException('reply_to must not be a reply: threads are one level deep');
    if (parent.deleted) throw new ConflictException('reply_to: the message was deleted');
  }

  private async announceParent(parentId: string): Promise<void> {
    const parent = await this.repository.find(parentId);
    if (parent) this.announce(parent);
  }

  /** Replaces the text of the actor's own message; 404 unknown, 403 not theirs, 409 deleted, 400 bad content. */
  async edit(actor: Actor, id: string, content: string): Promise<MessageFrame> {
    checkContent(content);
    const mentions = this.mentionsIn(content);
    return this.change(actor, id, (current) => {
      this.requireOwn(actor, current);
      if (current.deleted) throw new ConflictException('the message was deleted');
      if (current.content === content) return undefined;
      return { kind: 'edit', content, mentions, at: now() };
    });
  }

  /** Deletes the actor's own message: a tombstone stays in its place. Deleting it again changes nothing. */
  async remove(actor: Actor, id: string): Promise<MessageFrame> {
    return this.change(actor, id, (current) => {
      this.requireOwn(actor, current);
      return current.deleted ? undefined : { kind: 'delete' };
    });
  }

  /** Adds the actor's reaction (idempotent); 409 on a deleted message or a 21st distinct emoji. */
  async react(actor: Actor, id: string, emoji: string): Promise<MessageFrame> {
    checkEmoji(emoji);
    return this.change(actor, id, (current) => {
      this.requireCanReact(actor, current);
      if (current.deleted) throw new ConflictException('the message was deleted');
      const reactions = current.reactions ?? [];
      const group = reactions.find((r) => r.emoji === emoji);
      if (group?.user_ids.includes(actor.userId)) return undefined;
      if (!group && reactions.length >= MAX_REACTIONS_PER_MESSAGE) {
        throw new ConflictException(`a message has at most ${MAX_REACTIONS_PER_MESSAGE} different emoji`);
      }
      return { kind: 'react', userId: actor.userId, emoji };
    });
  }

  /** Removes the actor's reaction; removing one they have not changes nothing. */
  async unreact(actor: Actor, id: string, emoji: string): Promise<MessageFrame> {
    checkEmoji(emoji);
    return this.change(actor, id, (current) => {
      this.requireCanReact(actor, current);
      const has = (current.reactions ?? []).some((r) => r.emoji === emoji && r.user_ids.includes(actor.userId));
      return has ? { kind: 'unreact', userId: actor.userId, emoji } : undefined;
    });
  }

  /** The replies of a message the user may read, oldest first. */
  async replies(userId: string, id: string, { limit = HISTORY_DEFAULT_LIMIT, after = 0 }: { limit?: number; after?: number } = {}): Promise<MessageFrame[]> {
    const parent = await this.repository.find(id);
    if (!parent || !this.canRead(parent, userId)) throw new NotFoundException(`unknown message: ${id}`);
    return (await this.repository.replies(id, limit, after)).map((message) => messageFrame(message));
  }

  /** Private messages between two users changed after `rev` (the conversations routes check who asks). */
  async conversationChangedAfter(between: [string, string], rev: number, limit = HISTORY_DEFAULT_LIMIT): Promise<MessageFrame[]> {
    return (await this.repository.changedAfter({ between }, rev, limit)).map((message) => messageFrame(message));
  }

  /** Private messages between two users with seq above `after`, oldest first. */
  async conversationAfter(between: [string, string], after: number, limit = HISTORY_DEFAULT_LIMIT): Promise<MessageFrame[]> {
    return (await this.repository.conversationAfter(between, limit, after)).map((message) => messageFrame(message));
  }

  private async change(actor: Actor, id: string, decide: (current: StoredMessage) => MessageChange | undefined): Promise<MessageFrame> {
    const result = await this.repository.change(id, (current) => {
      if (!this.canRead(current, actor.userId)) throw new NotFoundException(`unknown message: ${id}`);
      return decide(current);
    });
    if (!result) throw new NotFoundException(`unknown message: ${id}`);
    if (result.changed) this.announce(result.message);
    return messageFrame(result.message);
  }

  /** `message_updated`, serialized once, to every level-2 connection receiving the room or conversation, on every instance. */
  private announce(message: StoredMessage): void {
    const frame: MessageUpdatedFrame = { type: 'message_updated', message: messageFrame(message) };
    const target = message.room !== undefined ? { room: message.room } : { users: [message.senderId, message.recipient ?? ''] };
    this.cluster.publish({ t: 'level2', target, frame });
    this.fanout.toLevel2Of(target, frame);
  }

  /** Room messages are public (their history is); a private one is its two participants'. */
  private canRead(message: StoredMessage, userId: string): boolean {
    return message.room !== undefined || message.senderId === userId || message.recipient === userId;
  }

  private requireOwn(actor: Actor, message: StoredMessage): void {
    if (message.senderId !== actor.userId) throw new ForbiddenException('not your message');
  }

  /** Reacting writes to the room: its members only. */
  private requireCanReact(actor: Actor, message: StoredMessage): void {
    if (message.room !== undefined && !this.membership.isMember(message.room, actor.userId)) {
      throw new ForbiddenException(`not a member of room: ${message.room}`);
    }
  }

  private mentionsIn(content: string): string[] {
    return mentionsIn(content, (name) => this.users.idsNamed(name));
  }

  /** Settles every message queued for storage (shutdown). */
  drain(): Promise<void> {
    return this.repository.drain();
  }

  /**
   * A page of a room's history, oldest first: the newest `limit` messages, or
   * the newest older than message `before`, or the oldest with seq above `after`.
   */
  async history(roomId: string, { limit = HISTORY_DEFAULT_LIMIT, before, after, changedAfter }: HistoryPage = {}): Promise<HistoryMessage[]> {
    if (before !== undefined && after !== undefined) throw new BadRequestException('before and after cannot be combined');
    if (changedAfter !== undefined && (before !== undefined || after !== undefined)) {
      throw new BadRequestException('changed_after cannot be combined with before or after');
    }
    await this.rooms.ensure(roomId);
    this.rooms.require(roomId);
    const page =
      changedAfter !== undefined
        ? ((await this.repository.changedAfter({ room: roomId }, changedAfter, limit)) as RoomMessageRecord[])
        : after !== undefined
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
    checkContent(content);
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
    if (input.replyTo !== undefined) message.replyTo = input.replyTo;
    const mentions = this.mentionsIn(content);
    if (mentions.length > 0) message.mentions = mentions;
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
