import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { AccountRecord, UserRecord, UsersRepository } from '../../users/users.repository';
import { isUniqueViolation, storageError } from '../storage.errors';
import { KyselyStorage } from '../storage-health';

/**
 * Nobody waits for a user row (connecting does not), so new users may gather
 * longer than messages do: a connect storm costs a few commits a second.
 */
const USER_BATCH_MS = 20;

@Injectable()
export class KyselyUsersRepository extends UsersRepository {
  constructor(private readonly storage: KyselyStorage) {
    super();
  }

  async listUsers(): Promise<UserRecord[]> {
    return this.storage.db.selectFrom('users').select(['id', 'username']).execute();
  }

  async findUser(id: string): Promise<UserRecord | undefined> {
    try {
      return await this.storage.db.selectFrom('users').select(['id', 'username']).where('id', '=', id).executeTakeFirst();
    } catch (error) {
      throw storageError(error);
    }
  }

  async listAccounts(): Promise<AccountRecord[]> {
    const rows = await this.read(this.storage.db.selectFrom('users').selectAll().orderBy('created_at').orderBy('id').execute());
    return rows.map(toAccount);
  }

  async findByUsername(username: string): Promise<AccountRecord | undefined> {
    // The expression of the unique index, so the lookup is one index probe.
    const row = await this.read(
      this.storage.db
        .selectFrom('users')
        .selectAll()
        .where(sql`lower(username)`, '=', sql`lower(${username})`)
        .executeTakeFirst(),
    );
    return row && toAccount(row);
  }

  async createAccount(account: AccountRecord): Promise<void> {
    try {
      await this.storage.db
        .insertInto('users')
        .values({ id: account.id, username: account.username, password_hash: account.passwordHash, created_at: account.createdAt })
        .execute();
    } catch (error) {
      throw storageError(error, `username taken: ${account.username}`);
    }
  }

  async setPasswordHash(userId: string, passwordHash: string): Promise<void> {
    await this.read(this.storage.db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', userId).execute());
  }

  private async read<T>(query: Promise<T>): Promise<T> {
    try {
      return await query;
    } catch (error) {
      throw storageError(error);
    }
  }

  /**
   * Users are saved in batches: a connect storm of new users costs one
   * transaction per tick, not one each.
   */
  saveUser(user: UserRecord): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      // One row per user and batch (the latest name wins); every caller hears the outcome.
      const waiting = this.pending.get(user.id)?.waiting ?? [];
      waiting.push({ resolve, reject });
      this.pending.set(user.id, { user, waiting });
      if (this.pending.size === 1 && waiting.length === 1) setTimeout(() => void this.flush(), USER_BATCH_MS);
    });
  }

  private readonly pending = new Map<string, { user: UserRecord; waiting: Array<{ resolve: () => void; reject: (error: unknown) => void }> }>();

  private async flush(): Promise<void> {
    const batch = [...this.pending.values()];
    this.pending.clear();
    const now = new Date().toISOString();
    try {
      await this.upsert(batch.map(({ user }) => user), now);
    } catch (error) {
      if (!isUniqueViolation(error)) return this.settle(batch, storageError(error));
      // A name another id holds (open mode lets two ids share a name): save the others, then each of these alone.
      for (const entry of batch) await this.saveAlone(entry.user, now).then(() => this.settle([entry]), (failure: unknown) => this.settle([entry], storageError(failure)));
      return;
    }
    this.settle(batch);
  }

  private async upsert(users: UserRecord[], now: string): Promise<void> {
    await this.storage.db
      .insertInto('users')
      .values(users.map((user) => ({ id: user.id, username: user.username, created_at: now })))
      .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({ username: eb.ref('excluded.username') })))
      .execute();
  }

  /**
   * Usernames are unique regardless of case (accounts need that). In open
   * mode a second id may connect with a name already held: it is stored
   * as `<name>#<id>`, so the id stays known and the name stays with its
   * first holder; the live name on the wire is still the one it gave.
   */
  private async saveAlone(user: UserRecord, now: string): Promise<void> {
    try {
      await this.upsert([user], now);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      await this.upsert([{ id: user.id, username: `${user.username}#${user.id}` }], now);
    }
  }

  private settle(batch: Array<{ waiting: Array<{ resolve: () => void; reject: (error: unknown) => void }> }>, failure?: unknown): void {
    for (const { waiting } of batch) for (const { resolve, reject } of waiting) (failure === undefined ? resolve() : reject(failure));
  }
}

function toAccount(row: { id: string; username: string; password_hash: string | null; created_at: string }): AccountRecord {
  return { id: row.id, username: row.username, passwordHash: row.password_hash, createdAt: row.created_at };
}
