import { Injectable } from '@nestjs/common';
import { UserRecord, UsersRepository } from '../../users/users.repository';
import { storageError } from '../storage.errors';
import { KyselyStorage } from '../storage-health';

@Injectable()
export class KyselyUsersRepository extends UsersRepository {
  constructor(private readonly storage: KyselyStorage) {
    super();
  }

  async listUsers(): Promise<UserRecord[]> {
    return this.storage.db.selectFrom('users').select(['id', 'username']).execute();
  }

  async saveUser({ id, username }: UserRecord): Promise<void> {
    try {
      await this.storage.db
        .insertInto('users')
        .values({ id, username, created_at: new Date().toISOString() })
        .onConflict((oc) => oc.column('id').doUpdateSet({ username }))
        .execute();
    } catch (error) {
      throw storageError(error);
    }
  }
}
