import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  HISTORY_DEFAULT_LIMIT,
  HISTORY_MAX_LIMIT,
  MAX_CONTENT_LENGTH,
  MAX_NAME_LENGTH,
  type HistoryMessage,
  type PostMessageRequest,
  type PostMessageResponse,
} from '@chatstream/protocol';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { IsSafeContent, IsSafeName } from '../../common/validation/text-rules';

export class PostMessageDto implements PostMessageRequest {
  @ApiPropertyOptional({ enum: ['text'] })
  @IsOptional()
  @IsIn(['text'])
  type?: 'text';

  @ApiProperty({ minLength: 1, maxLength: MAX_CONTENT_LENGTH, description: 'Not blank' })
  @IsString()
  @IsSafeContent()
  content!: string;

  @ApiProperty({ description: 'Display name of the sender', maxLength: MAX_NAME_LENGTH })
  @IsString()
  @Length(1, MAX_NAME_LENGTH)
  @IsSafeName()
  sender!: string;

  @ApiProperty({ description: 'User id of the sender', maxLength: MAX_NAME_LENGTH })
  @IsString()
  @Length(1, MAX_NAME_LENGTH)
  @IsSafeName()
  sender_id!: string;

  @ApiPropertyOptional({ description: 'Room id; exactly one of room and recipient' })
  @IsOptional()
  @IsString()
  @Length(0, MAX_NAME_LENGTH)
  @IsSafeName()
  room?: string;

  @ApiPropertyOptional({ description: 'Recipient user id; exactly one of room and recipient' })
  @IsOptional()
  @IsString()
  @Length(0, MAX_NAME_LENGTH)
  @IsSafeName()
  recipient?: string;
}

export class PostMessageResponseDto implements PostMessageResponse {
  @ApiProperty({ enum: ['Message sent successfully'] }) message!: 'Message sent successfully';
  @ApiProperty() id!: string;
  @ApiProperty({ format: 'date-time' }) timestamp!: string;
}

export class HistoryQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: HISTORY_MAX_LIMIT, default: HISTORY_DEFAULT_LIMIT })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1)
  @Max(HISTORY_MAX_LIMIT)
  limit?: number;

  @ApiPropertyOptional({ description: 'A message id: return the messages older than it' })
  @IsOptional()
  @IsString()
  before?: string;
}

export class HistoryMessageDto implements HistoryMessage {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['text'] }) type!: 'text';
  @ApiProperty() content!: string;
  @ApiProperty() sender!: string;
  @ApiProperty() sender_id!: string;
  @ApiProperty() room!: string;
  @ApiProperty({ format: 'date-time' }) timestamp!: string;
}

export class MessagesResponseDto {
  @ApiProperty({ type: [HistoryMessageDto], description: 'Oldest first' }) messages!: HistoryMessageDto[];
}
