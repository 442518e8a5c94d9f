import { ChangeDetectionStrategy, Component, ElementRef, Injector, computed, inject, signal } from '@angular/core';
import { Dialog } from '@angular/cdk/dialog';
import type { SearchResult } from '@chatstream/protocol';
import { openPrivateChat } from '../private/private-chat-dialog.component';
import { PrivateChatStore } from '../private/private-chat.store';
import { RoomsStore } from '../rooms/rooms.store';
import { SessionStore } from '../session/session.store';
import { UsersStore } from '../users/users.store';
import { excerpt, splitHighlights, type Segment } from './highlight';
import { SearchStore } from './search.store';

const timeFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

interface ResultRow {
  result: SearchResult;
  /** The room's name, or "Private · <the other person>". */
  where: string;
  sender: string;
  timestamp: string;
  time: string;
  parts: Segment[];
}

/**
 * "Search messages": a search box whose results ("Search results") drop
 * down under it; choosing one (click, or Enter on it) opens its room or
 * private chat scrolled to the message, highlighted. Arrow keys move
 * between box and results; Escape closes them.
 */
@Component({
  selector: 'cs-search',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'search', '(document:pointerdown)': 'onOutside($event)', '(keydown.escape)': 'close(true)' },
  template: `
    <input
      #box
      type="search"
      class="search-box"
      aria-label="Search messages"
      placeholder="Search messages"
      autocomplete="off"
      [value]="search.query()"
      (input)="onInput(box.value)"
      (focus)="open.set(true)"
      (keydown.enter)="search.submit(); open.set(true)"
      (keydown.arrowdown)="move($event, 0)"
    />
    @if (showing()) {
      <div id="search-panel" class="search-panel" (keydown.arrowdown)="step($event, 1)" (keydown.arrowup)="step($event, -1)">
        @switch (search.status()) {
          @case ('error') {
            <p class="banner error" role="alert">Search failed: {{ search.error() }}</p>
          }
          @case ('searching') {
            <p class="hint" role="status">Searching…</p>
          }
          @case ('done') {
            <p class="hint" role="status">{{ summary() }}</p>
          }
        }
        @if (rows().length > 0) {
          <ul class="search-results" aria-label="Search results" [attr.aria-busy]="search.status() === 'searching'">
            @for (row of rows(); track row.result.id) {
              <li>
                <button type="button" class="search-result" (click)="choose(row.result)">
                  <span class="result-meta">
                    <span class="result-where">{{ row.where }}</span>
                    <span class="sender">{{ row.sender }}</span>
                    <time [attr.datetime]="row.timestamp">{{ row.time }}</time>
                  </span>
                  <span class="result-content">@for (part of row.parts; track $index) {@if (part.mark) {<mark>{{ part.text }}</mark>} @else {{{ part.text }}}}</span>
                </button>
              </li>
            }
          </ul>
        }
      </div>
    }
  `,
})
export class SearchComponent {
  protected readonly search = inject(SearchStore);
  private readonly rooms = inject(RoomsStore);
  private readonly session = inject(SessionStore);
  private readonly users = inject(UsersStore);
  private readonly privateChats = inject(PrivateChatStore);
  private readonly dialog = inject(Dialog);
  private readonly injector = inject(Injector);
  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef);

  protected readonly open = signal(false);
  protected readonly showing = computed(() => this.open() && this.search.query().trim() !== '' && this.search.status() !== 'idle');
  protected readonly summary = computed(() => {
    const count = this.search.results().length;
    if (count === 0) return `No messages match “${this.search.query().trim()}”.`;
    return count === 1 ? '1 message found' : `${count} messages found`;
  });

  protected readonly rows = computed<ResultRow[]>(() => {
    const me = this.session.user()?.id;
    const roomNames = new Map(this.rooms.rooms().map((room) => [room.id, room.name]));
    return this.search.results().map((result) => {
      const cut = excerpt(result.content, result.highlights);
      return {
        result,
        where: result.type === 'text' ? (roomNames.get(result.room) ?? result.room) : `Private · ${this.peerName(result)}`,
        sender: result.sender_id === me ? 'You' : result.sender,
        timestamp: result.timestamp,
        time: timeFormat.format(new Date(result.timestamp)),
        parts: splitHighlights(cut.content, cut.highlights),
      };
    });
  });

  protected onInput(value: string): void {
    this.open.set(true);
    this.search.type(value);
  }

  protected choose(result: SearchResult): void {
    this.close(false);
    this.search.choose(result);
    if (result.type === 'private') {
      const peerId = this.search.keyOf(result).slice('dm:'.length);
      openPrivateChat(this.dialog, this.injector, { id: peerId, name: this.peerName(result) });
    }
  }

  /** Escape, a choice or a click elsewhere: the results close (the query stays; focusing the box shows them again). */
  protected close(refocus: boolean): void {
    if (!this.open()) return;
    this.open.set(false);
    if (refocus) this.box()?.focus();
  }

  protected onOutside(event: Event): void {
    if (!this.host.nativeElement.contains(event.target as Node)) this.open.set(false);
  }

  /** Arrow down from the box: the first result. */
  protected move(event: Event, index: number): void {
    const buttons = this.buttons();
    if (buttons.length === 0) return;
    event.preventDefault();
    buttons[index]?.focus();
  }

  /** Arrow keys between results (up from the first: back to the box). */
  protected step(event: Event, by: number): void {
    const buttons = this.buttons();
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (at < 0) return;
    event.preventDefault();
    const next = at + by;
    if (next < 0) this.box()?.focus();
    else buttons[Math.min(next, buttons.length - 1)].focus();
  }

  private peerName(result: SearchResult): string {
    const me = this.session.user()?.id;
    if (result.sender_id !== me) return result.sender;
    const peerId = result.type === 'private' ? result.recipient : '';
    return (
      this.privateChats.conversation(peerId)?.peerName ?? this.users.online().find((user) => user.id === peerId)?.username ?? peerId
    );
  }

  private box(): HTMLInputElement | null {
    return this.host.nativeElement.querySelector('input');
  }

  private buttons(): HTMLButtonElement[] {
    return Array.from(this.host.nativeElement.querySelectorAll<HTMLButtonElement>('.search-result'));
  }
}
