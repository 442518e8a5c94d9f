import { HttpException, Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import {
  applyChange,
  conversationKey,
  MessageChange,
  MessageRecord,
  MessagesRepository,
  MessageTarget,
  RoomMessageRecord,
  StoredMessage,
} from '../../messages/messages.repository';
import { CompiledQuery, type Insertable, type QueryResult, type Selectable } from 'kysely';
import { inSteps, type Database, type Steps } from '../database';
import { storageError } from '../storage.errors';
import { KyselyStorage } from '../storage-health';

type Stored = StoredMessage;
export type MessageRow = Selectable<Database['messages']>;

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
const COLUMNS = [
  'id',
  'room_id',
  'recipient_id',
  'seq',
  'sender_id',
  'sender_name',
  'content',
  'created_at',
  'client_id',
  'conversation_id',
  'reply_to',
  'mentions',
  'rev',
] as const;
type InsertRow = Insertable<Database['messages']> & Record<(typeof COLUMNS)[number], unknown>;

/** A change of a message found nothing to do: roll its transaction (and its counter bump) back. */
class NoChange extends Error {}

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
    this.storage.search.soon();
    for (let i = 0; i < batch.length; i++) batch[i].resolve(stored[i]);
  }

  private async store(messages: MessageRecord[]): Promise<Stored[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await inSteps(this.storage.database, () => this.storeIn(messages, attempt > 1));
      } catch (error) {
        if (!(error instanceof RepeatRace) || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  /** One attempt at a batch, inside its transaction; `lookUp`: read the batch's stored client_ids first. */
  private *storeIn(messages: MessageRecord[], lookUp: boolean): Steps<Stored[]> {
    const results = new Array<Stored>(messages.length);
    const known = lookUp ? yield* this.storedKeys(messages) : undefined;
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
    const { rows, parents } = yield* this.assignSequences(fresh);
    let inserted = 0;
    for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
      const chunk = rows.slice(i, i + ROWS_PER_INSERT);
      const { numAffectedRows } = yield this.insertQuery(chunk.map(toRow));
      inserted += numAffectedRows === undefined ? chunk.length : Number(numAffectedRows);
    }
    if (inserted < rows.length) throw new RepeatRace();
    const db = this.storage.db;
    const mentioned = rows.flatMap(mentionRows);
    for (let i = 0; i < mentioned.length; i += ROWS_PER_INSERT) {
      yield db.insertInto('message_mentions').values(mentioned.slice(i, i + ROWS_PER_INSERT)).compile();
    }
    for (const [parent, rev] of parents) {
      yield db.updateTable('messages').set((eb) => ({ reply_count: eb('reply_count', '+', 1), rev })).where('id', '=', parent).compile();
    }
    for (let j = 0; j < rows.length; j++) results[freshAt[j]] = rows[j];
    for (const [i, first] of repeats) results[i] = { ...results[first], repeated: true };
    return results;
  }

  /** The stored messages under the batch's (sender, client_id) keys. */
  private *storedKeys(messages: MessageRecord[]): Steps<Map<string, MessageRecord & { seq?: number }>> {
    const keys = messages.filter((message) => message.clientId !== undefined);
    const found = new Map<string, MessageRecord & { seq?: number }>();
    for (let i = 0; i < keys.length; i += KEYS_PER_LOOKUP) {
      const chunk = keys.slice(i, i + KEYS_PER_LOOKUP);
      const { rows } = yield this.storage.db
        .selectFrom('messages')
        .selectAll()
        .where((eb) => eb.or(chunk.map((m) => eb.and([eb('sender_id', '=', m.senderId), eb('client_id', '=', m.clientId as string)]))))
        .compile();
      for (const row of rows as MessageRow[]) found.set(keyOf(row.sender_id, row.client_id as string), toStored(row));
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
   * Gives the batch's messages their seq and rev: one counter bump per room
   * or conversation, the messages numbered in batch order below the new
   * counters. A reply takes a second rev, its parent's reply_count change
   * (answered in `parents`, the parent's newest rev last).
   */
  private *assignSequences(messages: MessageRecord[]): Steps<{ rows: Stored[]; parents: Array<[string, number]> }> {
    const counts = new Map<string, { messages: number; changes: number }>();
    const targetOf = (message: MessageRecord) => (message.room !== undefined ? `r${message.room}` : `c${conversationKey(message.senderId, message.recipient ?? '')}`);
    for (const message of messages) {
      const target = targetOf(message);
      const count = counts.get(target) ?? { messages: 0, changes: 0 };
      count.messages++;
      count.changes += message.replyTo === undefined ? 1 : 2;
      counts.set(target, count);
    }
    const next = new Map<string, { seq: number; rev: number }>();
    // Rooms, then conversations, each in one order in every transaction: two batches never lock counters crosswise.
    for (const [target, count] of [...counts].sort(([a], [b]) => (a[0] !== b[0] ? (a[0] > b[0] ? -1 : 1) : a < b ? -1 : a > b ? 1 : 0))) {
      const id = target.slice(1);
      const query = target[0] === 'r' ? this.bumpQuery(id, count.messages, count.changes) : this.conversationBumpQuery(id, count.messages, count.changes);
      const { rows } = (yield query) as QueryResult<Counters>;
      if (rows.length === 0) throw new Error(`room ${id} is not stored`);
      next.set(target, { seq: Number(rows[0].last_seq) - count.messages + 1, rev: Number(rows[0].last_rev) - count.changes + 1 });
    }
    const parents: Array<[string, number]> = [];
    const rows = messages.map((message) => {
      const counter = next.get(targetOf(message)) as { seq: number; rev: number };
      const stored: Stored = { ...message, seq: counter.seq++, rev: counter.rev++ };
      if (message.replyTo !== undefined) parents.push([message.replyTo, counter.rev++]);
      return stored;
    });
    return { rows, parents };
  }

  async find(id: string): Promise<Stored | undefined> {
    const row = await this.read(this.storage.db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst());
    return row && toStored(row);
  }

  async change(id: string, decide: (current: Stored) => MessageChange | undefined): Promise<{ message: Stored; changed: boolean } | undefined> {
    const place = await this.read(this.storage.db.selectFrom('messages').select(['room_id', 'conversation_id']).where('id', '=', id).executeTakeFirst());
    if (!place) return undefined;
    try {
      const message = await inSteps(this.storage.database, () => this.changeIn(id, place, decide));
      this.storage.wrote();
      return { message, changed: true };
    } catch (error) {
      if (error instanceof NoChange) {
        const current = await this.find(id);
        return current && { message: current, changed: false };
      }
      if (error instanceof HttpException) throw error; // a refusal of the service's rules
      this.storage.wrote(error);
      throw storageError(error);
    }
  }

  /** One change, inside its transaction: the counter first, its row lock ordering every change of this room or conversation. */
  private *changeIn(id: string, place: { room_id: string | null; conversation_id: string | null }, decide: (current: Stored) => MessageChange | undefined): Steps<Stored> {
    const db = this.storage.db;
    const counter =
      place.room_id !== null
        ? db.updateTable('rooms').set((eb) => ({ last_rev: eb('last_rev', '+', 1) })).where('id', '=', place.room_id).returning('last_rev')
        : db.updateTable('conversations').set((eb) => ({ last_rev: eb('last_rev', '+', 1) })).where('id', '=', place.conversation_id as string).returning('last_rev');
    const rev = Number(firstRow<{ last_rev: number }>(yield counter.compile(), 'counter').last_rev);
    const current = toStored(firstRow<MessageRow>(yield db.selectFrom('messages').selectAll().where('id', '=', id).compile(), 'message'));
    const change = decide(current);
    if (change === undefined) throw new NoChange();
    const next = applyChange(current, change, rev);
    yield* this.storeChange(current, change, next);
    return next;
  }

  private *storeChange(current: Stored, change: MessageChange, next: Stored): Steps<void> {
    const db = this.storage.db;
    const rev = next.rev as number;
    switch (change.kind) {
      case 'edit': {
        yield db.insertInto('message_edits').values({ message_id: current.id, rev, previous_content: current.content, replaced_at: change.at }).compile();
        // A mention edited away stops counting; a new one starts.
        yield db.deleteFrom('message_mentions').where('message_id', '=', current.id).compile();
        const mentioned = mentionRows(next);
        if (mentioned.length > 0) yield db.insertInto('message_mentions').values(mentioned).compile();
        break;
      }
      case 'delete':
        // Taken back: the earlier texts and the mentions go with it.
        yield db.deleteFrom('message_edits').where('message_id', '=', current.id).compile();
        yield db.deleteFrom('message_mentions').where('message_id', '=', current.id).compile();
        break;
      case 'react':
        yield db.insertInto('reactions').values({ message_id: current.id, user_id: change.userId, emoji: change.emoji, added_rev: rev }).compile();
        break;
      case 'unreact':
        yield db.deleteFrom('reactions').where('message_id', '=', current.id).where('emoji', '=', change.emoji).where('user_id', '=', change.userId).compile();
        break;
    }
    yield db
      .updateTable('messages')
      .set({
        content: next.content,
        edited_at: next.editedAt ?? null,
        deleted: next.deleted ? 1 : 0,
        mentions: JSON.stringify(next.mentions ?? []),
        reactions: JSON.stringify(next.reactions ?? []),
        rev,
      })
      .where('id', '=', current.id)
      .compile();
  }

  async changedAfter(target: MessageTarget, afterRev: number, limit: number): Promise<Stored[]> {
    const db = this.storage.db;
    const query =
      'room' in target
        ? db.selectFrom('messages').selectAll().where('room_id', '=', target.room)
        : db.selectFrom('messages').selectAll().where('conversation_id', '=', conversationKey(...target.between));
    const rows = await this.read(query.where('rev', '>', afterRev).orderBy('rev').limit(limit).execute());
    return rows.map(toStored);
  }

  async replies(parentId: string, limit: number, afterSeq: number): Promise<Stored[]> {
    const rows = await this.read(
      this.storage.db.selectFrom('messages').selectAll().where('reply_to', '=', parentId).where('seq', '>', afterSeq).orderBy('seq').limit(limit).execute(),
    );
    return rows.map(toStored);
  }

  async conversationAfter(between: [string, string], limit: number, afterSeq: number): Promise<Stored[]> {
    const rows = await this.read(
      this.storage.db
        .selectFrom('messages')
        .selectAll()
        .where('conversation_id', '=', conversationKey(...between))
        .where('seq', '>', afterSeq)
        .orderBy('seq')
        .limit(limit)
        .execute(),
    );
    return rows.map(toStored);
  }

  /*
   * The two statements of every batch are built by Kysely once and then only
   * get new parameters: building and compiling them anew cost more CPU than
   * SQLite's own work for a one-message batch.
   */
  private bumpText?: string;
  private readonly insertTexts = new Map<number, string>();

  private conversationBumpText?: string;

  private bumpQuery(room: string, messages: number, changes: number): CompiledQuery<Counters> {
    if (this.bumpText === undefined) {
      const compiled = this.storage.db
        .updateTable('rooms')
        .set((eb) => ({ last_seq: eb('last_seq', '+', 1), last_rev: eb('last_rev', '+', 2) }))
        .where('id', '=', '')
        .returning(['last_seq', 'last_rev'])
        .compile();
      sameParameters(compiled.parameters, [1, 2, '']);
      this.bumpText = compiled.sql;
    }
    return CompiledQuery.raw(this.bumpText, [messages, changes, room]) as CompiledQuery<Counters>;
  }

  /** A conversation's counters: made by its first message. */
  private conversationBumpQuery(id: string, messages: number, changes: number): CompiledQuery<Counters> {
    if (this.conversationBumpText === undefined) {
      const compiled = this.storage.db
        .insertInto('conversations')
        .values({ id: '', last_seq: 1, last_rev: 2 })
        .onConflict((oc) =>
          oc.column('id').doUpdateSet((eb) => ({
            last_seq: eb('conversations.last_seq', '+', eb.ref('excluded.last_seq')),
            last_rev: eb('conversations.last_rev', '+', eb.ref('excluded.last_rev')),
          })),
        )
        .returning(['last_seq', 'last_rev'])
        .compile();
      sameParameters(compiled.parameters, ['', 1, 2]);
      this.conversationBumpText = compiled.sql;
    }
    return CompiledQuery.raw(this.conversationBumpText, [id, messages, changes]) as CompiledQuery<Counters>;
  }

  private insertQuery(rows: InsertRow[]): CompiledQuery {
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

interface Counters {
  last_seq: number;
  last_rev: number;
}

function toRow(message: Stored): InsertRow {
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
    conversation_id: message.room === undefined ? conversationKey(message.senderId, message.recipient ?? '') : null,
    reply_to: message.replyTo ?? null,
    mentions: message.mentions && message.mentions.length > 0 ? JSON.stringify(message.mentions) : '[]',
    rev: message.rev ?? 0,
  };
}

/** The message_mentions rows of a message: who it mentions, its sender left out. */
function mentionRows(message: Stored): Array<Insertable<Database['message_mentions']>> {
  if (!message.mentions || message.mentions.length === 0) return NONE;
  const place = message.room !== undefined ? { room_id: message.room, conversation_id: null } : { room_id: null, conversation_id: conversationKey(message.senderId, message.recipient ?? '') };
  return [...new Set(message.mentions)]
    .filter((user) => user !== message.senderId)
    .map((user_id) => ({ message_id: message.id, user_id, ...place, seq: message.seq as number }));
}

const NONE: never[] = [];
/** Most messages have no reactions and no mentions: skip the parse. */
function parseList<T>(text: string): T[] {
  return text === '[]' ? NONE : (JSON.parse(text) as T[]);
}

/** A stored row of either kind, in its current state. */
export function toStored(row: MessageRow): Stored {
  const record: Stored = {
    id: row.id,
    senderId: row.sender_id,
    senderName: row.sender_name,
    content: row.content,
    timestamp: row.created_at,
    editedAt: row.edited_at,
    deleted: Number(row.deleted) === 1,
    replyCount: Number(row.reply_count),
    mentions: parseList(row.mentions),
    reactions: parseList(row.reactions),
    rev: Number(row.rev),
  };
  if (row.room_id !== null) record.room = row.room_id;
  else record.recipient = row.recipient_id ?? '';
  if (row.seq !== null) record.seq = Number(row.seq);
  if (row.reply_to !== null) record.replyTo = row.reply_to;
  if (row.client_id !== null) record.clientId = row.client_id;
  return record;
}

function toRecord(row: MessageRow): RoomMessageRecord {
  return toStored(row) as RoomMessageRecord;
}

/** The first row a statement answered; a missing one breaks the transaction, as Kysely's executeTakeFirstOrThrow does. */
function firstRow<R>(result: QueryResult<unknown>, what: string): R {
  const row = result.rows[0];
  if (row === undefined) throw new Error(`no ${what} row`);
  return row as R;
}

function keyOf(senderId: string, clientId: string): string {
  return `${senderId}\u0000${clientId}`;
}
