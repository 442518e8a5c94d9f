import { Body, Controller, Get, Param, Post, Query, ValidationPipe } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiTooManyRequestsResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { MessagesResponse, PostMessageResponse } from '@chatstream/protocol';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/decorators';
import { senderOf } from '../auth/sender';
import { ErrorResponseDto } from '../common/error-response.dto';
import { SafeNamePipe } from '../common/validation/text-rules';
import { afterSeq, HistoryQueryDto, MessagesResponseDto, PostMessageDto, PostMessageResponseDto } from './dto/messages.dto';
import { MessagesService } from './messages.service';

/** Unknown query parameters (cache busters and the like) are ignored rather than refused. */
const queryPipe = new ValidationPipe({ transform: true, whitelist: true, forbidNonWhitelisted: false });

@ApiTags('messages')
@Controller()
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  @Get('rooms/:id/messages')
  @ApiOkResponse({
    type: MessagesResponseDto,
    description: 'The newest `limit` messages (older than `before`), or the oldest `limit` with seq above `after`; oldest first',
  })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Bad limit, before not a message of this room, after not an integer >= 0, before with after' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'Unknown room' })
  async history(@Param('id', new SafeNamePipe('room id')) roomId: string, @Query(queryPipe) query: HistoryQueryDto): Promise<MessagesResponse> {
    return { messages: await this.messages.history(roomId, { limit: query.limit, before: query.before, after: afterSeq(query.after) }) };
  }

  @Post('messages')
  @ApiCreatedResponse({ type: PostMessageResponseDto, description: 'Stored and delivered over WebSocket as if sent there' })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Bad body' })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: 'Sender is not a member of the room; sender_id is not the signed-in user' })
  @ApiTooManyRequestsResponse({ type: ErrorResponseDto, description: 'Over the sender\'s message limit (frames and REST together); see the Retry-After header' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'Unknown room or recipient' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'client_id already used by this sender for a different message' })
  async post(@Body() body: PostMessageDto, @CurrentUser() user?: AuthUser): Promise<PostMessageResponse> {
    const frame = await this.messages.send({
      ...senderOf(user, body),
      content: body.content,
      room: body.room,
      recipient: body.recipient,
      clientId: body.client_id,
    });
    const response: PostMessageResponse = { message: 'Message sent successfully', id: frame.id, timestamp: frame.timestamp };
    if (frame.type === 'text') response.seq = frame.seq;
    return response;
  }
}
