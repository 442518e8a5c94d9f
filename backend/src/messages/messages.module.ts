import { Module } from '@nestjs/common';
import { RoomsModule } from '../rooms/rooms.module';
import { UsersModule } from '../users/users.module';
import { AppConfig } from '../config/app-config';
import { MessageRateLimiter } from './message-rate-limiter';
import { MessagesController } from './messages.controller';
import { MessagesService } from './messages.service';
import { TypingService } from './typing.service';
import { Clock, SystemClock } from '../common/clock';

@Module({
  imports: [RoomsModule, UsersModule],
  controllers: [MessagesController],
  providers: [
    MessagesService,
    TypingService,
    { provide: Clock, useClass: SystemClock },
    {
      provide: MessageRateLimiter,
      useFactory: (config: AppConfig) => new MessageRateLimiter(config.rateMessageBurst, config.rateMessagesPerSecond),
      inject: [AppConfig],
    },
  ],
  exports: [MessagesService, TypingService],
})
export class MessagesModule {}
