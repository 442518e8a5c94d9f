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

  async findUser(id: string): Promise<UserRecord | undefined> {
    try {
      return await this.storage.db.selectFrom('users').select(['id', 'username']).where('id', '=', id).executeTakeFirst();
    } catch (error) {
      throw storageError(error);
    }
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
