import { ChangeDetectionStrategy, Component, ElementRef, computed, input, output, signal, viewChild } from '@angular/core';
import { MAX_CONTENT_LENGTH } from '@chatstream/protocol';
import { contentProblem } from '../core/outbox';

let nextId = 0;
/** Past this share of the limit, the composer shows how many characters are left. */
const COUNTER_FROM = MAX_CONTENT_LENGTH - 500;

/**
 * The message input: Enter sends, Shift+Enter starts a new line; content
 * over the limit is refused here with the reason in view. `send` returns
 * why the message was refused, or null once it is on its way.
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
        (input)="onInput($event)"
        (keydown.enter)="onEnter($event)"
      ></textarea>
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
  readonly sent = output<void>();
  /** The user typed something (the store throttles what it tells the server). */
  readonly typing = output<void>();

  protected readonly inputId = `composer-${++nextId}`;
  protected readonly hintId = `${this.inputId}-hint`;
  protected readonly text = signal('');
  /** A refusal from the last attempt (e.g. blank), cleared by typing. */
  private readonly refusal = signal<string | null>(null);
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
    if (this.text().trim()) this.typing.emit();
  }

  protected onEnter(event: Event): void {
    const key = event as KeyboardEvent;
    // Shift+Enter is a new line; Enter while an IME composes confirms the composition.
    if (key.shiftKey || key.isComposing) return;
    this.submit(event);
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
