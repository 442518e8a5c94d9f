import { Controller, Get, Param, Query, ValidationPipe } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiCookieAuth, ApiNotFoundResponse, ApiOkResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { ConversationsResponse, PrivateMessagesResponse } from '@chatstream/protocol';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/decorators';
import { ErrorResponseDto } from '../common/error-response.dto';
import { ConversationPageQueryDto, ConversationsResponseDto, PrivateMessagesResponseDto } from './dto/conversations.dto';
import { afterSeq } from '../messages/dto/messages.dto';
import { ConversationsService } from './conversations.service';

/** Unknown query parameters (cache busters and the like) are ignored rather than refused. */
const queryPipe = new ValidationPipe({ transform: true, whitelist: true, forbidNonWhitelisted: false });

/** Registered in AUTH=accounts only: in open mode these routes are 404. */
@ApiTags('conversations')
@ApiCookieAuth()
@ApiBearerAuth()
@Controller('conversations')
export class ConversationsController {
  constructor(private readonly conversations: ConversationsService) {}

  @Get()
  @ApiOkResponse({ type: ConversationsResponseDto, description: 'The signed-in user\'s private conversations, most recent first' })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto })
  async list(@CurrentUser() user: AuthUser): Promise<ConversationsResponse> {
    return { conversations: await this.conversations.list(user) };
  }

  @Get(':userId/messages')
  @ApiOkResponse({ type: PrivateMessagesResponseDto, description: 'Messages between the signed-in user and userId, oldest first' })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Bad limit, or before is not a message of this conversation' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'Unknown user' })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto })
  async messages(@CurrentUser() user: AuthUser, @Param('userId') otherId: string, @Query(queryPipe) query: ConversationPageQueryDto): Promise<PrivateMessagesResponse> {
    const page = { limit: query.limit, before: query.before, after: afterSeq(query.after), changedAfter: afterSeq(query.changed_after) };
    return { messages: await this.conversations.messages(user, otherId, page) };
  }
}
