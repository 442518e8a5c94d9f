import { BadRequestException, Injectable } from '@nestjs/common';
import { MAX_SEARCH_QUERY_LENGTH, SEARCH_DEFAULT_LIMIT, SEARCH_MAX_LIMIT, type SearchResult } from '@chatstream/protocol';
import { messageFrame } from '../common/frames';
import { highlights, queryWords, selectiveWords } from './search-words';
import { SearchRepository } from './search.repository';

export interface SearchInput {
  q: string;
  room?: string;
  limit?: number;
  before?: string;
}

/**
 * Message search: every word of the query matches as a prefix, case and
 * accents aside; only what the user may read (any room; their own private
 * conversations; in AUTH=open, where nobody's identity is proven, rooms only).
 */
@Injectable()
export class SearchService {
  constructor(private readonly repository: SearchRepository) {}

  async search(userId: string | undefined, { q, room, limit = SEARCH_DEFAULT_LIMIT, before }: SearchInput): Promise<SearchResult[]> {
    if (q.trim() === '') throw new BadRequestException('q must not be empty');
    if (q.length > MAX_SEARCH_QUERY_LENGTH) throw new BadRequestException(`q must be at most ${MAX_SEARCH_QUERY_LENGTH} characters`);
    if (!Number.isInteger(limit) || limit < 1 || limit > SEARCH_MAX_LIMIT) throw new BadRequestException(`limit must be an integer from 1 to ${SEARCH_MAX_LIMIT}`);
    const words = queryWords(q);
    if (words.length === 0) return [];
    const found = await this.repository.search({ words: selectiveWords(words), userId, room, before, limit });
    if (found === undefined) throw new BadRequestException(`before: no message ${before} to search before`);
    return found.map((message) => ({ ...messageFrame(message), highlights: highlights(message.content, words) }));
  }
}
