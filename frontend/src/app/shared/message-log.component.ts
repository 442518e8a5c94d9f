import {
  ChangeDetectionStrategy,
  Component,
  ElementRef,
  afterRenderEffect,
  computed,
  effect,
  input,
  linkedSignal,
  output,
  signal,
  untracked,
  viewChild,
} from '@angular/core';
import type { Reaction } from '@chatstream/protocol';
import type { PendingMessage, PendingStatus } from '../core/outbox';
import { mentionContext, renderMarkdown } from './markdown';

/** The picker's emoji: a dozen common ones, no emoji library at run time. */
export const PICKER_EMOJI = ['👍', '👎', '😄', '🎉', '😕', '❤️', '🚀', '👀', '🙏', '😂', '✅', '🔥'] as const;

/** A change the reader asks for on a message (the log only says what; the store sends it). */
export interface EditRequest {
  id: string;
  content: string;
}
export interface ReactionRequest {
  id: string;
  emoji: string;
}

/** What the log shows of a frame: room messages, private messages and join/leave lines all fit. */
export interface LogEntry {
  id: string;
  type: string;
  sender: string;
  sender_id: string;
  content: string;
  timestamp: string;
  /** Place in its room or conversation (messages only): what "read up to" counts. */
  seq?: number;
  edited_at?: string | null;
  deleted?: boolean;
  reactions?: Reaction[];
  reply_count?: number;
  mentions?: string[];
}

interface ReactionButton {
  emoji: string;
  count: number;
  mine: boolean;
  /** "👍 2: alice, bob" */
  label: string;
}

interface Row {
  id: string;
  seq?: number;
  event: boolean;
  mine: boolean;
  /** First of a run of one sender's messages: shows name and time. */
  head: boolean;
  sender: string;
  content: string;
  /** The content as safe Markdown HTML (see markdown.ts). */
  html: string;
  timestamp: string;
  time: string;
  fullTime: string;
  edited: boolean;
  deleted: boolean;
  mentionsMe: boolean;
  reactions: ReactionButton[];
  replyCount: number;
  /** The first unread message when the view opened: "New messages" goes above it. */
  firstNew: boolean;
  /** The message a search result opened. */
  found: boolean;
}

/** Ask to scroll to a message and highlight it (a new object each time, so the same message can be asked for again). */
export interface FocusRequest {
  id: string;
}

/** Older pages loaded at most while looking for a focused message that is not loaded yet. */
const FOCUS_MAX_PAGES = 20;

/** Items rendered while following the end. */
const WINDOW = 150;
/** Items added to the rendered window per step while scrolling. */
const STEP = 60;
/** Most items ever rendered at once, whatever is loaded (10,000 stays smooth). */
export const MAX_RENDERED = 300;
/** Distance from an edge of the rendered content that extends the window (or loads older history). */
const EDGE_PX = 400;
/** Closer than this to the bottom counts as "at the bottom". */
const BOTTOM_SLACK_PX = 24;
/** Messages of one sender closer together than this form one group. */
const GROUP_GAP_MS = 5 * 60_000;

const STATUS_TEXT: Record<PendingStatus, string> = {
  queued: 'Waiting for connection…',
  sending: 'Sending…',
  unconfirmed: 'Sending again…',
  failed: 'Not delivered.',
};

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayTimeFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'medium' });

/**
 * A chat log that renders a bounded window of its entries (hand-written:
 * CDK's virtual scroll needs a fixed item height, and messages are not).
 * It follows new entries only while scrolled to the bottom, keeps the entry
 * at the top of the view in place when entries are added above or the
 * window moves, and asks for older history at the top.
 */
