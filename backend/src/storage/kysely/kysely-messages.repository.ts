import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { MessageRecord, MessagesRepository, RoomMessageRecord, StoredMessage } from '../../messages/messages.repository';
import { CompiledQuery, type Kysely } from 'kysely';
import { inTransaction, type Database } from '../database';
import { storageError } from '../storage.errors';
import { KyselyStorage } from '../storage-health';

type Stored = StoredMessage;

interface Pending {
  message: MessageRecord;
  resolve: (stored: Stored) => void;
  reject: (error: unknown) => void;
}

/**
 * A batch met a client_id that another transaction committed after this one
 * began (the unique index skipped the row): roll back and store the batch
 * again, looking its keys up first.
 */
class RepeatRace extends Error {}
/** Attempts at storing one batch before its messages fail (each retry needs a new concurrent repeat). */
const MAX_ATTEMPTS = 5;
/** client_id keys per look-up statement. */
const KEYS_PER_LOOKUP = 500;

/** Rows per INSERT statement: well under both dialects' bound-parameter limits. */
const ROWS_PER_INSERT = 500;
/** Batch sizes whose INSERT text is kept (bigger batches are rare and compile anew). */
const CACHED_INSERT_SIZES = 64;
const COLUMNS = ['id', 'room_id', 'recipient_id', 'seq', 'sender_id', 'sender_name', 'content', 'created_at', 'client_id'] as const;

/**
 * Messages in SQL with group commit: messages of one event-loop turn, and
 * those that arrive while a batch commits, share the next transaction, so a burst costs one commit (one
 * fsync), not one per message. A message's promise settles only after its
 * transaction committed; room sequence numbers are assigned inside that
 * transaction, in arrival order, and promises settle in that order.
 *
 * A `client_id` is checked in the same transaction as the insert: repeats
 * inside a batch are folded in memory, and the insert skips a row whose
 * (sender_id, client_id) the unique index already holds. A skipped row means
 * a repeat this batch did not know of: the transaction rolls back (its seqs
 * are not used, so none is lost) and the batch is stored again after looking
 * up its keys. The common case, no repeat, costs no extra statement.
 */
@Injectable()
export class KyselyMessagesRepository extends MessagesRepository {
  private queue: Pending[] = [];
  private timer?: NodeJS.Timeout | NodeJS.Immediate;
  private committing?: Promise<void>;

  constructor(
    private readonly storage: KyselyStorage,
    private readonly config: AppConfig,
  ) {
    super();
    storage.onClose(() => this.drain());
  }

  append(message: MessageRecord): Promise<Stored> {
    return new Promise<Stored>((resolve, reject) => {
      this.queue.push({ message, resolve, reject });
      this.schedule();
    });
  }

  async seqOf(room: string, id: string): Promise<number | undefined> {
    const row = await this.read(
      this.storage.db.selectFrom('messages').select('seq').where('id', '=', id).where('room_id', '=', room).executeTakeFirst(),
    );
    return row?.seq ?? undefined;
  }

  async range(room: string, fromSeq: number, toSeq: number): Promise<RoomMessageRecord[]> {
    const rows = await this.read(
      this.storage.db
        .selectFrom('messages')
        .selectAll()
        .where('room_id', '=', room)
        .where('seq', '>=', fromSeq)
        .where('seq', '<', toSeq)
        .orderBy('seq')
        .execute(),
    );
    return rows.map(toRecord);
  }

  async after(room: string, limit: number, afterSeq: number): Promise<RoomMessageRecord[]> {
    const rows = await this.read(
      this.storage.db.selectFrom('messages').selectAll().where('room_id', '=', room).where('seq', '>', afterSeq).orderBy('seq').limit(limit).execute(),
    );
    return rows.map(toRecord);
  }

  async history(room: string, limit: number, beforeSeq?: number): Promise<RoomMessageRecord[]> {
    let query = this.storage.db.selectFrom('messages').selectAll().where('room_id', '=', room);
    if (beforeSeq !== undefined) query = query.where('seq', '<', beforeSeq);
    const rows = await this.read(query.orderBy('seq', 'desc').limit(limit).execute());
    return rows.reverse().map(toRecord);
  }

  /** One query for a deep page: the anchor's seq is a subquery; only an empty page asks whether the anchor exists. */
  override async historyBefore(room: string, limit: number, beforeId: string): Promise<RoomMessageRecord[] | undefined> {
    const db = this.storage.db;
    const anchor = db.selectFrom('messages').select('seq').where('id', '=', beforeId).where('room_id', '=', room);
    const rows = await this.read(
      db.selectFrom('messages').selectAll().where('room_id', '=', room).where('seq', '<', anchor).orderBy('seq', 'desc').limit(limit).execute(),
    );
    if (rows.length === 0) return (await this.seqOf(room, beforeId)) === undefined ? undefined : [];
    return rows.reverse().map(toRecord);
  }

