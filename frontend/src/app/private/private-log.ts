import type { PrivateMessageFrame } from '@chatstream/protocol';

/**
 * Pure functions that keep a private conversation's messages in server order
 * without duplicates, whichever way a message arrives: live, in the latest
 * page, in an older page, or in a catch-up page after a reconnect. (Private
 * messages carry no `seq`, so pages are merged by the ids they share.)
 */

type Log = readonly PrivateMessageFrame[];

/** Appends a live message unless it is already there. */
export function appendLive(messages: Log, message: PrivateMessageFrame): Log {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i].id === message.id) return messages;
  return [...messages, message];
}

/** Puts an older page (from `before=<first message>`) in front. */
export function prependOlder(messages: Log, page: Log): Log {
  const known = new Set(messages.map((message) => message.id));
  const fresh = page.filter((message) => !known.has(message.id));
  return fresh.length ? [...fresh, ...messages] : messages;
}

/**
 * Merges the latest page into what is known: the first load (live messages
 * may already be there) and the catch-up after a reconnect. Messages of the
 * page that are new go right after the known message that precedes them in
 * the page. When the page shares nothing with the log, a gap lies between
 * them: the known messages older than the page are dropped (history pages
 * them in again on scroll) and those newer than it are kept after it.
 */
export function mergeLatest(messages: Log, page: Log): Log {
  if (page.length === 0) return messages;
  const position = new Map(messages.map((message, index) => [message.id, index]));
  const firstShared = page.findIndex((message) => position.has(message.id));
  if (firstShared === -1) {
    const newest = page[page.length - 1].timestamp;
    return [...page, ...messages.filter((message) => message.timestamp > newest)];
  }
  // Insertions are collected per known position, then spliced in one pass.
  const before = new Map<number, PrivateMessageFrame[]>();
  let cursor = position.get(page[firstShared].id) ?? 0;
  const insertAt = (at: number, message: PrivateMessageFrame) => {
    const list = before.get(at);
    if (list) list.push(message);
    else before.set(at, [message]);
  };
  for (let i = 0; i < firstShared; i++) insertAt(cursor, page[i]);
  for (let i = firstShared; i < page.length; i++) {
    const at = position.get(page[i].id);
    if (at !== undefined) cursor = at + 1;
    else insertAt(cursor, page[i]);
  }
  if (before.size === 0) return messages;
  const merged: PrivateMessageFrame[] = [];
  for (let i = 0; i <= messages.length; i++) {
    const inserted = before.get(i);
    if (inserted) merged.push(...inserted);
    if (i < messages.length) merged.push(messages[i]);
  }
  return merged;
}
