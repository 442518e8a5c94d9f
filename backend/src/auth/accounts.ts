import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AccountRecord, UsersRepository } from '../users/users.repository';
import { checkNewPassword, checkNewUsername } from './credentials';
import { PasswordHasher } from './passwords';

/**
 * Making accounts and setting passwords, by the rules of `credentials.ts`:
 * what registration and the operator's command line share.
 */
@Injectable()
export class Accounts {
  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
  ) {}

  /** Checks a new account's name and password (400), and that the name is free in any case (409). */
  async checkNew(username: string, password: string): Promise<void> {
    checkNewUsername(username);
    checkNewPassword(password, username);
    if (await this.users.findByUsername(username)) throw new ConflictException(`username taken: ${username}`);
  }

  /** Makes the account (call `checkNew` first); 409 when the name was taken meanwhile. */
  async create(username: string, password: string, now: Date): Promise<AccountRecord> {
    const account: AccountRecord = { id: randomUUID(), username, passwordHash: await this.hasher.hash(password), createdAt: now.toISOString() };
    await this.users.createAccount(account);
    return account;
  }

  /** Sets the password of the user of this name (any case); 404 for no such user. */
  async setPassword(username: string, password: string): Promise<AccountRecord> {
    const account = await this.find(username);
    checkNewPassword(password, account.username);
    await this.users.setPasswordHash(account.id, await this.hasher.hash(password));
    return account;
  }

  async find(username: string): Promise<AccountRecord> {
    const account = await this.users.findByUsername(username);
    if (!account) throw new NotFoundException(`no user named ${username}`);
    return account;
  }
}