  /** Commits everything queued so far (shutdown). */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.committing) {
      if (this.timer) this.fire();
      await this.committing;
    }
  }

  /**
   * With no window (COMMIT_WINDOW_MS=0), a batch starts at the end of the
   * event-loop turn its first message arrived in, so the messages of one turn
   * share it, and the batch of what arrived during a commit starts as soon as
   * that commit ends: no wait at low load, bigger batches at high load. A
   * window (COMMIT_WINDOW_MS > 0, the default 1 ms) makes the first message
   * of each batch wait that long for others.
   */
  private schedule(): void {
    if (this.timer || this.committing) return;
    const window = this.config.commitWindowMs;
    this.timer = window > 0 ? setTimeout(() => this.fire(), window) : setImmediate(() => this.fire());
  }

  private committed(): void {
    this.committing = undefined;
    if (this.queue.length === 0) return;
    if (this.config.commitWindowMs > 0) this.schedule();
    else this.fire();
  }

  private fire(): void {
    if (this.timer) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
      this.timer = undefined;
    }
    if (this.committing || this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    this.committing = this.commit(batch).finally(() => this.committed());
  }

  private async commit(batch: Pending[]): Promise<void> {
    let stored: Stored[];
    try {
      stored = await this.store(batch.map((pending) => pending.message));
    } catch (error) {
      this.storage.wrote(error);
      const failure = storageError(error);
      for (const pending of batch) pending.reject(failure);
      return;
    }
    this.storage.wrote();
    for (let i = 0; i < batch.length; i++) batch[i].resolve(stored[i]);
  }

  private async store(messages: MessageRecord[]): Promise<Stored[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await inTransaction(this.storage.db, (trx) => this.storeIn(trx, messages, attempt > 1));
      } catch (error) {
        if (!(error instanceof RepeatRace) || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  /** One attempt at a batch, inside its transaction; `lookUp`: read the batch's stored client_ids first. */
  private async storeIn(trx: Kysely<Database>, messages: MessageRecord[], lookUp: boolean): Promise<Stored[]> {
    const results = new Array<Stored>(messages.length);
    const known = lookUp ? await this.storedKeys(trx, messages) : undefined;
    const firstOf = new Map<string, number>();
    const repeats: Array<[index: number, first: number]> = [];
    const fresh: MessageRecord[] = [];
    const freshAt: number[] = [];
    for (let i = 0; i < messages.length; i++) {
      const message = messages[i];
      if (message.clientId !== undefined) {
        const key = keyOf(message.senderId, message.clientId);
        const first = firstOf.get(key);
        if (first !== undefined) {
          repeats.push([i, first]);
          continue;
        }
        firstOf.set(key, i);
        const stored = known?.get(key);
        if (stored) {
          results[i] = { ...stored, repeated: true };
          continue;
        }
      }
      fresh.push(message);
      freshAt.push(i);
    }
    const rows = await this.assignSequences(trx, fresh);
    let inserted = 0;
    for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
      const chunk = rows.slice(i, i + ROWS_PER_INSERT);
      const { numAffectedRows } = await trx.executeQuery(this.insertQuery(chunk.map(toRow)));
      inserted += numAffectedRows === undefined ? chunk.length : Number(numAffectedRows);
    }
    if (inserted < rows.length) throw new RepeatRace();
    for (let j = 0; j < rows.length; j++) results[freshAt[j]] = rows[j];
    for (const [i, first] of repeats) results[i] = { ...results[first], repeated: true };
    return results;
  }

  /** The stored messages under the batch's (sender, client_id) keys. */
  private async storedKeys(trx: Kysely<Database>, messages: MessageRecord[]): Promise<Map<string, MessageRecord & { seq?: number }>> {
    const keys = messages.filter((message) => message.clientId !== undefined);
    const found = new Map<string, MessageRecord & { seq?: number }>();
    for (let i = 0; i < keys.length; i += KEYS_PER_LOOKUP) {
      const chunk = keys.slice(i, i + KEYS_PER_LOOKUP);
      const rows = await trx
        .selectFrom('messages')
        .selectAll()
        .where((eb) => eb.or(chunk.map((m) => eb.and([eb('sender_id', '=', m.senderId), eb('client_id', '=', m.clientId as string)]))))
        .execute();
      for (const row of rows) found.set(keyOf(row.sender_id, row.client_id as string), toStored(row));
    }
    return found;
  }

  private async read<T>(query: Promise<T>): Promise<T> {
    try {
      return await query;
    } catch (error) {
      throw storageError(error);
    }
  }

  /**
   * Gives the batch's room messages their seq: one counter bump per room, the
   * messages numbered in batch order below the new counter.
   */
  private async assignSequences(trx: Kysely<Database>, messages: MessageRecord[]): Promise<Stored[]> {
    const perRoom = new Map<string, number>();
    for (const message of messages) {
      if (message.room !== undefined) perRoom.set(message.room, (perRoom.get(message.room) ?? 0) + 1);
    }
    const next = new Map<string, number>();
    // Rooms in one order in every transaction: two instances' batches never lock each other's counters crosswise.
    for (const [room, count] of [...perRoom].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const { rows } = await trx.executeQuery(this.bumpQuery(room, count));
      if (rows.length === 0) throw new Error(`room ${room} is not stored`);
      next.set(room, Number(rows[0].last_seq) - count + 1);
    }
    return messages.map((message) => {
      if (message.room === undefined) return message;
      const seq = next.get(message.room) as number;
      next.set(message.room, seq + 1);
      return { ...message, seq };
    });
  }

  /*
   * The two statements of every batch are built by Kysely once and then only
   * get new parameters: building and compiling them anew cost more CPU than
   * SQLite's own work for a one-message batch.
   */
  private bumpText?: string;
  private readonly insertTexts = new Map<number, string>();

  private bumpQuery(room: string, count: number): CompiledQuery<{ last_seq: number }> {
    if (this.bumpText === undefined) {
      const compiled = this.storage.db
        .updateTable('rooms')
        .set((eb) => ({ last_seq: eb('last_seq', '+', 0) }))
        .where('id', '=', '')
        .returning('last_seq')
        .compile();
      sameParameters(compiled.parameters, [0, '']);
      this.bumpText = compiled.sql;
    }
    return CompiledQuery.raw(this.bumpText, [count, room]) as CompiledQuery<{ last_seq: number }>;
  }

  private insertQuery(rows: Array<Database['messages']>): CompiledQuery {
    const parameters: unknown[] = [];
    for (const row of rows) for (const column of COLUMNS) parameters.push(row[column]);
    let text = this.insertTexts.get(rows.length);
    if (text === undefined) {
      const compiled = this.storage.db
        .insertInto('messages')
        .values(rows)
        .onConflict((oc) => oc.columns(['sender_id', 'client_id']).doNothing())
        .compile();
      if (rows.length > CACHED_INSERT_SIZES) return compiled;
      sameParameters(compiled.parameters, parameters);
      text = compiled.sql;
      this.insertTexts.set(rows.length, text);
    }
    return CompiledQuery.raw(text, parameters);
  }
}

