import { Module } from '@nestjs/common';
import { RoomsController } from './rooms.controller';
import { MembershipService } from './membership.service';
import { RoomsService } from './rooms.service';

@Module({
  controllers: [RoomsController],
  providers: [RoomsService, MembershipService],
  exports: [RoomsService, MembershipService],
})
export class RoomsModule {}
