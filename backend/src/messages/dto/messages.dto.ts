import { ApiProperty, ApiPropertyOptional, IntersectionType, PickType } from '@nestjs/swagger';
import {
  HISTORY_DEFAULT_LIMIT,
  HISTORY_MAX_LIMIT,
  MAX_CLIENT_ID_LENGTH,
  MAX_CONTENT_LENGTH,
  MAX_NAME_LENGTH,
  type HistoryMessage,
  type PostMessageRequest,
  type PostMessageResponse,
} from '@chatstream/protocol';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, MaxLength, Min } from 'class-validator';
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

  @ApiPropertyOptional({ description: 'Display name of the sender; required in AUTH=open, ignored in accounts mode', maxLength: MAX_NAME_LENGTH })
  @IsOptional()
  @IsString()
  @Length(1, MAX_NAME_LENGTH)
  @IsSafeName()
  sender?: string;

  @ApiPropertyOptional({
    description: 'User id of the sender; required in AUTH=open; in accounts mode optional and, when given, must be the signed-in user (403)',
    maxLength: MAX_NAME_LENGTH,
  })
  @IsOptional()
  @IsString()
  @Length(1, MAX_NAME_LENGTH)
  @IsSafeName()
  sender_id?: string;

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

  @ApiPropertyOptional({
    minLength: 1,
    maxLength: MAX_CLIENT_ID_LENGTH,
    description: 'Idempotency key, unique per sender: a repeat answers the stored message; a differing repeat is 409',
  })
  @IsOptional()
  @IsString()
  @Length(1, MAX_CLIENT_ID_LENGTH, { message: `client_id must be 1-${MAX_CLIENT_ID_LENGTH} characters` })
  client_id?: string;

  @ApiPropertyOptional({ description: 'The id of the message this one answers in its thread (same room or conversation, not itself a reply)' })
  @IsOptional()
  @IsString({ message: 'reply_to must be a message id' })
  @MaxLength(MAX_NAME_LENGTH, { message: 'reply_to must be a message id' })
  reply_to?: string;
}

/** AUTH=open: who asks for a change or a thread, as the WebSocket handshake says it (ignored in accounts mode). */
export class ActorQueryDto {
  @ApiPropertyOptional({ description: 'AUTH=open only: the user making the request (in accounts mode the session says)' })
  @IsOptional()
  @IsString({ message: 'user_id must be a string' })
  @IsSafeName()
  @MaxLength(MAX_NAME_LENGTH)
  user_id?: string;
}

export class EditMessageDto {
  @ApiProperty({ minLength: 1, maxLength: MAX_CONTENT_LENGTH })
  @IsString({ message: 'content must be a string' })
  @IsSafeContent()
  content!: string;
}

export class PostMessageResponseDto implements PostMessageResponse {
  @ApiProperty({ enum: ['Message sent successfully'] }) message!: 'Message sent successfully';
  @ApiProperty() id!: string;
  @ApiProperty({ format: 'date-time' }) timestamp!: string;
  @ApiPropertyOptional({ description: 'Room messages: the place in the room' }) seq?: number;
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

  @ApiPropertyOptional({ type: 'integer', minimum: 0, description: 'A seq: return the oldest `limit` messages after it' })
  @IsOptional()
  @IsString({ message: 'after must be an integer >= 0' })
  @Matches(/^\d+$/, { message: 'after must be an integer >= 0' })
  after?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, description: 'A rev: the oldest `limit` messages changed after it, in their current state; with no other paging parameter' })
  @IsOptional()
  @IsString({ message: 'changed_after must be an integer >= 0' })
  @Matches(/^\d+$/, { message: 'changed_after must be an integer >= 0' })
  changed_after?: string;
}

/** `after` as a number; beyond the largest exact integer nothing is newer anyway. */
export function afterSeq(after: string | undefined): number | undefined {
  return after === undefined ? undefined : Math.min(Number(after), Number.MAX_SAFE_INTEGER);
}

export class HistoryMessageDto implements HistoryMessage {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['text'] }) type!: 'text';
  @ApiProperty() content!: string;
  @ApiProperty() sender!: string;
  @ApiProperty() sender_id!: string;
  @ApiProperty() room!: string;
  @ApiProperty({ description: 'The n-th message of the room has seq n' }) seq!: number;
  @ApiPropertyOptional({ description: "The sender's idempotency key, when given" }) client_id?: string;
  @ApiProperty({ format: 'date-time' }) timestamp!: string;
}

export class MessagesResponseDto {
  @ApiProperty({ type: [HistoryMessageDto], description: 'Oldest first' }) messages!: HistoryMessageDto[];
}

/** A thread page: the history query's `limit` and `after` (a seq), with the open-mode actor. */
export class RepliesQueryDto extends IntersectionType(ActorQueryDto, PickType(HistoryQueryDto, ['limit', 'after'] as const)) {}
