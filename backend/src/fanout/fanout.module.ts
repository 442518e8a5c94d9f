import { Global, Module } from '@nestjs/common';
import { FanoutService } from './fanout.service';
import { RoomSequencer } from './room-sequencer';

/** The connection registry and fan-out, used by every feature that sends frames. */
@Global()
@Module({ providers: [FanoutService, RoomSequencer], exports: [FanoutService, RoomSequencer] })
export class FanoutModule {}
