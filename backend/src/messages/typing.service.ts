import { BadRequestException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { TYPING_THROTTLE_MS, type TypingFrame } from '@chatstream/protocol';
import { Cluster } from '../cluster/cluster';
import { Clock } from '../common/clock';
import { FanoutService } from '../fanout/fanout.service';
import type { Connection } from '../fanout/connection';
import { MembershipService } from '../rooms/membership.service';
import { RoomsService } from '../rooms/rooms.service';
import { UsersService } from '../users/users.service';

/** Entries kept before the old ones are swept (one per user and target typed to in the last 2 s). */
const SWEEP_AT = 10_000;

/**
 * "… is typing": never stored, forwarded at most once every 2 s per user and
 * target (per instance), to the other members' (or the other person's)
 * level-2 connections, never to the typist's own.
 */
@Injectable()
export class TypingService {
  private readonly lastForwarded = new Map<string, number>();

  constructor(
    private readonly rooms: RoomsService,
    private readonly membership: MembershipService,
    private readonly users: UsersService,
    private readonly fanout: FanoutService,
    private readonly cluster: Cluster,
    private readonly clock: Clock,
  ) {}

  async typing(conn: Connection, target: { room?: string; recipient?: string }): Promise<void> {
    const room = target.room || undefined;
    const recipient = target.recipient || undefined;
    if ((room === undefined) === (recipient === undefined)) throw new BadRequestException('typing needs exactly one of room and recipient');
    const lookup = room !== undefined ? this.rooms.ensure(room, conn.userId) : this.users.ensureKnown(recipient as string);
    if (lookup) await lookup;
    if (room !== undefined) {
      this.rooms.require(room);
      if (!this.membership.isMember(room, conn.userId)) throw new ForbiddenException(`not a member of room: ${room}`);
    } else if (!this.users.isKnown(recipient as string)) {
      throw new NotFoundException(`unknown recipient: ${recipient}`);
    }
    const key = JSON.stringify([conn.userId, room ?? '', recipient ?? '']);
    const at = this.clock.now();
    const last = this.lastForwarded.get(key);
    if (last !== undefined && at - last < TYPING_THROTTLE_MS) return;
    this.remember(key, at);
    const who = { user_id: conn.userId, username: conn.username };
    const frame: TypingFrame = room !== undefined ? { type: 'typing', room, ...who } : { type: 'typing', recipient: recipient as string, ...who };
    const to = room !== undefined ? { room } : { users: [recipient as string] };
    this.cluster.publish({ t: 'level2', target: to, except: conn.userId, frame });
    this.fanout.toLevel2Of(to, frame, conn.userId);
  }

  private remember(key: string, at: number): void {
    if (this.lastForwarded.size >= SWEEP_AT) {
      for (const [k, t] of this.lastForwarded) if (at - t >= TYPING_THROTTLE_MS) this.lastForwarded.delete(k);
    }
    this.lastForwarded.set(key, at);
  }
}
