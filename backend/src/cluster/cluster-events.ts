import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { SessionsService } from '../auth/sessions.service';
import { FanoutService } from '../fanout/fanout.service';
import { RoomSequencer } from '../fanout/room-sequencer';
import { MembershipService } from '../rooms/membership.service';
import { RoomsService } from '../rooms/rooms.service';
import { UsersService } from '../users/users.service';
import { Cluster, type ClusterEvent } from './cluster';

/** Applies what other instances tell: the same effects as if it had happened here, for this instance's sockets. */
@Injectable()
export class ClusterEvents implements OnModuleInit {
  private readonly logger = new Logger('Cluster');

  constructor(
    private readonly cluster: Cluster,
    private readonly rooms: RoomsService,
    private readonly membership: MembershipService,
    private readonly users: UsersService,
    private readonly fanout: FanoutService,
    private readonly sequencer: RoomSequencer,
    private readonly sessions: SessionsService,
  ) {}

  onModuleInit(): void {
    this.cluster.onEvent((event) => this.apply(event));
  }

  apply(event: ClusterEvent): void {
    switch (event.t) {
      case 'message':
        return this.sequencer.deliver(event.frame, event.seq);
      case 'users':
        return this.fanout.toUsers(event.users, event.frame);
      case 'level2':
        return this.fanout.toLevel2Of(event.target, event.frame, event.except);
      case 'member':
        return this.rooms.applyMembership(event.joined, event.room, event.user, event.frame);
      case 'room':
        return this.rooms.applyRoom(event.room);
      case 'presence':
        return this.users.applyPresence(event.content, event.user, event.username);
      case 'known':
        return this.users.applyKnown(event.user, event.username);
      case 'session_ended':
        return this.sessions.applyEnded(event.session);
      case 'resync':
        return void this.membership.reconcile().catch((error: unknown) => this.logger.warn(`membership check after the relay came back failed: ${String(error)}`));
    }
  }
}