/** The cached statement texts rely on this parameter order; a Kysely upgrade that changed it fails here, loudly. */
function sameParameters(compiled: readonly unknown[], ours: readonly unknown[]): void {
  if (compiled.length !== ours.length || compiled.some((value, i) => value !== ours[i])) {
    throw new Error('Kysely bound the parameters of a cached statement in an unexpected order');
  }
}

function toRow(message: Stored): Database['messages'] {
  return {
    id: message.id,
    room_id: message.room ?? null,
    recipient_id: message.recipient ?? null,
    seq: message.seq ?? null,
    sender_id: message.senderId,
    sender_name: message.senderName,
    content: message.content,
    created_at: message.timestamp,
    client_id: message.clientId ?? null,
  };
}

function toRecord(row: Database['messages']): RoomMessageRecord {
  const record: RoomMessageRecord = {
    id: row.id,
    room: row.room_id as string,
    seq: Number(row.seq),
    senderId: row.sender_id,
    senderName: row.sender_name,
    content: row.content,
    timestamp: row.created_at,
  };
  if (row.client_id !== null) record.clientId = row.client_id;
  return record;
}

/** A stored message of either kind (only repeats read private ones). */
function toStored(row: Database['messages']): MessageRecord & { seq?: number } {
  if (row.room_id !== null) return toRecord(row);
  const { room: _room, seq: _seq, ...message } = toRecord(row);
  return { ...message, recipient: row.recipient_id ?? '' };
}

function keyOf(senderId: string, clientId: string): string {
  return `${senderId}\u0000${clientId}`;
}
