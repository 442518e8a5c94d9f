import { Controller, Get, Query, ValidationPipe } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { SearchResponse } from '@chatstream/protocol';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/decorators';
import { ErrorResponseDto } from '../common/error-response.dto';
import { SearchQueryDto, SearchResponseDto } from './search.dto';
import { SearchService } from './search.service';

/** Unknown query parameters (cache busters and the like) are ignored rather than refused. */
const queryPipe = new ValidationPipe({ transform: true, whitelist: true, forbidNonWhitelisted: false });

@ApiTags('search')
@Controller('search')
export class SearchController {
  constructor(private readonly searcher: SearchService) {}

  @Get()
  @ApiOkResponse({ type: SearchResponseDto, description: 'Messages the signed-in user may read that match every word of q, newest first' })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'q empty, blank or over 200 characters; limit not 1-50; before not a message one may read' })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto })
  async search(@CurrentUser() user: AuthUser | undefined, @Query(queryPipe) query: SearchQueryDto): Promise<SearchResponse> {
    return { messages: await this.searcher.search(user?.id, query) };
  }
}
