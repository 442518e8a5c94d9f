import { Injectable } from '@nestjs/common';
import { SessionRecord, SessionsRepository, SessionWithUser } from '../../auth/sessions.repository';
import { storageError } from '../storage.errors';
import { KyselyStorage } from '../storage-health';

/** `existing` asks in chunks this big (well under both dialects' parameter limits). */
const CHUNK = 500;

@Injectable()
export class KyselySessionsRepository extends SessionsRepository {
  constructor(private readonly storage: KyselyStorage) {
    super();
  }

  private get db() {
    return this.storage.db;
  }

  async create(session: SessionRecord): Promise<void> {
    await this.run(
      this.db
        .insertInto('sessions')
        .values({
          id: session.id,
          token_hash: session.tokenHash,
          user_id: session.userId,
          created_at: session.createdAt,
          last_used_at: session.lastUsedAt,
          user_agent: session.userAgent,
        })
        .execute(),
    );
  }

  async findByTokenHash(tokenHash: string): Promise<SessionWithUser | undefined> {
    const row = await this.run(
      this.db
        .selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .select(['sessions.id', 'sessions.token_hash', 'sessions.user_id', 'sessions.created_at', 'sessions.last_used_at', 'sessions.user_agent', 'users.username'])
        .where('sessions.token_hash', '=', tokenHash)
        .executeTakeFirst(),
    );
    return row && { ...toRecord(row), username: row.username };
  }

  async listForUser(userId: string): Promise<SessionRecord[]> {
    const rows = await this.run(this.db.selectFrom('sessions').selectAll().where('user_id', '=', userId).orderBy('last_used_at', 'desc').execute());
    return rows.map(toRecord);
  }

  async existing(ids: string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (let i = 0; i < ids.length; i += CHUNK) {
      const rows = await this.run(this.db.selectFrom('sessions').select('id').where('id', 'in', ids.slice(i, i + CHUNK)).execute());
      for (const row of rows) found.add(row.id);
    }
    return found;
  }

  async touch(ids: string[], lastUsedAt: string): Promise<void> {
    for (let i = 0; i < ids.length; i += CHUNK) {
      await this.run(this.db.updateTable('sessions').set({ last_used_at: lastUsedAt }).where('id', 'in', ids.slice(i, i + CHUNK)).execute());
    }
  }

  async delete(id: string, userId?: string): Promise<boolean> {
    let query = this.db.deleteFrom('sessions').where('id', '=', id);
    if (userId !== undefined) query = query.where('user_id', '=', userId);
    const result = await this.run(query.executeTakeFirst());
    return Number(result.numDeletedRows) > 0;
  }

  async deleteForUser(userId: string): Promise<string[]> {
    const rows = await this.run(this.db.deleteFrom('sessions').where('user_id', '=', userId).returning('id').execute());
    return rows.map((row) => row.id);
  }

  async deleteUnusedSince(lastUsedBefore: string): Promise<number> {
    const result = await this.run(this.db.deleteFrom('sessions').where('last_used_at', '<', lastUsedBefore).executeTakeFirst());
    return Number(result.numDeletedRows);
  }

  private async run<T>(query: Promise<T>): Promise<T> {
    try {
      return await query;
    } catch (error) {
      throw storageError(error);
    }
  }
}

function toRecord(row: { id: string; token_hash: string; user_id: string; created_at: string; last_used_at: string; user_agent: string | null }): SessionRecord {
  return {
    id: row.id,
    tokenHash: row.token_hash,
    userId: row.user_id,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    userAgent: row.user_agent,
  };
}
