/** Longest message content, in characters (UTF-16 code units, as JS counts). */
export const MAX_CONTENT_LENGTH = 4000;
/** Longest room name, user id or username. */
export const MAX_NAME_LENGTH = 64;
/** Longest room description. */
export const MAX_DESCRIPTION_LENGTH = 500;
/** Largest WebSocket frame the server accepts; larger ones close the socket with 1009. */
export const MAX_FRAME_BYTES = 64 * 1024;
/** A client with more than this many bytes queued for it is disconnected. */
export const MAX_BUFFERED_BYTES = 1024 * 1024;
/** Messages replayed to a seed-level connection right after it joins a room. */
export const SEED_HISTORY_REPLAY = 100;
/** `GET /api/rooms/:id/messages` page size: default and allowed range. */
export const HISTORY_DEFAULT_LIMIT = 50;
export const HISTORY_MAX_LIMIT = 200;
/** `GET /api/search`: page size (default and allowed range) and the longest `q`. */
export const SEARCH_DEFAULT_LIMIT = 20;
export const SEARCH_MAX_LIMIT = 50;
export const MAX_SEARCH_QUERY_LENGTH = 200;
/** Longest `client_id` (idempotency key) of a text frame or `POST /api/messages`. */
export const MAX_CLIENT_ID_LENGTH = 64;

/** The room that always exists. */
export const DEFAULT_ROOM_ID = 'general';
export const DEFAULT_ROOM_NAME = 'General Chat';

/** `sender` of frames the server itself writes. */
export const SYSTEM_SENDER = 'System';
export const WELCOME_TEXT = 'Welcome to the chat!';

/** Query parameter value that selects protocol level 2 on `/api/ws`. */
export const PROTOCOL_LEVEL_2 = '2';
export type ProtocolLevel = 1 | 2;

/** WebSocket close codes the server uses. */
export const CloseCode = {
  GoingAway: 1001,
  PolicyViolation: 1008,
  MessageTooBig: 1009,
  /** Accounts mode: the connection's session ended (sign-out, revoked, expired). */
  SessionEnded: 4001,
} as const;

/** Most distinct emoji on one message; a 21st is refused (409). */
export const MAX_REACTIONS_PER_MESSAGE = 20;
/** A `:short_code:` reaction: 1–32 of these between colons. */
export const SHORT_CODE_PATTERN = /^:[a-z0-9_+-]{1,32}:$/;
/** Typing frames forwarded per user and target: at most one in this many ms. */
export const TYPING_THROTTLE_MS = 2000;
/** How long a client shows "… is typing". */
export const TYPING_SHOW_MS = 5000;
/** A client sends a `read` frame per room or conversation at most once in this many ms. */
export const READ_THROTTLE_MS = 1000;
