import { Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { UsersModule } from '../users/users.module';
import { ConversationsController } from './conversations.controller';
import { ConversationsService } from './conversations.service';

/** Private history (AUTH=accounts only: in open mode nobody's identity is proven, so nobody's history is served). */
@Module({})
export class ConversationsModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ConversationsModule,
      imports: [UsersModule],
      controllers: config.auth === 'accounts' ? [ConversationsController] : [],
      providers: [ConversationsService],
    };
  }
}
