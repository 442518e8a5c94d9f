import { BadRequestException } from '@nestjs/common';
import { MAX_CONTENT_LENGTH, SHORT_CODE_PATTERN } from '@chatstream/protocol';

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
/** A grapheme that is an emoji: a pictograph (with its modifiers, joiners, variation selector), a flag, or a keycap. */
const EMOJI = /^(?:\p{Extended_Pictographic}|\p{Regional_Indicator}{2}|[#*0-9]\uFE0F?\u20E3)/u;
/** No emoji grapheme is longer (the longest ZWJ families are ~11 code points). */
const MAX_EMOJI_LENGTH = 32;

/** A reaction is one emoji (a single grapheme) or a `:short_code:`; anything else is 400. */
export function checkEmoji(emoji: string): string {
  if (SHORT_CODE_PATTERN.test(emoji)) return emoji;
  if (emoji.length > 0 && emoji.length <= MAX_EMOJI_LENGTH && EMOJI.test(emoji)) {
    const iterator = graphemes.segment(emoji)[Symbol.iterator]();
    iterator.next();
    if (iterator.next().done) return emoji;
  }
  throw new BadRequestException('emoji must be one emoji or a :short_code: of 1-32 characters a-z 0-9 _ + -');
}

/** Content of a message or an edit: 1–4000 characters, not blank. */
export function checkContent(content: string): void {
  if (content.trim().length === 0) throw new BadRequestException('content must not be empty');
  if (content.length > MAX_CONTENT_LENGTH) throw new BadRequestException(`content must be at most ${MAX_CONTENT_LENGTH} characters`);
}

/** `@name` not inside a word or an address (`bob@example.com` names nobody). */
const MENTION = /(?<![\p{L}\p{N}_.@-])@([\p{L}\p{N}_.-]{1,64})/gu;

/** The ids of the users `content` names as `@username`, resolved by `lookup`; a trailing `.` ends a sentence. */
export function mentionsIn(content: string, lookup: (username: string) => Iterable<string> | undefined): string[] {
  if (!content.includes('@')) return [];
  const ids = new Set<string>();
  for (const match of content.matchAll(MENTION)) {
    const name = match[1];
    const found = lookup(name) ?? lookup(name.replace(/[.]+$/, ''));
    if (found) for (const id of found) ids.add(id);
  }
  return [...ids];
}
