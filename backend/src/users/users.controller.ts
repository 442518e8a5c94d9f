import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import type { OnlineUser, UsersResponse } from '@chatstream/protocol';
import { UsersService } from './users.service';

class OnlineUserDto implements OnlineUser {
  @ApiProperty() id!: string;
  @ApiProperty() username!: string;
  @ApiPropertyOptional({ description: 'Current room of a seed-level connection that has one' }) room?: string;
}

class UsersResponseDto implements UsersResponse {
  @ApiProperty({ type: [OnlineUserDto] }) users!: OnlineUserDto[];
}

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOkResponse({ type: UsersResponseDto, description: 'Users online now' })
  async list(): Promise<UsersResponse> {
    return { users: await this.users.online() };
  }
}
