import { Injectable } from '@nestjs/common';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { conversationKey, type MessageTarget } from '../../messages/messages.repository';
import { ReadCounts, ReadStateRepository } from '../../reads/read-state.repository';
import type { Database } from '../database';
import { storageError } from '../storage.errors';
import { KyselyStorage } from '../storage-health';

interface CountsRow {
  id: string;
  last_seq: number | string;
  last_read_seq: number | string;
  own: number | string;
  gone: number | string;
  mentioned: number | string;
}

/**
 * Read pointers, and unread counts without reading the unread messages: seqs
 * have no gaps, so `last_seq - last_read_seq` messages follow the pointer; the
 * user's own among them are a range of messages_*_sender, tombstones a range
 * of the partial messages_*_deleted, mentions a range of message_mentions.
 * Each costs what it counts (own messages, tombstones, mentions after the
 * pointer), never the unread messages of others.
 */
@Injectable()
export class KyselyReadStateRepository extends ReadStateRepository {
  constructor(private readonly storage: KyselyStorage) {
    super();
  }

  private get db(): Kysely<Database> {
    return this.storage.db;
  }

  async markRead(userId: string, target: MessageTarget, seq: number): Promise<number | undefined> {
    const capped = (counter: string) => sql`case when ${sql.ref(counter)} < ${seq} then ${sql.ref(counter)} else ${seq} end`;
    // One statement: capped at the last seq, and the WHERE of the update keeps it from moving back (no row returned then).
    const query =
      'room' in target
        ? sql<{ last_read_seq: number }>`
            insert into room_reads (user_id, room_id, last_read_seq)
            select ${userId}, id, ${capped('last_seq')} from rooms where id = ${target.room}
            on conflict (user_id, room_id) do update set last_read_seq = excluded.last_read_seq
            where excluded.last_read_seq > room_reads.last_read_seq
            returning last_read_seq`
        : sql<{ last_read_seq: number }>`
            insert into conversation_reads (user_id, conversation_id, last_read_seq)
            select ${userId}, id, ${capped('last_seq')} from conversations where id = ${conversationKey(...target.between)}
            on conflict (user_id, conversation_id) do update set last_read_seq = excluded.last_read_seq
            where excluded.last_read_seq > conversation_reads.last_read_seq
            returning last_read_seq`;
    try {
      const { rows } = await query.execute(this.db);
      this.storage.wrote();
      const moved = rows.length > 0 ? Number(rows[0].last_read_seq) : 0;
      return moved > 0 ? moved : undefined;
    } catch (error) {
      this.storage.wrote(error);
      throw storageError(error);
    }
  }

  async startAt(userId: string, room: string): Promise<void> {
    try {
      await sql`
        insert into room_reads (user_id, room_id, last_read_seq)
        select ${userId}, id, last_seq from rooms where id = ${room}
        on conflict (user_id, room_id) do nothing`.execute(this.db);
      this.storage.wrote();
    } catch (error) {
      this.storage.wrote(error);
      throw storageError(error);
    }
  }

  async roomStates(userId: string): Promise<Map<string, ReadCounts>> {
    const { rows } = await this.read(
      sql<CountsRow>`
        select r.id, r.last_seq, ${counts(userId, 'room_id', sql`r.id`, sql`coalesce(rr.last_read_seq, 0)`)}
        from memberships ms
        join rooms r on r.id = ms.room_id
        left join room_reads rr on rr.user_id = ms.user_id and rr.room_id = ms.room_id
        where ms.user_id = ${userId}`.execute(this.db),
    );
    return new Map(rows.map((row) => [row.id, toCounts(row)]));
  }

  async conversationStates(userId: string, otherIds: string[]): Promise<Map<string, ReadCounts>> {
    const states = new Map<string, ReadCounts>();
    if (otherIds.length === 0) return states;
    const otherOf = new Map(otherIds.map((other) => [conversationKey(userId, other), other]));
    const keys: RawBuilder<unknown>[] = [...otherOf.keys()].map((key) => sql`${key}`);
    const { rows } = await this.read(
      sql<CountsRow>`
        select c.id, c.last_seq, ${counts(userId, 'conversation_id', sql`c.id`, sql`coalesce(cr.last_read_seq, 0)`)}
        from conversations c
        left join conversation_reads cr on cr.user_id = ${userId} and cr.conversation_id = c.id
        where c.id in (${sql.join(keys)})`.execute(this.db),
    );
    for (const row of rows) states.set(otherOf.get(row.id) as string, toCounts(row));
    return states;
  }

  private async read<T>(query: Promise<T>): Promise<T> {
    try {
      return await query;
    } catch (error) {
      throw storageError(error);
    }
  }
}

/**
 * The pointer and the three indexed counts after it, for one place (`room_id`
 * or `conversation_id` = `place`): the user's own messages, the tombstones of
 * others, the mentions of the user.
 */
function counts(userId: string, column: 'room_id' | 'conversation_id', place: RawBuilder<unknown>, pointer: RawBuilder<unknown>): RawBuilder<unknown> {
  const at = sql.ref(`m.${column}`);
  return sql`${pointer} as last_read_seq,
    (select count(*) from messages m where ${at} = ${place} and m.sender_id = ${userId} and m.seq > ${pointer}) as own,
    (select count(*) from messages m where ${at} = ${place} and m.deleted = 1 and m.seq > ${pointer} and m.sender_id <> ${userId}) as gone,
    (select count(*) from message_mentions mm where mm.user_id = ${userId} and ${sql.ref(`mm.${column}`)} = ${place} and mm.seq > ${pointer}) as mentioned`;
}

function toCounts(row: CountsRow): ReadCounts {
  const lastReadSeq = Number(row.last_read_seq);
  const unread = Math.max(0, Number(row.last_seq) - lastReadSeq - Number(row.own) - Number(row.gone));
  return { lastReadSeq, unread, unreadMentions: Number(row.mentioned) };
}
