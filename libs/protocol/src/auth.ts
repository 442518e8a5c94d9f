import type { PrivateMessageFrame } from './frames';
import type { ReadState } from './rest';

/* REST shapes of accounts mode (`/api/auth/*`, `/api/conversations*`). */

export type AuthMode = 'accounts' | 'open';

export interface AuthConfigResponse {
  auth: AuthMode;
  registration: 'open' | 'closed';
}

export interface AuthUserInfo {
  id: string;
  username: string;
}

/** Body of `POST /api/auth/register` and `POST /api/auth/login`. */
export interface CredentialsRequest {
  username: string;
  password: string;
}

/** Answer of register (201) and login (200); the session cookie comes with it. */
export interface SignInResponse {
  user: AuthUserInfo;
  token: string;
}

export interface MeResponse {
  user: AuthUserInfo;
}

export interface AuthSessionInfo {
  /** Not the token. */
  id: string;
  created_at: string;
  last_used_at: string;
  user_agent: string | null;
  /** The session of this request. */
  current: boolean;
}

export interface SessionsResponse {
  sessions: AuthSessionInfo[];
}

export interface Conversation extends ReadState {
  user: AuthUserInfo;
  last_message: PrivateMessageFrame;
}

export interface ConversationsResponse {
  /** Most recent first. */
  conversations: Conversation[];
}

export interface PrivateMessagesResponse {
  /** Oldest first. */
  messages: PrivateMessageFrame[];
}

/** Username rules of registration. */
export const USERNAME_PATTERN_SOURCE = '^[A-Za-z0-9._-]{3,32}$';
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 1024;