@Component({
  selector: 'cs-message-log',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'message-log', '(document:visibilitychange)': 'onVisibilityChange()' },
  template: `
    <div
      #viewport
      class="viewport"
      role="log"
      [attr.aria-label]="label()"
      aria-live="polite"
      aria-relevant="additions"
      tabindex="0"
      (scroll)="onScroll()"
    >
      @if (loadingOlder()) {
        <p class="hint">Loading older messages…</p>
      } @else if (atBeginning() && beginning()) {
        <p class="hint">{{ beginning() }}</p>
      }
      <ol #list class="entries">
        @for (row of rows(); track row.id) {
          @if (row.firstNew) {
            <li class="divider new-divider" [attr.data-id]="'new:' + row.id"><span role="separator" aria-label="New messages">New messages</span></li>
          }
          @if (row.event) {
            <li class="event" [attr.data-id]="row.id">
              {{ row.content }} <time [attr.datetime]="row.timestamp" [title]="row.fullTime">{{ row.time }}</time>
            </li>
          } @else {
            <li
              class="message"
              [class.mine]="row.mine"
              [class.head]="row.head"
              [class.found]="row.found"
              [attr.aria-current]="row.found ? 'true' : null"
              [attr.data-id]="row.id"
              [attr.data-seq]="row.seq"
              (keydown.escape)="picking.set(null)"
            >
              @if (row.head) {
                <p class="meta">
                  <span class="sender">{{ row.mine ? 'You' : row.sender }}</span>
                  <time [attr.datetime]="row.timestamp" [title]="row.fullTime">{{ row.time }}</time>
                </p>
              } @else {
                <span class="sr-only">{{ row.mine ? 'You' : row.sender }}, {{ row.time }}:</span>
              }
              @if (editing() === row.id) {
                <textarea
                  class="edit-box"
                  aria-label="Edit message"
                  [value]="row.content"
                  (keydown.enter)="saveEdit($event, row.id)"
                  (keydown.escape)="editing.set(null)"
                ></textarea>
              } @else if (row.deleted) {
                <p class="content deleted">This message was deleted</p>
              } @else {
                <div class="content" [class.mention]="row.mentionsMe"><div class="md" [innerHTML]="row.html"></div>@if (row.edited) {<span class="edited"> (edited)</span>}</div>
              }
              @if (row.reactions.length > 0) {
                <ul class="reactions" aria-label="Reactions">
                  @for (reaction of row.reactions; track reaction.emoji) {
                    <li>
                      <button type="button" class="reaction" [class.mine]="reaction.mine" [attr.aria-pressed]="reaction.mine" [attr.aria-label]="reaction.label" [title]="reaction.label" (click)="react.emit({ id: row.id, emoji: reaction.emoji })">
                        {{ reaction.emoji }} {{ reaction.count }}
                      </button>
                    </li>
                  }
                </ul>
              }
              @if (row.replyCount > 0) {
                <button type="button" class="link replies" (click)="replyInThread.emit(row.id)">{{ row.replyCount === 1 ? '1 reply' : row.replyCount + ' replies' }}</button>
              }
              @if (actions() && !row.deleted && editing() !== row.id) {
                <div class="actions" role="group" aria-label="Message actions">
                  @if (row.mine) {
                    <button type="button" (click)="editing.set(row.id)">Edit</button>
                    <button type="button" (click)="remove.emit(row.id)">Delete</button>
                  }
                  <button type="button" [attr.aria-expanded]="picking() === row.id" (click)="picking.set(picking() === row.id ? null : row.id)">React</button>
                  <button type="button" (click)="replyInThread.emit(row.id)">Reply in thread</button>
                </div>
              }
              @if (picking() === row.id) {
                <div class="picker" role="dialog" aria-label="Choose a reaction">
                  @for (emoji of pickerEmoji; track emoji) {
                    <button type="button" [attr.aria-label]="emoji" (click)="pick(row.id, emoji)">{{ emoji }}</button>
                  }
                </div>
              }
            </li>
          }
        }
        @if (atEnd()) {
          @for (item of pending(); track item.localId) {
            <li class="message mine pending" [class.failed]="item.status === 'failed'" [attr.data-id]="item.localId">
              <p class="content">{{ item.content }}</p>
              <p class="status">
                {{ statusText[item.status] }}
                @if (item.status === 'failed') {
                  <button type="button" class="link" (click)="retry.emit(item.localId)">Retry</button>
                  <button type="button" class="link" (click)="discard.emit(item.localId)">Discard</button>
                }
              </p>
            </li>
          }
        }
      </ol>
      @if (empty()) {
        <p class="hint">{{ emptyText() }}</p>
      }
    </div>
    @if (!following() && entries().length > 0) {
      <button type="button" class="jump" (click)="jumpToLatest()">Jump to latest</button>
    }
  `,
})
export class MessageLogComponent {
  readonly entries = input.required<readonly LogEntry[]>();
  readonly pending = input<readonly PendingMessage[]>([]);
  readonly selfId = input.required<string>();
  /** Changing it (another room) starts the log over at the bottom. */
  readonly key = input<string>('');
  readonly label = input('Messages');
  readonly hasOlder = input(false);
  readonly loadingOlder = input(false);
  /** Shown above the first entry once no older history exists. */
  readonly beginning = input('');
  readonly emptyText = input('No messages yet.');
  readonly loadOlder = output<void>();
  readonly retry = output<string>();
  readonly discard = output<string>();
  /** Show Edit / Delete / React / Reply in thread on each message. */
  readonly actions = input(false);
  /** A user's name for reaction labels (falls back to the id). */
  readonly nameOf = input<(userId: string) => string | undefined>(() => undefined);
  /** The signed-in user's name: mentions of it are marked in the text. */
  readonly selfName = input('');
  readonly edit = output<EditRequest>();
  readonly remove = output<string>();
  readonly react = output<ReactionRequest>();
  readonly replyInThread = output<string>();
  /** Messages of others with a seq above this are new: "New messages" goes above the first (null: no divider). */
  readonly newAfter = input<number | null>(null);
  /** Scroll to this message (loading older pages until it is there) and highlight it. */
  readonly focus = input<FocusRequest | null>(null);
  /** The newest seq on screen grew (while the page is visible): it has been read. */
  readonly seen = output<number>();
  /** The focused message is in view: the request is done (its highlight stays until the log shows another room). */
  readonly focused = output<void>();

