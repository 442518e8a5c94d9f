import { Injectable } from '@nestjs/common';
import { sql, type Kysely } from 'kysely';
import { ConversationRecord, ConversationsRepository } from '../../conversations/conversations.repository';
import type { MessageRecord } from '../../messages/messages.repository';
import type { Database } from '../database';
import { storageError } from '../storage.errors';
import { KyselyStorage } from '../storage-health';
import { toStored } from './kysely-messages.repository';

import type { MessageRow } from './kysely-messages.repository';

/**
 * Private history through the partial index messages_private_pair
 * (sender_id, recipient_id, created_at, id): the conversation A-B is the
 * range A→B and the range B→A, each read newest first and cut at the page
 * size, then merged; a page costs the same whatever the conversation's size.
 */
@Injectable()
export class KyselyConversationsRepository extends ConversationsRepository {
  constructor(private readonly storage: KyselyStorage) {
    super();
  }

  private get db(): Kysely<Database> {
    return this.storage.db;
  }

  /**
   * One query, index seeks only, however long the conversations are: the
   * other people are found by skipping through the indexes (a recursive
   * "next id after this one", one seek per person), each conversation's
   * newest time is a max() at the end of two index ranges, and its message
   * one more seek.
   */
  async list(userId: string): Promise<ConversationRecord[]> {
    const newestTo = (other: ReturnType<typeof sql.ref>) => sql`(select max(created_at) from messages where sender_id = ${userId} and recipient_id = ${other})`;
    const newestFrom = (other: ReturnType<typeof sql.ref>) => sql`(select max(created_at) from messages where sender_id = ${other} and recipient_id = ${userId})`;
    const other = sql.ref('partners.other');
    const result = await this.read(
      sql<MessageRow & { other: string; other_name: string | null }>`
        with recursive
          sent(other) as (
            select min(recipient_id) from messages where sender_id = ${userId} and recipient_id is not null
            union all
            select (select min(recipient_id) from messages where sender_id = ${userId} and recipient_id > sent.other) from sent where sent.other is not null
          ),
          received(other) as (
            select min(sender_id) from messages where recipient_id = ${userId}
            union all
            select (select min(sender_id) from messages where recipient_id = ${userId} and sender_id > received.other) from received where received.other is not null
          ),
          partners(other) as (
            select other from sent where other is not null
            union
            select other from received where other is not null
          ),
          latest(other, at) as (
            select partners.other,
              case when coalesce(${newestTo(other)}, '') >= coalesce(${newestFrom(other)}, '') then ${newestTo(other)} else ${newestFrom(other)} end
            from partners
          )
        select m.*, latest.other as other, u.username as other_name
        from latest
        join messages m on m.id = (
          select x.id from messages x
          where ((x.sender_id = ${userId} and x.recipient_id = latest.other) or (x.sender_id = latest.other and x.recipient_id = ${userId}))
            and x.created_at = latest.at
          order by x.id desc limit 1
        )
        left join users u on u.id = latest.other
        order by m.created_at desc, m.id desc`.execute(this.db),
    );
    return result.rows.map((row) => ({ other: { id: row.other, username: row.other_name ?? row.other }, lastMessage: toRecord(row) }));
  }

  /** One query for a page; the `before` anchor is a subquery, and only an empty page asks whether it exists. */
  async page(userId: string, otherId: string, limit: number, beforeId?: string): Promise<MessageRecord[] | undefined> {
    const pair = sql`((sender_id = ${userId} and recipient_id = ${otherId}) or (sender_id = ${otherId} and recipient_id = ${userId}))`;
    const older =
      beforeId === undefined ? sql`` : sql`and (created_at, id) < (select created_at, id from messages where id = ${beforeId} and ${pair})`;
    const side = (from: string, to: string, alias: string) => sql`select * from (
        select * from messages where sender_id = ${from} and recipient_id = ${to} ${older}
        order by created_at desc, id desc limit ${limit}
      ) as ${sql.raw(alias)}`;
    const query =
      userId === otherId
        ? sql<MessageRow>`${side(userId, otherId, 'mine')} order by created_at desc, id desc`
        : sql<MessageRow>`select * from (${side(userId, otherId, 'mine')} union all ${side(otherId, userId, 'theirs')}) as both_sides
            order by created_at desc, id desc limit ${limit}`;
    const { rows } = await this.read(query.execute(this.db));
    if (rows.length === 0 && beforeId !== undefined && !(await this.isInConversation(beforeId, pair))) return undefined;
    return rows.reverse().map(toRecord);
  }

  private async isInConversation(id: string, pair: ReturnType<typeof sql>): Promise<boolean> {
    const { rows } = await this.read(sql`select 1 as found from messages where id = ${id} and ${pair}`.execute(this.db));
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

/** History has the shape of the live frame, client_id and state included. */
const toRecord = (row: MessageRow): MessageRecord => toStored(row);
