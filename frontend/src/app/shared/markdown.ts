import MarkdownIt from 'markdown-it';
import type { StateCore, Token } from 'markdown-it';

/**
 * Message text as a small, safe subset of Markdown: **bold**, *italic*,
 * `inline code`, fenced code blocks, links (`[text](https://…)` and bare
 * URLs) that open in a new tab, line breaks; `@name` of a user the server
 * resolved shows as a mention. Anything else (headings, lists, images,
 * tables, raw HTML, entities) stays the text that was typed, escaped.
 *
 * markdown-it from its 'zero' preset with only these rules on, `html: false`
 * (tags are text), and a link validator that admits http, https and mailto
 * only; the output still goes through Angular's sanitizer ([innerHTML]).
 */
const md = new MarkdownIt('zero', { html: false, linkify: true, breaks: true });
md.enable(['emphasis', 'backticks', 'fence', 'link', 'linkify', 'newline', 'escape']);
// Only what is plainly a URL (with its scheme) becomes a link: "file.ts" or "a@b.c" stay text.
md.linkify.set({ fuzzyLink: false, fuzzyEmail: false });

const SAFE_URL = /^(?:https?:|mailto:)/i;
md.validateLink = (url: string) => SAFE_URL.test(url.trim());

md.renderer.rules['link_open'] = (tokens, index, options, _env, self) => {
  const token = tokens[index];
  token.attrSet('target', '_blank');
  token.attrSet('rel', 'noopener noreferrer');
  return self.renderToken(tokens, index, options);
};

/** `@name` not inside a word or an address, as the server reads mentions (backend/src/messages/message-rules.ts). */
const MENTION = /(?<![\p{L}\p{N}_.@-])@([\p{L}\p{N}_.-]{1,64})/gu;

/** What a render needs to mark mentions. */
export interface MentionContext {
  /** Lower-case usernames the server resolved in this message (its `mentions`, as names). */
  names: ReadonlySet<string>;
  /** The signed-in user's name, lower case: their mention is marked "mention-me" too. */
  self: string;
}

interface MentionEnv {
  mentions?: MentionContext;
}

md.core.ruler.push('mention', (state: StateCore) => {
  const context = (state.env as MentionEnv).mentions;
  if (!context || context.names.size === 0) return;
  for (const block of state.tokens) {
    if (block.type !== 'inline' || !block.children) continue;
    const children: Token[] = [];
    let inLink = 0;
    for (const token of block.children) {
      if (token.type === 'link_open') inLink++;
      if (token.type === 'link_close') inLink--;
      if (token.type === 'text' && inLink === 0 && token.content.includes('@')) children.push(...splitMentions(state, token, context));
      else children.push(token);
    }
    block.children = children;
  }
});

/** A text token as text and mention tokens; names that are no resolved user stay text. */
function splitMentions(state: StateCore, token: Token, context: MentionContext): Token[] {
  const text = token.content;
  const parts: Token[] = [];
  let from = 0;
  for (const match of text.matchAll(MENTION)) {
    // "@bob." at the end of a sentence names bob.
    const name = match[1].replace(/[.]+$/, '');
    const key = name.toLowerCase();
    if (!context.names.has(key)) continue;
    const at = match.index ?? 0;
    if (at > from) parts.push(textToken(state, text.slice(from, at)));
    const mention = new state.Token('mention', 'span', 0);
    mention.content = `@${name}`;
    mention.meta = { me: key === context.self };
    parts.push(mention);
    from = at + 1 + name.length;
  }
  if (parts.length === 0) return [token];
  if (from < text.length) parts.push(textToken(state, text.slice(from)));
  return parts;
}

function textToken(state: StateCore, content: string): Token {
  const token = new state.Token('text', '', 0);
  token.content = content;
  return token;
}

md.renderer.rules['mention'] = (tokens, index) => {
  const token = tokens[index];
  const escaped = md.utils.escapeHtml(token.content);
  return (token.meta as { me: boolean }).me ? `<span class="mention mention-me">${escaped}</span>` : `<span class="mention">${escaped}</span>`;
};

/** Message text as HTML of the safe subset; every character of `text` that is not Markdown syntax is escaped. */
export function renderMarkdown(text: string, mentions?: MentionContext): string {
  // Without the trailing newline: "(edited)" follows the last line.
  return md.render(text, { mentions } satisfies MentionEnv).trimEnd();
}

/** The names to mark in a message: its `mentions` (user ids the server resolved) by name, where known. */
export function mentionContext(
  mentionIds: readonly string[],
  usernameOf: (id: string) => string | undefined,
  self: { id: string; name: string },
): MentionContext {
  const names = new Set<string>();
  for (const id of mentionIds) {
    const name = id === self.id && self.name ? self.name : usernameOf(id);
    if (name) names.add(name.toLowerCase());
  }
  return { names, self: self.name.toLowerCase() };
}
