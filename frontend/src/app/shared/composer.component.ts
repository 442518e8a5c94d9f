import { ChangeDetectionStrategy, Component, ElementRef, computed, input, output, signal, viewChild } from '@angular/core';
import { MAX_CONTENT_LENGTH } from '@chatstream/protocol';
import { contentProblem } from '../core/outbox';
import { insertMention, mentionAt, suggestNames, type MentionQuery } from './mention-suggest';

let nextId = 0;
/** Past this share of the limit, the composer shows how many characters are left. */
const COUNTER_FROM = MAX_CONTENT_LENGTH - 500;

/**
 * The message input: Enter sends, Shift+Enter starts a new line; content
 * over the limit is refused here with the reason in view. `send` returns
 * why the message was refused, or null once it is on its way.
 * "@" suggests the `mentionable` names that fit what follows it (a listbox
 * the text box points into with aria-activedescendant: ArrowUp/ArrowDown
 * move, Enter or Tab choose, Escape closes; a click chooses too).
 */
@Component({
  selector: 'cs-composer',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <form class="composer" (submit)="submit($event)">
      <label class="sr-only" [for]="inputId">{{ label() }}</label>
      <textarea
        #field
        [id]="inputId"
        rows="1"
        [value]="text()"
        [placeholder]="placeholder()"
        [attr.aria-invalid]="tooLong()"
        [attr.aria-describedby]="hintId"
        aria-autocomplete="list"
        [attr.aria-controls]="suggestions().length ? listId : null"
        [attr.aria-activedescendant]="suggestions().length ? optionId(active()) : null"
        (input)="onInput($event)"
        (keydown)="onKeydown($event)"
        (click)="findMention()"
        (blur)="query.set(null)"
      ></textarea>
      @if (suggestions().length) {
        <ul class="mention-suggestions" role="listbox" [id]="listId" aria-label="Mention suggestions">
          @for (name of suggestions(); track name; let i = $index) {
            <li
              role="option"
              [id]="optionId(i)"
              [attr.aria-selected]="i === active()"
              [class.active]="i === active()"
              (mousedown)="$event.preventDefault()"
              (click)="choose(name)"
            >&#64;{{ name }}</li>
          }
        </ul>
      }
      <button type="submit" class="primary" [disabled]="!sendable()">Send</button>
      <p class="composer-hint" [class.error]="!!problem()" [id]="hintId" aria-live="polite">
        @if (problem(); as problem) {
          {{ problem }}
        } @else if (offline()) {
          Offline: messages wait here and go out when the connection is back.
        } @else if (counter()) {
          {{ counter() }}
        }
      </p>
    </form>
  `,
})
export class ComposerComponent {
  readonly send = input.required<(content: string) => string | null>();
  readonly placeholder = input('');
  /** The text box's accessible name. */
  readonly label = input('Message');
  /** Shows that messages will wait for the connection. */
  readonly offline = input(false);
  /** Usernames "@" suggests (the room's people, or the other person of a private chat). */
  readonly mentionable = input<readonly string[]>([]);
  readonly sent = output<void>();
  /** The user typed something (the store throttles what it tells the server). */
  readonly typing = output<void>();

  protected readonly inputId = `composer-${++nextId}`;
  protected readonly hintId = `${this.inputId}-hint`;
  protected readonly listId = `${this.inputId}-mentions`;
  protected readonly text = signal('');
  /** A refusal from the last attempt (e.g. blank), cleared by typing. */
  private readonly refusal = signal<string | null>(null);
  /** The "@name" being typed at the caret (null: none, or closed with Escape). */
  protected readonly query = signal<MentionQuery | null>(null);
  protected readonly suggestions = computed(() => {
    const query = this.query();
    return query ? suggestNames(this.mentionable(), query.prefix) : [];
  });
  /** The highlighted suggestion. */
  protected readonly active = signal(0);
  private readonly field = viewChild.required<ElementRef<HTMLTextAreaElement>>('field');

  protected readonly tooLong = computed(() => this.text().length > MAX_CONTENT_LENGTH);
  protected readonly problem = computed(() => (this.tooLong() ? contentProblem(this.text()) : this.refusal()));
  protected readonly sendable = computed(() => this.text().trim().length > 0 && !this.tooLong());
  protected readonly counter = computed(() => {
    const length = this.text().length;
    return length > COUNTER_FROM ? `${(MAX_CONTENT_LENGTH - length).toLocaleString('en-US')} characters left` : '';
  });

  focus(): void {
    this.field().nativeElement.focus();
  }

  protected onInput(event: Event): void {
    this.text.set((event.target as HTMLTextAreaElement).value);
    this.refusal.set(null);
    this.findMention();
    if (this.text().trim()) this.typing.emit();
  }

  protected onKeydown(event: KeyboardEvent): void {
    // Enter while an IME composes confirms the composition.
    if (event.isComposing) return;
    const suggestions = this.suggestions();
    if (suggestions.length > 0 && this.onSuggestionKey(event, suggestions)) {
      event.preventDefault();
      // Escape closes the list, not the dialog around the composer.
      event.stopPropagation();
      return;
    }
    // Shift+Enter is a new line.
    if (event.key === 'Enter' && !event.shiftKey) this.submit(event);
  }

  /** Handles a key of the open list; false: not one of its keys. */
  private onSuggestionKey(event: KeyboardEvent, suggestions: readonly string[]): boolean {
    switch (event.key) {
      case 'ArrowDown':
        this.active.set((this.active() + 1) % suggestions.length);
        return true;
      case 'ArrowUp':
        this.active.set((this.active() - 1 + suggestions.length) % suggestions.length);
        return true;
      case 'Enter':
      case 'Tab':
        if (event.shiftKey) return false;
        this.choose(suggestions[Math.min(this.active(), suggestions.length - 1)]);
        return true;
      case 'Escape':
        this.query.set(null);
        return true;
      default:
        return false;
    }
  }

  /** Opens (or narrows, or closes) the suggestions for where the caret is now. */
  protected findMention(): void {
    const field = this.field().nativeElement;
    const query = field.selectionStart === field.selectionEnd ? mentionAt(field.value, field.selectionStart) : null;
    if (query?.prefix !== this.query()?.prefix) this.active.set(0);
    this.query.set(query);
  }

  protected choose(name: string): void {
    const query = this.query();
    if (!query) return;
    const field = this.field().nativeElement;
    const { text, caret } = insertMention(field.value, query, name);
    field.value = text;
    field.setSelectionRange(caret, caret);
    this.text.set(text);
    this.query.set(null);
    field.focus();
  }

  protected optionId(index: number): string {
    return `${this.listId}-${index}`;
  }

  protected submit(event: Event): void {
    event.preventDefault();
    const refusal = contentProblem(this.text()) ?? this.send()(this.text());
    this.refusal.set(refusal);
    if (refusal === null) {
      this.text.set('');
      this.field().nativeElement.value = '';
      this.sent.emit();
    }
  }
}
