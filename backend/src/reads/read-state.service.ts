import { BadRequestException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import type { ReadFrame } from '@chatstream/protocol';
import { Cluster } from '../cluster/cluster';
import { AppConfig } from '../config/app-config';
import type { Connection } from '../fanout/connection';
import { FanoutService } from '../fanout/fanout.service';
import type { MessageTarget } from '../messages/messages.repository';
import { MembershipService } from '../rooms/membership.service';
import { RoomsService } from '../rooms/rooms.service';
import { UsersService } from '../users/users.service';
import { ReadStateRepository } from './read-state.repository';

/** Seqs are stored as 32-bit integers; a pointer past every seq is capped at the last one anyway. */
const LARGEST_SEQ = 2 ** 31 - 1;

/**
 * Read pointers (accounts mode): one per user per room and per conversation,
 * moved only forward, never past the last seq; a move goes to the user's
 * other level-2 connections on every instance, so a second tab or device
 * clears its badge at once.
 */
@Injectable()
export class ReadStateService {
  constructor(
    private readonly repository: ReadStateRepository,
    private readonly rooms: RoomsService,
    private readonly membership: MembershipService,
    private readonly users: UsersService,
    private readonly fanout: FanoutService,
    private readonly cluster: Cluster,
    private readonly config: AppConfig,
  ) {}

  /**
   * Everything up to `seq` in the room (a member's) or the conversation with
   * `recipient` (a known user) has been read by the connection's user.
   */
  async read(conn: Connection, target: { room?: string; recipient?: string }, seq: number): Promise<void> {
    // Open mode proves nobody's identity: a read pointer there would be anyone's to move.
    if (this.config.auth !== 'accounts') throw new BadRequestException('read needs AUTH=accounts');
    if (!Number.isInteger(seq) || seq < 0) throw new BadRequestException('seq must be an integer >= 0');
    const room = target.room || undefined;
    const recipient = target.recipient || undefined;
    if ((room === undefined) === (recipient === undefined)) throw new BadRequestException('read needs exactly one of room and recipient');
    let where: MessageTarget;
    if (room !== undefined) {
      const lookup = this.rooms.ensure(room, conn.userId);
      if (lookup) await lookup;
      this.rooms.require(room);
      if (!this.membership.isMember(room, conn.userId)) throw new ForbiddenException(`not a member of room: ${room}`);
      where = { room };
    } else {
      const lookup = this.users.ensureKnown(recipient as string);
      if (lookup) await lookup;
      if (!this.users.isKnown(recipient as string)) throw new NotFoundException(`unknown recipient: ${recipient}`);
      where = { between: [conn.userId, recipient as string] };
    }
    const moved = await this.repository.markRead(conn.userId, where, Math.min(seq, LARGEST_SEQ));
    if (moved === undefined) return;
    const frame: ReadFrame = room !== undefined ? { type: 'read', room, seq: moved } : { type: 'read', recipient: recipient as string, seq: moved };
    this.cluster.publish({ t: 'level2', target: { users: [conn.userId] }, frame });
    this.fanout.toOtherConnections(conn, frame);
  }
}