  protected readonly pickerEmoji = PICKER_EMOJI;
  /** The message being edited in place. */
  protected readonly editing = signal<string | null>(null);
  /** The message whose reaction picker is open. */
  protected readonly picking = signal<string | null>(null);

  protected readonly statusText = STATUS_TEXT;
  /** Rendered Markdown per entry (entries are replaced, never changed, when a message changes). */
  private readonly htmlCache = new WeakMap<LogEntry, { names: string; html: string }>();
  private readonly viewport = viewChild.required<ElementRef<HTMLElement>>('viewport');
  private readonly list = viewChild.required<ElementRef<HTMLOListElement>>('list');

  /**
   * The rendered window as the ids of its first and last entries; null ends
   * mean "the last WINDOW entries" and "to the end".
   */
  private readonly window = linkedSignal<string, { first: string | null; last: string | null }>({
    source: () => this.key(),
    computation: () => ({ first: null, last: null }),
  });
  /** Scrolled to the very end: new entries scroll into view. */
  protected readonly following = linkedSignal({ source: () => this.key(), computation: () => true });
  /** The entry at the top of the view and its offset from the viewport's top, kept across re-renders. */
  private anchor: { id: string; offset: number } | null = null;
  /** The newest seq reported through `seen` since the key changed. */
  private seenSeq = 0;
  private seenKey = '';
  /** A focus request waiting for its message to be rendered, and the older pages it asked for. */
  private readonly scrollTo = signal<string | null>(null);
  private focusPages = 0;
  private focusSought: FocusRequest | null = null;
  private focusHandled: FocusRequest | null = null;
  /** The message a focus request brought into view. */
  private readonly highlighted = linkedSignal<string, string | null>({ source: () => this.key(), computation: () => null });

  private readonly indexOf = computed(() => new Map(this.entries().map((entry, index) => [entry.id, index])));

  protected readonly range = computed(() => {
    const count = this.entries().length;
    const { first, last } = this.window();
    const index = this.indexOf();
    const end = last === null ? count : (index.get(last) ?? count - 1) + 1;
    const start = first === null ? end - WINDOW : (index.get(first) ?? end - WINDOW);
    return { start: Math.max(0, start, end - MAX_RENDERED), end };
  });

  protected readonly atEnd = computed(() => this.range().end === this.entries().length);
  protected readonly atBeginning = computed(() => this.range().start === 0 && !this.hasOlder());
  protected readonly empty = computed(() => this.entries().length === 0 && this.pending().length === 0);

