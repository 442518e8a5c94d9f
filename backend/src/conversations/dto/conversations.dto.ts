import { ApiProperty, PickType } from '@nestjs/swagger';
import type { Conversation, ConversationsResponse, PrivateMessageFrame, PrivateMessagesResponse } from '@chatstream/protocol';
import { AuthUserDto } from '../../auth/dto/auth.dto';
import { HistoryQueryDto } from '../../messages/dto/messages.dto';

/** `limit`, `before`, `after` (a seq) and `changed_after` (a rev), as room history pages. */
export class ConversationPageQueryDto extends PickType(HistoryQueryDto, ['limit', 'before', 'after', 'changed_after'] as const) {}

export class PrivateMessageDto implements PrivateMessageFrame {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['private'] }) type!: 'private';
  @ApiProperty() content!: string;
  @ApiProperty() sender!: string;
  @ApiProperty() sender_id!: string;
  @ApiProperty() recipient!: string;
  @ApiProperty({ format: 'date-time' }) timestamp!: string;
}

export class ConversationDto implements Conversation {
  @ApiProperty({ type: AuthUserDto, description: 'The other person' }) user!: AuthUserDto;
  @ApiProperty({ type: PrivateMessageDto }) last_message!: PrivateMessageDto;
  @ApiProperty({ description: 'seq of the last message the signed-in user read here (0: none)' }) last_read_seq!: number;
  @ApiProperty({ description: 'Messages of the other person after last_read_seq, not deleted' }) unread!: number;
  @ApiProperty({ description: 'Of those, the ones that mention the signed-in user' }) unread_mentions!: number;
}

export class ConversationsResponseDto implements ConversationsResponse {
  @ApiProperty({ type: [ConversationDto], description: 'Most recent first' }) conversations!: ConversationDto[];
}

export class PrivateMessagesResponseDto implements PrivateMessagesResponse {
  @ApiProperty({ type: [PrivateMessageDto], description: 'Oldest first' }) messages!: PrivateMessageDto[];
}
