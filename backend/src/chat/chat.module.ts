import { Module } from '@nestjs/common';
import { MessagesModule } from '../messages/messages.module';
import { ReadsModule } from '../reads/reads.module';
import { RoomsModule } from '../rooms/rooms.module';
import { UsersModule } from '../users/users.module';
import { ClusterEvents } from '../cluster/cluster-events';
import { ChatGateway } from './chat.gateway';

@Module({
  imports: [RoomsModule, UsersModule, MessagesModule, ReadsModule],
  providers: [ChatGateway, ClusterEvents],
})
export class ChatModule {}
