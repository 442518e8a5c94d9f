/** "@" in the composer: which name is being typed at the caret, who fits, and the text once one is chosen. */

/** The "@prefix" the caret is in: `start` is the "@", `end` the end of the name typed so far. */
export interface MentionQuery {
  start: number;
  end: number;
  prefix: string;
}

/** Most suggestions shown at once. */
export const MAX_SUGGESTIONS = 8;

const NAME_CHAR = /[\p{L}\p{N}_.-]/u;
/** An "@" that starts a mention as the server reads one (not inside a word or an address), and the name up to the caret. */
const MENTION_BEFORE_CARET = /(?<![\p{L}\p{N}_.@-])@([\p{L}\p{N}_.-]{0,64})$/u;

/** The mention the caret is in, or null (text before the caret does not end in "@name"). */
export function mentionAt(text: string, caret: number): MentionQuery | null {
  const match = MENTION_BEFORE_CARET.exec(text.slice(0, caret));
  if (!match) return null;
  // A caret inside "@al|ice" replaces the whole name.
  let end = caret;
  while (end < text.length && NAME_CHAR.test(text[end])) end++;
  return { start: match.index, end, prefix: match[1] };
}

/**
 * The usernames starting with `prefix` (case does not matter), each once,
 * in alphabetical order; at most `limit`. An empty prefix lists everyone.
 */
export function suggestNames(candidates: Iterable<string>, prefix: string, limit = MAX_SUGGESTIONS): string[] {
  const wanted = prefix.toLowerCase();
  const byKey = new Map<string, string>();
  for (const name of candidates) {
    const key = name.toLowerCase();
    if (key.startsWith(wanted) && !byKey.has(key)) byKey.set(key, name);
  }
  return [...byKey.values()].sort((a, b) => a.localeCompare(b, undefined, { sensitivity: 'base' }) || a.localeCompare(b)).slice(0, limit);
}

/** The text with the query replaced by "@username " and where the caret goes (after the space). */
export function insertMention(text: string, query: MentionQuery, username: string): { text: string; caret: number } {
  const rest = text.slice(query.end);
  const inserted = `@${username}${rest.startsWith(' ') ? '' : ' '}`;
  return { text: text.slice(0, query.start) + inserted + rest, caret: query.start + inserted.length + (rest.startsWith(' ') ? 1 : 0) };
}

/** A line of a room's log, as far as who is in it goes (messages name their sender, join/leave lines the person). */
export interface PersonLine {
  type: string;
  sender: string;
  sender_id: string;
  user_id?: string;
  username?: string;
}

/**
 * Who "@" offers in a room: the people its loaded log shows (senders and
 * joiners) and whoever is online (the app has no member list; the server
 * resolves a mention against every known user), never oneself.
 */
export function roomMentionables(lines: readonly PersonLine[], online: readonly { id: string; username: string }[], selfId: string): string[] {
  const names = new Map<string, string>();
  for (const line of lines) {
    if (line.user_id && line.username) names.set(line.user_id, line.username);
    else if (line.sender_id) names.set(line.sender_id, line.sender);
  }
  for (const user of online) names.set(user.id, user.username);
  names.delete(selfId);
  return [...names.values()];
}
