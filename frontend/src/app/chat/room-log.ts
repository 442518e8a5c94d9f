import type { MembershipFrame, RoomMessageFrame } from '@chatstream/protocol';

/** What a room's log holds: messages (live or from history) and join/leave lines (live only). */
export type RoomEntry = RoomMessageFrame | MembershipFrame;

/**
 * Pure functions that keep a room's log in `seq` order without duplicates,
 * whichever way a message arrives: live, in the latest page, in an older
 * page, or in a catch-up page after a reconnect. Join and leave lines carry
 * no seq: they stay where they arrived among the messages.
 */

/** Puts messages in the log, each once, at its seq's place. */
export function insertMessages(entries: readonly RoomEntry[], messages: readonly RoomMessageFrame[]): readonly RoomEntry[] {
  if (messages.length === 0) return entries;
  const known = new Set(entries.map((entry) => entry.id));
  const fresh = messages.filter((message) => !known.has(message.id));
  if (fresh.length === 0) return entries;
  const merged = [...entries];
  for (const message of [...fresh].sort((a, b) => a.seq - b.seq)) {
    // Right before the first message that comes after it; almost always the end, so look from there.
    let at = merged.length;
    for (let i = merged.length - 1; i >= 0; i--) {
      const entry = merged[i];
      if (entry.type !== 'text') continue;
      if (entry.seq < message.seq) break;
      at = i;
    }
    merged.splice(at, 0, message);
  }
  return merged;
}

/** Replaces the messages the log holds by their newer state (a higher or equal rev); others are left to insertMessages. */
export function applyUpdates(entries: readonly RoomEntry[], messages: readonly RoomMessageFrame[]): readonly RoomEntry[] {
  if (messages.length === 0) return entries;
  const newer = new Map(messages.map((message) => [message.id, message]));
  let changed = false;
  const next = entries.map((entry) => {
    const update = newer.get(entry.id);
    if (!update || entry.type !== 'text' || (entry.rev ?? 0) > (update.rev ?? 0)) return entry;
    changed = true;
    return update;
  });
  return changed ? next : entries;
}

/** The newest change the log has seen: where `changed_after` starts. */
export function lastRev(entries: readonly RoomEntry[]): number {
  let rev = 0;
  for (const entry of entries) if (entry.type === 'text' && (entry.rev ?? 0) > rev) rev = entry.rev ?? 0;
  return rev;
}

/** Appends a join or leave line unless it is already there. */
export function appendLine(entries: readonly RoomEntry[], line: MembershipFrame): readonly RoomEntry[] {
  for (let i = entries.length - 1; i >= 0; i--) if (entries[i].id === line.id) return entries;
  return [...entries, line];
}

/**
 * The seq up to which the log is complete: from its oldest message on, the
 * last seq before the first gap (0 for a log without messages). Catch-up
 * reads `after=` this, so a live message that arrived ahead of a gap is not
 * mistaken for having everything before it.
 */
export function completeThrough(entries: readonly RoomEntry[]): number {
  let through: number | undefined;
  for (const entry of entries) {
    if (entry.type !== 'text') continue;
    if (through === undefined || entry.seq === through + 1) through = entry.seq;
    else if (entry.seq > through + 1) break;
  }
  return through ?? 0;
}

/** The oldest history message of the log: the `before` of the next older page. */
export function oldestMessageId(entries: readonly RoomEntry[]): string | undefined {
  return entries.find((entry) => entry.type === 'text')?.id;
}
