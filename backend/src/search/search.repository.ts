import type { StoredMessage } from '../messages/messages.repository';

export interface SearchQuery {
  /** Folded query words (see search-words.ts); each must begin a word of the content. */
  words: string[];
  /** Whose private conversations may be searched; none: room messages only. */
  userId?: string;
  room?: string;
  /** Older than this message. */
  before?: string;
  limit: number;
}

/** Full-text search of messages. DI token; see `storage/`. */
export abstract class SearchRepository {
  /**
   * Up to `limit` messages, newest first, that are not deleted, whose content
   * matches every word, and that are room messages or private messages of
   * `userId`; undefined when `before` is no message of those.
   */
  abstract search(query: SearchQuery): Promise<StoredMessage[] | undefined>;
}
