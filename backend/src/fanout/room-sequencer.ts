import { Injectable, Logger } from '@nestjs/common';
import type { RoomMessageFrame } from '@chatstream/protocol';
import { messageFrame } from '../common/frames';
import { MessagesRepository } from '../messages/messages.repository';
import type { Connection } from './connection';
import { FanoutService } from './fanout.service';

/** How long a room waits for a missing seq before reading it from storage. */
export const GAP_WAIT_MS = 100;

interface Waiting {
  frame: RoomMessageFrame;
  origin?: Connection;
}

interface RoomState {
  /** The seq the room's subscribers get next. */
  next: number;
  waiting: Map<number, Waiting>;
  timer?: NodeJS.Timeout;
}

/**
 * Delivers each room's messages to this instance's connections in seq order,
 * which is the history order. On one instance messages commit in order and
 * pass straight through; with several, a message committed elsewhere can
 * overtake one of ours (or get lost on the way): a later seq waits briefly,
 * then the gap is read from storage.
 */
@Injectable()
export class RoomSequencer {
  private readonly logger = new Logger(RoomSequencer.name);
  private readonly rooms = new Map<string, RoomState>();

  constructor(
    private readonly fanout: FanoutService,
    private readonly messages: MessagesRepository,
  ) {}

  /** The room's newest delivered seq as storage knows it (at start, or for a new room: 0). */
  start(room: string, lastSeq: number): void {
    if (!this.rooms.has(room)) this.rooms.set(room, { next: lastSeq + 1, waiting: new Map() });
  }

  /** A committed room message, from this instance or another. `origin` always gets its copy. */
  deliver(frame: RoomMessageFrame, seq: number, origin?: Connection): void {
    let state = this.rooms.get(frame.room);
    if (!state) this.rooms.set(frame.room, (state = { next: seq, waiting: new Map() }));
    if (seq < state.next || state.waiting.has(seq)) return; // already delivered or waiting: a duplicate
    if (seq > state.next) {
      state.waiting.set(seq, { frame, origin });
      state.timer ??= setTimeout(() => void this.fillGap(frame.room), GAP_WAIT_MS);
      return;
    }
    this.send(frame, origin);
    state.next++;
    this.drain(frame.room, state);
  }

  private drain(room: string, state: RoomState): void {
    for (let waiting = state.waiting.get(state.next); waiting; waiting = state.waiting.get(state.next)) {
      state.waiting.delete(state.next);
      this.send(waiting.frame, waiting.origin);
      state.next++;
    }
    if (state.waiting.size === 0 && state.timer) {
      clearTimeout(state.timer);
      state.timer = undefined;
    } else if (state.waiting.size > 0 && !state.timer) {
      state.timer = setTimeout(() => void this.fillGap(room), GAP_WAIT_MS);
    }
  }

  private async fillGap(room: string): Promise<void> {
    const state = this.rooms.get(room);
    if (!state) return;
    state.timer = undefined;
    if (state.waiting.size === 0) return;
    const upTo = Math.min(...state.waiting.keys());
    try {
      const missing = await this.messages.range(room, state.next, upTo);
      for (const message of missing) {
        if (message.seq === state.next) {
          this.send(messageFrame(message) as RoomMessageFrame);
          state.next++;
        }
      }
    } catch (error) {
      this.logger.warn(`could not read messages ${state.next}..${upTo - 1} of room ${room}: ${String(error)}`);
    }
    if (state.next < upTo) {
      this.logger.warn(`room ${room}: seq ${state.next}..${upTo - 1} not found; skipping ahead`);
      state.next = upTo;
    }
    this.drain(room, state);
  }

  private send(frame: RoomMessageFrame, origin?: Connection): void {
    const subscribers = this.fanout.subscribers(frame.room);
    this.fanout.toConnections(subscribers, frame);
    if (origin && !subscribers.has(origin)) this.fanout.toConnection(origin, frame);
  }
}
