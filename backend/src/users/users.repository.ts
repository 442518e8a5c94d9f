/** A user the server has seen connect at least once. */
export interface UserRecord {
  id: string;
  username: string;
}

/** Storage of known users. DI token; see `storage/`. */
export abstract class UsersRepository {
  abstract listUsers(): Promise<UserRecord[]>;
  abstract findUser(id: string): Promise<UserRecord | undefined>;
  /** Records the user, or the latest username of a known one. */
  abstract saveUser(user: UserRecord): Promise<void>;
}
