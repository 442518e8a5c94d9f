import { Module } from '@nestjs/common';
import { RoomsModule } from '../rooms/rooms.module';
import { UsersModule } from '../users/users.module';
import { ReadStateService } from './read-state.service';

@Module({
  imports: [RoomsModule, UsersModule],
  providers: [ReadStateService],
  exports: [ReadStateService],
})
export class ReadsModule {}
