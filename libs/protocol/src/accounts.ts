import type { PrivateMessageFrame } from './frames';

/* REST shapes of accounts mode (`AUTH=accounts`): `/api/auth/*` and `/api/conversations*`. */

/** `accounts`: people sign in with a password; `open`: a client says who it is (the original trust model). */
export type AuthMode = 'accounts' | 'open';

/** `closed`: only the operator's command line makes accounts. */
export type RegistrationMode = 'open' | 'closed';

/** `GET /api/auth/config` (public). */
export interface AuthConfigResponse {
  auth: AuthMode;
  registration: RegistrationMode;
}

/** An account as the server names it. */
export interface AccountUser {
  id: string;
  username: string;
}

/** Body of `POST /api/auth/register` and `POST /api/auth/login`. */
export interface CredentialsRequest {
  username: string;
  password: string;
}

/** Answer of register (201) and login (200); the session cookie comes with it. */
export interface SignedInResponse {
  user: AccountUser;
  /** The session token, for scripts that use `Authorization: Bearer`; the web app relies on the cookie. */
  token: string;
}

/** `GET /api/auth/me`. */
export interface MeResponse {
  user: AccountUser;
}

/** One of the signed-in user's sessions; `id` is not the token. */
export interface SessionInfo {
  id: string;
  created_at: string;
  last_used_at: string;
  user_agent: string;
  /** The session of the request that asked. */
  current: boolean;
}

/** `GET /api/auth/sessions`. */
export interface SessionsResponse {
  sessions: SessionInfo[];
}

/** A private conversation of the signed-in user. */
export interface ConversationSummary {
  /** The other person. */
  user: AccountUser;
  last_message: PrivateMessageFrame;
}

/** `GET /api/conversations`: most recent first. */
export interface ConversationsResponse {
  conversations: ConversationSummary[];
}

/** `GET /api/conversations/:userId/messages`: oldest first, paged as room history. */
export interface PrivateMessagesResponse {
  messages: PrivateMessageFrame[];
}

/** The close code of a socket whose session ended (logout, revocation): the client signs in again, it does not reconnect. */
export const SESSION_ENDED_CLOSE_CODE = 4001;

/** Account names: 3–32 letters, digits, `.`, `_`, `-` (unique regardless of case). */
export const USERNAME_PATTERN = /^[A-Za-z0-9._-]{3,32}$/;
export const USERNAME_MIN_LENGTH = 3;
export const USERNAME_MAX_LENGTH = 32;
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 1024;
