import { Module, type DynamicModule } from '@nestjs/common';
import { AuthModule } from './auth/auth.module';
import { ChatModule } from './chat/chat.module';
import { FanoutModule } from './fanout/fanout.module';
import { ClusterModule } from './cluster/cluster.module';
import { AppConfig } from './config/app-config';
import { ConversationsModule } from './conversations/conversations.module';
import { HealthController } from './health/health.controller';
import { MessagesModule } from './messages/messages.module';
import { RoomsModule } from './rooms/rooms.module';
import type { OpenDatabase } from './storage/database';
import { SearchModule } from './search/search.module';
import { StorageModule } from './storage/storage.module';
import { UsersModule } from './users/users.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, database?: OpenDatabase): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        StorageModule.forRoot(database),
        ClusterModule.forRoot(config),
        FanoutModule,
        AuthModule.forRoot(config),
        RoomsModule,
        UsersModule,
        MessagesModule,
        ConversationsModule.forRoot(config),
        ChatModule,
        SearchModule,
      ],
      controllers: [HealthController],
      providers: [{ provide: AppConfig, useValue: config }],
      exports: [AppConfig],
    };
  }
}
