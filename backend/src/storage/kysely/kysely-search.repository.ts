import { Injectable } from '@nestjs/common';
import { sql, type RawBuilder } from 'kysely';
import type { StoredMessage } from '../../messages/messages.repository';
import { matchesAll } from '../../search/search-words';
import { SearchQuery, SearchRepository } from '../../search/search.repository';
import { storageError } from '../storage.errors';
import { KyselyStorage } from '../storage-health';
import { toStored, type MessageRow } from './kysely-messages.repository';

/** Newest messages read and matched here before the index is asked (see `search`). */
export const RECENT_WINDOW = 2000;

/** Where a page starts: below this position in the order of the results. */
type Cursor = { seq: number } | { rowid: number } | { createdAt: string; id: string };
type Row = MessageRow & { position?: number };

/**
 * Search in two steps, newest first. First the newest RECENT_WINDOW
 * messages one may read (an index range: rowid on SQLite, (created_at, id)
 * on PostgreSQL, (room_id, seq) in one room) are matched here with the
 * rules of search-words.ts: a word in more than 1 in 100 messages fills a
 * page from them, in a few milliseconds. Only when they do not, the search
 * index is asked for the older ones: SQLite's FTS5 table (every word a quoted
 * prefix query `"word"*`, so the user's text is never FTS syntax) or
 * PostgreSQL's GIN index of `chatstream_search_vector(content)` (every word a
 * prefix lexeme `'word':*`, joined with `&`). Both indexes read every
 * message a prefix matches before they can order them, which for a word in a
 * quarter of a million messages costs 60-100 ms (SQLite) or, when the
 * planner walks the newest messages instead, a row's tsvector per message
 * (PostgreSQL): what the first step spares the common words.
 */
@Injectable()
export class KyselySearchRepository extends SearchRepository {
  /** RECENT_WINDOW; specs shrink it to reach the index with a few messages. */
  recentWindow = RECENT_WINDOW;

  constructor(private readonly storage: KyselyStorage) {
    super();
  }

  private get sqlite(): boolean {
    return this.storage.database.dialect === 'sqlite';
  }

  async search(query: SearchQuery): Promise<StoredMessage[] | undefined> {
    const readable = query.userId === undefined ? sql`m.room_id is not null` : sql`(m.room_id is not null or m.sender_id = ${query.userId} or m.recipient_id = ${query.userId})`;
    const where = query.room === undefined ? sql`m.deleted = 0 and ${readable}` : sql`m.deleted = 0 and ${readable} and m.room_id = ${query.room}`;
    let cursor: Cursor | undefined;
    if (query.before !== undefined) {
      cursor = await this.cursorOf(query, readable);
      if (cursor === undefined) return undefined;
    }
    // The window in two reads: a common word fills its page from the first tenth.
    const found: Row[] = [];
    let from = cursor;
    for (const size of [Math.ceil(this.recentWindow / 10), this.recentWindow - Math.ceil(this.recentWindow / 10)]) {
      if (size === 0) continue;
      const recent = await this.recent(query, where, from, size);
      for (const row of recent) if (found.length < query.limit && matchesAll(row.content, query.words)) found.push(row);
      if (found.length >= query.limit || recent.length < size) return found.map(toStored);
      from = this.cursorAt(query, recent[recent.length - 1]);
    }
    found.push(...(await this.indexed(query, where, from, query.limit - found.length)));
    return found.map(toStored);
  }

  /** The position of message `before` (one the user may read) in the order of the results. */
  private async cursorOf(query: SearchQuery, readable: RawBuilder<unknown>): Promise<Cursor | undefined> {
    const { rows } = await this.read(
      sql<Row>`select m.*, ${this.sqlite ? sql`m.rowid` : sql`0`} as position from messages m where m.id = ${query.before} and ${readable}`.execute(this.storage.db),
    );
    return rows.length === 0 ? undefined : this.cursorAt(query, rows[0]);
  }

  private cursorAt(query: SearchQuery, row: Row): Cursor {
    if (query.room !== undefined) return { seq: Number(row.seq) };
    return this.sqlite ? { rowid: Number(row.position) } : { createdAt: row.created_at, id: row.id };
  }

  private below(cursor: Cursor | undefined, rowid: RawBuilder<unknown>): RawBuilder<unknown> {
    if (cursor === undefined) return sql``;
    if ('seq' in cursor) return sql`and m.seq < ${cursor.seq}`;
    if ('rowid' in cursor) return sql`and ${rowid} < ${cursor.rowid}`;
    return sql`and (m.created_at, m.id) < (${cursor.createdAt}, ${cursor.id})`;
  }

  private order(query: SearchQuery, rowid: RawBuilder<unknown>): RawBuilder<unknown> {
    if (query.room !== undefined) return sql`m.seq desc`;
    return this.sqlite ? sql`${rowid} desc` : sql`m.created_at desc, m.id desc`;
  }

  private async recent(query: SearchQuery, where: RawBuilder<unknown>, cursor: Cursor | undefined, size: number): Promise<Row[]> {
    const rowid = sql`m.rowid`;
    const position = this.sqlite ? sql`, m.rowid as position` : sql``;
    const { rows } = await this.read(
      sql<Row>`select m.*${position} from messages m where ${where} ${this.below(cursor, rowid)}
        order by ${this.order(query, rowid)} limit ${size}`.execute(this.storage.db),
    );
    return rows;
  }

  private async indexed(query: SearchQuery, where: RawBuilder<unknown>, cursor: Cursor | undefined, limit: number): Promise<Row[]> {
    if (this.sqlite) {
      // Messages reach FTS5 shortly after their commit: index those still waiting, so the search sees them all.
      await this.read(this.storage.search.catchUp());
      // Words are letters, digits and marks only (queryWords); quoting them anyway keeps FTS5 syntax out whatever they hold.
      const match = query.words.map((word) => `"${word.replace(/"/g, '""')}"*`).join(' ');
      const rowid = sql`f.rowid`;
      const { rows } = await this.read(
        sql<Row>`select m.* from messages_fts f join messages m on m.rowid = f.rowid
          where messages_fts match ${match} and ${where} ${this.below(cursor, rowid)}
          order by ${rowid} desc limit ${limit}`.execute(this.storage.db),
      );
      return rows;
    }
    const text = query.words.map((word) => `'${word.replace(/'/g, "''")}':*`).join(' & ');
    const order = this.order(query, sql``);
    // Materialized: the matches come from the GIN index, never from a walk of the newest messages recomputing each tsvector.
    const { rows } = await this.read(
      sql<Row>`with hits as materialized (
          select m.id, m.seq, m.created_at from messages m
          where chatstream_search_vector(m.content) @@ to_tsquery('simple', public.unaccent('public.unaccent'::regdictionary, ${text}))
            and ${where} ${this.below(cursor, sql``)}
        ), page as (select m.id from hits m order by ${order} limit ${limit})
        select m.* from messages m join page on page.id = m.id order by ${order}`.execute(this.storage.db),
    );
    return rows;
  }

  private async read<T>(query: Promise<T>): Promise<T> {
    try {
      return await query;
    } catch (error) {
      throw storageError(error);
    }
  }
}
