/**
 * Which characters client text may hold (the contract's "Characters" rule).
 * Names and ids are shown in lists, logs and terminals: no control
 * characters, no bidirectional controls (they reorder what is shown around
 * them, so one name could pass for another) and no unpaired surrogates (not
 * text: they cannot be encoded as UTF-8). Content may also hold line breaks
 * and tabs.
 */

/** Regular-expression source matching an unpaired surrogate: a high one not followed by a low one, or a low one not preceded by a high one. */
export const LONE_SURROGATE = '[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]';
const NAME_FORBIDDEN = new RegExp(`[\\u0000-\\u001F\\u007F-\\u009F\\u200E\\u200F\\u202A-\\u202E\\u2066-\\u2069]|${LONE_SURROGATE}`);
const CONTENT_FORBIDDEN = new RegExp(`[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]|${LONE_SURROGATE}`);

/** A user id, username, room id or room name holds only characters that display as themselves. */
export function isSafeName(value: string): boolean {
  return !NAME_FORBIDDEN.test(value);
}

/** Message content: as a name, but line breaks (`\n`, `\r`) and tabs are allowed and bidirectional text is content. */
export function isSafeContent(value: string): boolean {
  return !CONTENT_FORBIDDEN.test(value);
}

/** The reason given when a name or id breaks the rule, e.g. `user_id must not contain control characters…`. */
export const unsafeNameMessage = (field: string): string =>
  `${field} must not contain control characters, bidirectional controls or unpaired surrogates`;
export const unsafeContentMessage = (field: string): string =>
  `${field} must not contain control characters (other than line breaks and tabs) or unpaired surrogates`;

/** Deepest nesting of arrays and objects a REST body or frame may have (the top-level object is 1). */
export const MAX_JSON_DEPTH = 16;
