/** A user the server has seen connect at least once, or an account. */
export interface UserRecord {
  id: string;
  username: string;
}

/** A user with what signing in needs. */
export interface AccountRecord extends UserRecord {
  /** Argon2id PHC string; null for a user without a password (made in AUTH=open). */
  passwordHash: string | null;
  /** ISO-8601 UTC. */
  createdAt: string;
}

/** Storage of known users and accounts. DI token; see `storage/`. */
export abstract class UsersRepository {
  abstract listUsers(): Promise<UserRecord[]>;
  abstract findUser(id: string): Promise<UserRecord | undefined>;
  /** Records the user, or the latest username of a known one. */
  abstract saveUser(user: UserRecord): Promise<void>;
  /** Every user with password state, oldest first (the operator's list). */
  abstract listAccounts(): Promise<AccountRecord[]>;
  /** The user of this name, compared regardless of case. */
  abstract findByUsername(username: string): Promise<AccountRecord | undefined>;
  /** Adds an account; a ConflictException (409) when the name is taken in any case. */
  abstract createAccount(account: AccountRecord): Promise<void>;
  abstract setPasswordHash(userId: string, passwordHash: string): Promise<void>;
}