  protected readonly rows = computed<Row[]>(() => {
    const entries = this.entries();
    const self = this.selfId();
    const { start, end } = this.range();
    const rows: Row[] = [];
    const names = new Map<string, string>();
    for (const entry of entries) if (entry.sender_id) names.set(entry.sender_id, entry.sender);
    const lookup = this.nameOf();
    const newAfter = this.newAfter();
    const firstNew = newAfter === null ? -1 : entries.findIndex((entry) => entry.seq !== undefined && entry.seq > newAfter && entry.sender_id !== self && !entry.deleted);
    const foundId = this.highlighted();
    const nameOf = (id: string) => (id === self ? 'you' : (lookup(id) ?? names.get(id) ?? id));
    const usernameOf = (id: string) => lookup(id) ?? names.get(id);
    const selfUser = { id: self, name: this.selfName() };
    for (let i = start; i < end; i++) {
      const entry = entries[i];
      const previous = entries[i - 1];
      const event = entry.type === 'join' || entry.type === 'leave';
      const head =
        i === firstNew ||
        !previous ||
        previous.type === 'join' ||
        previous.type === 'leave' ||
        previous.sender_id !== entry.sender_id ||
        Date.parse(entry.timestamp) - Date.parse(previous.timestamp) > GROUP_GAP_MS;
      const date = new Date(entry.timestamp);
      rows.push({
        id: entry.id,
        seq: entry.seq,
        firstNew: i === firstNew,
        found: entry.id === foundId,
        event,
        mine: entry.sender_id === self,
        head,
        sender: entry.sender,
        content: entry.content,
        html: event || entry.deleted ? '' : this.html(entry, usernameOf, selfUser),
        timestamp: entry.timestamp,
        time: (isToday(date) ? timeFormat : dayTimeFormat).format(date),
        fullTime: fullFormat.format(date),
        edited: !!entry.edited_at,
        deleted: entry.deleted === true,
        mentionsMe: !!self && (entry.mentions ?? []).includes(self),
        reactions: (entry.reactions ?? []).map((r) => ({
          emoji: r.emoji,
          count: r.count,
          mine: r.user_ids.includes(self),
          label: `${r.emoji} ${r.count}: ${r.user_ids.map(nameOf).join(', ')}`,
        })),
        replyCount: entry.reply_count ?? 0,
      });
    }
    return rows;
  });

  constructor() {
    afterRenderEffect(() => {
      this.rows();
      this.pending();
      this.scrollTo();
      untracked(() => this.settle());
    });
    effect(() => {
      const focus = this.focus();
      const index = focus ? this.indexOf().get(focus.id) : undefined;
      const hasOlder = this.hasOlder();
      const loadingOlder = this.loadingOlder();
      untracked(() => this.seekFocus(focus, index, hasOlder, loadingOlder));
    });
  }

  /** Brings a focused message into the rendered window, loading older pages (a few) until it is loaded. */
  private seekFocus(focus: FocusRequest | null, index: number | undefined, hasOlder: boolean, loadingOlder: boolean): void {
    if (!focus || focus === this.focusHandled) return;
    if (focus !== this.focusSought) {
      this.focusSought = focus;
      this.focusPages = 0;
    }
    if (index === undefined) {
      if (hasOlder && !loadingOlder && this.focusPages < FOCUS_MAX_PAGES) {
        this.focusPages++;
        this.loadOlder.emit();
      }
      return;
    }
    this.focusHandled = focus;
    // Reading them first lets a key change that came with the request reset them before the request sets them.
    this.window();
    this.following();
    this.highlighted();
    const ids = this.entries();
    const first = Math.max(0, index - WINDOW / 2);
    const last = Math.min(ids.length - 1, index + WINDOW / 2);
    this.following.set(false);
    this.window.set({ first: ids[first].id, last: last === ids.length - 1 ? null : ids[last].id });
    this.highlighted.set(focus.id);
    this.scrollTo.set(focus.id);
    this.focused.emit();
  }

  private html(entry: LogEntry, usernameOf: (id: string) => string | undefined, self: { id: string; name: string }): string {
    const mentions = mentionContext(entry.mentions ?? [], usernameOf, self);
    const names = [...mentions.names].join(' ');
    const cached = this.htmlCache.get(entry);
    if (cached?.names === names) return cached.html;
    const html = renderMarkdown(entry.content, mentions);
    this.htmlCache.set(entry, { names, html });
    return html;
  }

  /** Enter saves the edit (Shift+Enter is a new line). */
  protected saveEdit(event: Event, id: string): void {
    if ((event as KeyboardEvent).shiftKey) return;
    event.preventDefault();
    const content = (event.target as HTMLTextAreaElement).value;
    this.editing.set(null);
    if (content.trim()) this.edit.emit({ id, content });
  }

  protected pick(id: string, emoji: string): void {
    this.picking.set(null);
    this.react.emit({ id, emoji });
  }

  /** Back to the newest entries (after one sends, or from the button). */
  jumpToLatest(): void {
    this.window.set({ first: null, last: null });
    this.following.set(true);
    const viewport = this.viewport().nativeElement;
    viewport.scrollTop = viewport.scrollHeight;
  }

  protected onScroll(): void {
    const viewport = this.viewport().nativeElement;
    this.captureAnchor();
    const below = viewport.scrollHeight - viewport.scrollTop - viewport.clientHeight;
    const { start, end } = this.range();
    if (below <= BOTTOM_SLACK_PX && this.atEnd()) {
      if (!this.following()) this.following.set(true);
      if (this.window().first !== null || this.window().last !== null) this.window.set({ first: null, last: null });
    } else if (this.following() || this.window().first === null) {
      // Reading back: pin the window so that new entries neither move it nor drop what is in view.
      this.following.set(false);
      const ids = this.entries();
      if (end > start) this.window.set({ first: ids[start].id, last: this.window().last });
    }
    this.reachEdges();
    this.reportSeen();
  }

