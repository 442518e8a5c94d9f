import { Injectable } from '@nestjs/common';
import { sql, type Kysely } from 'kysely';
import { ConversationRecord, ConversationsRepository } from '../../conversations/conversations.repository';
import { conversationKey, type MessageRecord } from '../../messages/messages.repository';
import type { Database } from '../database';
import { storageError } from '../storage.errors';
import { KyselyStorage } from '../storage-health';
import { toStored } from './kysely-messages.repository';

import type { MessageRow } from './kysely-messages.repository';

/**
 * Private history. A conversation's messages are numbered by `seq` under
 * their `conversation_id` (migration 0005), so a page is one range of the
 * index (conversation_id, seq); the conversation list still walks the
 * (sender, recipient) indexes of migration 0004.
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

  /**
   * One range of the unique index (conversation_id, seq), newest first, cut
   * at the page size: the cost of a page does not grow with the conversation,
   * nor with anyone else's. The `before` anchor's seq is a subquery of the
   * same conversation; only an empty page asks whether the anchor exists.
   */
  async page(userId: string, otherId: string, limit: number, beforeId?: string): Promise<MessageRecord[] | undefined> {
    const conversation = conversationKey(userId, otherId);
    let query = this.db.selectFrom('messages').selectAll().where('conversation_id', '=', conversation);
    if (beforeId !== undefined) query = query.where('seq', '<', this.seqOf(conversation, beforeId));
    const rows = await this.read(query.orderBy('seq', 'desc').limit(limit).execute());
    if (rows.length === 0 && beforeId !== undefined && (await this.read(this.seqOf(conversation, beforeId).executeTakeFirst())) === undefined) return undefined;
    return rows.reverse().map(toRecord);
  }

  private seqOf(conversation: string, id: string) {
    return this.db.selectFrom('messages').select('seq').where('id', '=', id).where('conversation_id', '=', conversation);
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
