import { Global, Module } from '@nestjs/common';
import { FanoutService } from './fanout.service';

/** The connection registry and fan-out, used by every feature that sends frames. */
@Global()
@Module({ providers: [FanoutService], exports: [FanoutService] })
export class FanoutModule {}
