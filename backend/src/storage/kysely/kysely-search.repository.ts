import { Injectable } from '@nestjs/common';
import { sql, type RawBuilder } from 'kysely';
import type { StoredMessage } from '../../messages/messages.repository';
import { SearchQuery, SearchRepository } from '../../search/search.repository';
import { storageError } from '../storage.errors';
import { KyselyStorage } from '../storage-health';
import { toStored, type MessageRow } from './kysely-messages.repository';

/**
 * Search through the index of migration 0006: SQLite's FTS5 table (every
 * word a quoted prefix query `"word"*`, so the user's text is never FTS
 * syntax), or PostgreSQL's GIN index of `chatstream_search_vector(content)`
 * (every word a prefix lexeme `'word':*`, joined with `&`). Newest first:
 * by rowid (the order stored) on SQLite, by (created_at, id) on PostgreSQL.
 */
@Injectable()
export class KyselySearchRepository extends SearchRepository {
  constructor(private readonly storage: KyselyStorage) {
    super();
  }

  async search(query: SearchQuery): Promise<StoredMessage[] | undefined> {
    const readable = query.userId === undefined ? sql`m.room_id is not null` : sql`(m.room_id is not null or m.sender_id = ${query.userId} or m.recipient_id = ${query.userId})`;
    const inRoom = query.room === undefined ? sql`` : sql`and m.room_id = ${query.room}`;
    const rows = this.storage.database.dialect === 'sqlite' ? await this.sqlite(query, readable, inRoom) : await this.postgres(query, readable, inRoom);
    if (rows.length === 0 && query.before !== undefined && !(await this.isReadable(query.before, readable))) return undefined;
    return rows.map(toStored);
  }

  private async sqlite(query: SearchQuery, readable: RawBuilder<unknown>, inRoom: RawBuilder<unknown>): Promise<MessageRow[]> {
    // Words are letters, digits and marks only (queryWords); quoting them anyway keeps FTS5 syntax out whatever they hold.
    const match = query.words.map((word) => `"${word.replace(/"/g, '""')}"*`).join(' ');
    const older = query.before === undefined ? sql`` : sql`and f.rowid < (select rowid from messages where id = ${query.before})`;
    const { rows } = await this.read(
      sql<MessageRow>`
        select m.* from messages_fts f join messages m on m.rowid = f.rowid
        where messages_fts match ${match} and m.deleted = 0 and ${readable} ${inRoom} ${older}
        order by f.rowid desc limit ${query.limit}`.execute(this.storage.db),
    );
    return rows;
  }

  private async postgres(query: SearchQuery, readable: RawBuilder<unknown>, inRoom: RawBuilder<unknown>): Promise<MessageRow[]> {
    const text = query.words.map((word) => `'${word.replace(/'/g, "''")}':*`).join(' & ');
    const older = query.before === undefined ? sql`` : sql`and (m.created_at, m.id) < (select created_at, id from messages where id = ${query.before})`;
    const { rows } = await this.read(
      sql<MessageRow>`
        select m.* from messages m
        where chatstream_search_vector(m.content) @@ to_tsquery('simple', public.unaccent('public.unaccent'::regdictionary, ${text}))
          and m.deleted = 0 and ${readable} ${inRoom} ${older}
        order by m.created_at desc, m.id desc limit ${query.limit}`.execute(this.storage.db),
    );
    return rows;
  }

  private async isReadable(id: string, readable: RawBuilder<unknown>): Promise<boolean> {
    const { rows } = await this.read(sql`select 1 as found from messages m where m.id = ${id} and ${readable}`.execute(this.storage.db));
    return rows.length > 0;
  }

  private async read<T>(query: Promise<T>): Promise<T> {
    try {
      return await query;
    } catch (error) {
      throw storageError(error);
    }
  }
}
