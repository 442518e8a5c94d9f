/** A session as stored: never the token, only its hash. */
export interface SessionRecord {
  /** Public id: listed to its user and used to end it. */
  id: string;
  /** SHA-256 (hex) of the token. */
  tokenHash: string;
  userId: string;
  /** ISO-8601 UTC. */
  createdAt: string;
  lastUsedAt: string;
  userAgent: string | null;
}

/** A session with its user's name, as authentication needs it. */
export interface SessionWithUser extends SessionRecord {
  username: string;
}

/** Storage of sessions. DI token; see `storage/`. */
export abstract class SessionsRepository {
  abstract create(session: SessionRecord): Promise<void>;
  abstract findByTokenHash(tokenHash: string): Promise<SessionWithUser | undefined>;
  /** Sessions of a user, most recently used first. */
  abstract listForUser(userId: string): Promise<SessionRecord[]>;
  /** Of these session ids, the ones that still exist. */
  abstract existing(ids: string[]): Promise<Set<string>>;
  abstract touch(ids: string[], lastUsedAt: string): Promise<void>;
  /** Ends a session; false when there was none of that id (for that user, when given). */
  abstract delete(id: string, userId?: string): Promise<boolean>;
  /** Ends every session of a user; returns their ids. */
  abstract deleteForUser(userId: string): Promise<string[]>;
  /** Removes sessions last used before `lastUsedBefore`; returns how many. */
  abstract deleteUnusedSince(lastUsedBefore: string): Promise<number>;
}
