import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH, type CreateRoomRequest, type Room } from '@chatstream/protocol';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { IsSafeContent, IsSafeName } from '../../common/validation/text-rules';

export class CreateRoomDto implements CreateRoomRequest {
  @ApiProperty({ example: 'Random', maxLength: MAX_NAME_LENGTH, description: 'Unique, case-insensitively' })
  @IsString()
  @Matches(/\S/, { message: 'name must not be empty' })
  @MaxLength(MAX_NAME_LENGTH)
  @IsSafeName()
  name!: string;

  @ApiPropertyOptional({ example: 'Anything goes', maxLength: MAX_DESCRIPTION_LENGTH })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_DESCRIPTION_LENGTH)
  @IsSafeContent()
  description?: string;
}

export class RoomDto implements Room {
  @ApiProperty({ example: 'general' }) id!: string;
  @ApiProperty({ example: 'General Chat' }) name!: string;
  @ApiProperty({ example: '' }) description!: string;
  @ApiProperty({ description: 'Members now', example: 3 }) user_count!: number;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

/** Accounts mode: a room with the signed-in user's read state (0 unread in rooms they are not a member of). */
export class RoomListingDto extends RoomDto {
  @ApiPropertyOptional({ description: 'Accounts mode: seq of the last message the signed-in user read here (0: none)' }) last_read_seq?: number;
  @ApiPropertyOptional({ description: 'Accounts mode: messages of others after last_read_seq, not deleted' }) unread?: number;
  @ApiPropertyOptional({ description: 'Accounts mode: of those, the ones that mention the signed-in user' }) unread_mentions?: number;
}

export class RoomsResponseDto {
  @ApiProperty({ type: [RoomListingDto] }) rooms!: RoomListingDto[];
}

export class CreateRoomResponseDto {
  @ApiProperty({ type: RoomDto }) room!: RoomDto;
}
