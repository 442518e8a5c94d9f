import { Global, Module } from '@nestjs/common';
import { MessagesRepository } from '../messages/messages.repository';
import { RoomsRepository } from '../rooms/rooms.repository';
import { UsersRepository } from '../users/users.repository';
import { MemoryMessagesRepository, MemoryRoomsRepository, MemoryUsersRepository } from './memory/memory.repositories';

/** Provides the repositories every feature module stores through. */
@Global()
@Module({
  providers: [
    { provide: RoomsRepository, useClass: MemoryRoomsRepository },
    { provide: UsersRepository, useClass: MemoryUsersRepository },
    { provide: MessagesRepository, useClass: MemoryMessagesRepository },
  ],
  exports: [RoomsRepository, UsersRepository, MessagesRepository],
})
export class StorageModule {}
