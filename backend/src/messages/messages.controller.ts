import { BadRequestException, Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, ValidationPipe } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiTooManyRequestsResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { MessageFrame, MessagesResponse, PostMessageResponse } from '@chatstream/protocol';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/decorators';
import { senderOf } from '../auth/sender';
import { ErrorResponseDto } from '../common/error-response.dto';
import { SafeNamePipe } from '../common/validation/text-rules';
import {
  ActorQueryDto,
  afterSeq,
  EditMessageDto,
  HistoryMessageDto,
  HistoryQueryDto,
  MessagesResponseDto,
  PostMessageDto,
  PostMessageResponseDto,
  RepliesQueryDto,
} from './dto/messages.dto';
import type { Actor } from './messages.service';
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
    const page = { limit: query.limit, before: query.before, after: afterSeq(query.after), changedAfter: afterSeq(query.changed_after) };
    return { messages: await this.messages.history(roomId, page) };
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
      replyTo: body.reply_to,
    });
    const response: PostMessageResponse = { message: 'Message sent successfully', id: frame.id, timestamp: frame.timestamp };
    if (frame.type === 'text') response.seq = frame.seq;
    return response;
  }

  @Patch('messages/:id')
  @ApiOkResponse({ type: HistoryMessageDto, description: 'The edited message' })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Bad content' })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: 'Not your message' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'Unknown message' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The message was deleted' })
  async edit(@Param('id') id: string, @Body() body: EditMessageDto, @Query(queryPipe) query: ActorQueryDto, @CurrentUser() user?: AuthUser): Promise<MessageFrame> {
    return this.messages.edit(actorOf(user, query), id, body.content);
  }

  @Delete('messages/:id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted: a tombstone stays in its place' })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: 'Not your message' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'Unknown message' })
  async remove(@Param('id') id: string, @Query(queryPipe) query: ActorQueryDto, @CurrentUser() user?: AuthUser): Promise<void> {
    await this.messages.remove(actorOf(user, query), id);
  }

  @Put('messages/:id/reactions/:emoji')
  @ApiOkResponse({ type: HistoryMessageDto, description: 'The message with your reaction (adding one you have changes nothing)' })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Not one emoji or :short_code:' })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: 'Not a member of the room' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'Unknown message' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The message was deleted, or has 20 different emoji already' })
  async react(@Param('id') id: string, @Param('emoji') emoji: string, @Query(queryPipe) query: ActorQueryDto, @CurrentUser() user?: AuthUser): Promise<MessageFrame> {
    return this.messages.react(actorOf(user, query), id, emoji);
  }

  @Delete('messages/:id/reactions/:emoji')
  @ApiOkResponse({ type: HistoryMessageDto, description: 'The message without your reaction (removing one you do not have changes nothing)' })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Not one emoji or :short_code:' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'Unknown message' })
  async unreact(@Param('id') id: string, @Param('emoji') emoji: string, @Query(queryPipe) query: ActorQueryDto, @CurrentUser() user?: AuthUser): Promise<MessageFrame> {
    return this.messages.unreact(actorOf(user, query), id, emoji);
  }

  @Get('messages/:id/replies')
  @ApiOkResponse({ type: MessagesResponseDto, description: 'The replies of the message, oldest first' })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Bad limit or after' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'Unknown message (or a private one not yours)' })
  async replies(@Param('id') id: string, @Query(queryPipe) query: RepliesQueryDto, @CurrentUser() user?: AuthUser): Promise<{ messages: MessageFrame[] }> {
    const reader = user?.id ?? query.user_id ?? '';
    return { messages: await this.messages.replies(reader, id, { limit: query.limit, after: afterSeq(query.after) }) };
  }
}

/** Accounts mode: the session's user. AUTH=open: the claimed `user_id`, as on the WebSocket. */
function actorOf(user: AuthUser | undefined, query: ActorQueryDto): Actor {
  if (user) return { userId: user.id };
  if (query.user_id === undefined) throw new BadRequestException('user_id must be given in AUTH=open');
  return { userId: query.user_id };
}