  /** After a render: show a focused message, stick to the bottom, or put the anchored entry back where it was. */
  private settle(): void {
    const viewport = this.viewport().nativeElement;
    const target = this.scrollTo();
    const focused = target === null ? undefined : this.rowElement(target);
    if (focused) {
      focused.scrollIntoView?.({ block: 'center' });
      this.scrollTo.set(null);
      this.captureAnchor();
    } else if (this.following()) {
      viewport.scrollTop = viewport.scrollHeight;
    } else if (this.anchor) {
      const node = this.rowElement(this.anchor.id);
      if (node) viewport.scrollTop += this.offsetOf(node) - this.anchor.offset;
    }
    this.reachEdges();
    this.reportSeen();
  }

  /** The page became visible again: what is on screen now has been seen. */
  protected onVisibilityChange(): void {
    this.reportSeen();
  }

  /** Emits the newest seq at least partly on screen, when it grew; nothing while the page is hidden. */
  private reportSeen(): void {
    if (this.seenKey !== this.key()) {
      this.seenKey = this.key();
      this.seenSeq = 0;
    }
    if (typeof document !== 'undefined' && document.visibilityState === 'hidden') return;
    const viewport = this.viewport().nativeElement.getBoundingClientRect();
    if (viewport.height === 0) return;
    const children = Array.from(this.list().nativeElement.children) as HTMLElement[];
    for (let i = children.length - 1; i >= 0; i--) {
      const seq = Number(children[i].dataset['seq']);
      if (!seq) continue;
      const box = children[i].getBoundingClientRect();
      if (box.top >= viewport.bottom || box.bottom <= viewport.top) continue;
      if (seq > this.seenSeq) {
        this.seenSeq = seq;
        this.seen.emit(seq);
      }
      return;
    }
  }

  private reachEdges(): void {
    const viewport = this.viewport().nativeElement;
    // Without layout (hidden, or not rendered yet) every edge looks near: wait for a real one.
    if (viewport.clientHeight === 0) return;
    const below = viewport.scrollHeight - viewport.scrollTop - viewport.clientHeight;
    if (viewport.scrollTop < EDGE_PX) this.extendUp();
    else if (below < EDGE_PX && !this.atEnd()) this.extendDown();
  }

  private extendUp(): void {
    const { start, end } = this.range();
    if (start === 0) {
      if (this.hasOlder() && !this.loadingOlder()) this.loadOlder.emit();
      return;
    }
    this.captureAnchor();
    const ids = this.entries();
    const first = Math.max(0, start - STEP);
    const last = end - first > MAX_RENDERED ? first + MAX_RENDERED - 1 : null;
    if (last !== null) this.following.set(false);
    this.window.set({ first: ids[first].id, last: last === null ? this.window().last : ids[last].id });
  }

  private extendDown(): void {
    const { start, end } = this.range();
    const ids = this.entries();
    this.captureAnchor();
    const last = Math.min(ids.length, end + STEP);
    const first = last - start > MAX_RENDERED ? last - MAX_RENDERED : start;
    this.window.set({ first: ids[first].id, last: last === ids.length ? null : ids[last - 1].id });
  }

  /** Remembers the first entry visible at the top of the viewport. */
  private captureAnchor(): void {
    const top = this.viewport().nativeElement.getBoundingClientRect().top;
    for (const child of Array.from(this.list().nativeElement.children) as HTMLElement[]) {
      if (child.getBoundingClientRect().bottom > top) {
        const id = child.dataset['id'];
        this.anchor = id ? { id, offset: this.offsetOf(child) } : null;
        return;
      }
    }
    this.anchor = null;
  }

  private rowElement(id: string): HTMLElement | undefined {
    return (Array.from(this.list().nativeElement.children) as HTMLElement[]).find((child) => child.dataset['id'] === id);
  }

  private offsetOf(node: HTMLElement): number {
    return node.getBoundingClientRect().top - this.viewport().nativeElement.getBoundingClientRect().top;
  }
}

function isToday(date: Date): boolean {
  const now = new Date();
  return date.getFullYear() === now.getFullYear() && date.getMonth() === now.getMonth() && date.getDate() === now.getDate();
}
