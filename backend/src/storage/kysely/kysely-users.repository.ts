import { Injectable } from '@nestjs/common';
import { UserRecord, UsersRepository } from '../../users/users.repository';
import { storageError } from '../storage.errors';
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
      await this.storage.db
        .insertInto('users')
        .values(batch.map(({ user }) => ({ id: user.id, username: user.username, created_at: now })))
        .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({ username: eb.ref('excluded.username') })))
        .execute();
    } catch (error) {
      const failure = storageError(error);
      for (const { waiting } of batch) for (const { reject } of waiting) reject(failure);
      return;
    }
    for (const { waiting } of batch) for (const { resolve } of waiting) resolve();
  }
}
