import type { MembershipFrame, RoomMessageFrame } from '@chatstream/protocol';

/** What a room's log holds: messages (live or from history) and join/leave lines (live only). */
export type RoomEntry = RoomMessageFrame | MembershipFrame;

/**
 * Pure functions that keep a room's log in server order without duplicates,
 * whichever way an entry arrives: live, in the latest page, in an older page,
 * or in a catch-up page after a reconnect.
 */

/** Appends a live entry unless it is already there. */
export function appendLive(entries: readonly RoomEntry[], entry: RoomEntry): readonly RoomEntry[] {
  for (let i = entries.length - 1; i >= 0; i--) if (entries[i].id === entry.id) return entries;
  return [...entries, entry];
}

/** Puts an older page (from `before=<first message>`) in front. */
export function prependOlder(entries: readonly RoomEntry[], page: readonly RoomEntry[]): readonly RoomEntry[] {
  const known = new Set(entries.map((entry) => entry.id));
  const fresh = page.filter((entry) => !known.has(entry.id));
  return fresh.length ? [...fresh, ...entries] : entries;
}

/**
 * Merges the room's latest page into what is known: the first load (live
 * entries may already be there) and the catch-up after a reconnect. Entries
 * of the page that are new go right after the known entry that precedes them
 * in the page. When the page shares nothing with the log, a gap lies between
 * them: the known entries older than the page are dropped (history pages them
 * in again on scroll) and those newer than it are kept after it.
 */
export function mergeLatest(entries: readonly RoomEntry[], page: readonly RoomEntry[]): readonly RoomEntry[] {
  if (page.length === 0) return entries;
  const position = new Map(entries.map((entry, index) => [entry.id, index]));
  const firstShared = page.findIndex((entry) => position.has(entry.id));
  if (firstShared === -1) {
    const newest = page[page.length - 1].timestamp;
    return [...page, ...entries.filter((entry) => entry.timestamp > newest)];
  }
  // Insertions are collected per known position, then spliced in one pass.
  const before = new Map<number, RoomEntry[]>();
  let cursor = position.get(page[firstShared].id) ?? 0;
  const insertAt = (at: number, entry: RoomEntry) => {
    const list = before.get(at);
    if (list) list.push(entry);
    else before.set(at, [entry]);
  };
  for (let i = 0; i < firstShared; i++) insertAt(cursor, page[i]);
  for (let i = firstShared; i < page.length; i++) {
    const at = position.get(page[i].id);
    if (at !== undefined) cursor = at + 1;
    else insertAt(cursor, page[i]);
  }
  if (before.size === 0) return entries;
  const merged: RoomEntry[] = [];
  for (let i = 0; i <= entries.length; i++) {
    const inserted = before.get(i);
    if (inserted) merged.push(...inserted);
    if (i < entries.length) merged.push(entries[i]);
  }
  return merged;
}

/** The oldest history message of the log: the `before` of the next older page. */
export function oldestMessageId(entries: readonly RoomEntry[]): string | undefined {
  return entries.find((entry) => entry.type === 'text')?.id;
}
