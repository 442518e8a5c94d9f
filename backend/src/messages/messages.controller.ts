import { Body, Controller, Get, Param, Post, Query, ValidationPipe } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { MessagesResponse, PostMessageResponse } from '@chatstream/protocol';
import { ErrorResponseDto } from '../common/error-response.dto';
import { SafeNamePipe } from '../common/validation/text-rules';
import { HistoryQueryDto, MessagesResponseDto, PostMessageDto, PostMessageResponseDto } from './dto/messages.dto';
import { MessagesService } from './messages.service';

/** Unknown query parameters (cache busters and the like) are ignored rather than refused. */
const queryPipe = new ValidationPipe({ transform: true, whitelist: true, forbidNonWhitelisted: false });

@ApiTags('messages')
@Controller()
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  @Get('rooms/:id/messages')
  @ApiOkResponse({ type: MessagesResponseDto, description: 'The newest `limit` messages (older than `before`), oldest first' })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Bad limit, or before is not a message of this room' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'Unknown room' })
  async history(@Param('id', new SafeNamePipe('room id')) roomId: string, @Query(queryPipe) query: HistoryQueryDto): Promise<MessagesResponse> {
    return { messages: await this.messages.history(roomId, query.limit, query.before) };
  }

  @Post('messages')
  @ApiCreatedResponse({ type: PostMessageResponseDto, description: 'Stored and delivered over WebSocket as if sent there' })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Bad body' })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: 'Sender is not a member of the room' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'Unknown room or recipient' })
  async post(@Body() body: PostMessageDto): Promise<PostMessageResponse> {
    const { id, timestamp } = await this.messages.send({
      senderId: body.sender_id,
      senderName: body.sender,
      content: body.content,
      room: body.room,
      recipient: body.recipient,
    });
    return { message: 'Message sent successfully', id, timestamp };
  }
}
