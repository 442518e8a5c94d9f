import { Body, Controller, Get, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { CreateRoomResponse, RoomsResponse } from '@chatstream/protocol';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/decorators';
import { ErrorResponseDto } from '../common/error-response.dto';
import { CreateRoomDto, CreateRoomResponseDto, RoomsResponseDto } from './dto/rooms.dto';
import { RoomsService } from './rooms.service';

@ApiTags('rooms')
@Controller('rooms')
export class RoomsController {
  constructor(private readonly rooms: RoomsService) {}

  @Get()
  @ApiOkResponse({ type: RoomsResponseDto, description: 'Every room with its member count; in accounts mode with the signed-in user\'s last_read_seq, unread and unread_mentions' })
  async list(@CurrentUser() user: AuthUser | undefined): Promise<RoomsResponse> {
    return { rooms: user ? await this.rooms.listFor(user.id) : await this.rooms.list() };
  }

  @Post()
  @ApiCreatedResponse({ type: CreateRoomResponseDto, description: 'The new room; its creator is not a member until it joins' })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Missing, blank or too long name; unknown fields' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The name is taken (case-insensitive)' })
  async create(@Body() body: CreateRoomDto): Promise<CreateRoomResponse> {
    return { room: await this.rooms.create(body.name, body.description) };
  }
}
