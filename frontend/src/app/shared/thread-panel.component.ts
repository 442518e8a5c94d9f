import { ChangeDetectionStrategy, Component, computed, input, output } from '@angular/core';
import { ComposerComponent } from './composer.component';
import { mentionContext, renderMarkdown } from './markdown';
import type { LogEntry } from './message-log.component';

interface ThreadLine {
  id: string;
  sender: string;
  deleted: boolean;
  html: string;
}

/**
 * The region "Thread" beside a room or in a private chat: the parent with
 * "N replies", its replies (text as safe Markdown), and a composer
 * "Reply" when one may answer.
 */
@Component({
  selector: 'cs-thread-panel',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ComposerComponent],
  template: `
    <section class="thread" role="region" aria-label="Thread">
      <header class="thread-header">
        <h3>Thread</h3>
        <button type="button" (click)="closed.emit()">Close thread</button>
      </header>
      @if (parentLine(); as parent) {
        <div class="thread-parent">
          <span class="sender">{{ parent.sender }}</span>:
          @if (parent.deleted) {
            <span class="deleted">This message was deleted</span>
          } @else {
            <div class="md" [innerHTML]="parent.html"></div>
          }
          <span class="replies"> {{ replyCount() === 1 ? '1 reply' : replyCount() + ' replies' }}</span>
        </div>
      }
      <ol class="thread-replies" aria-label="Replies">
        @for (reply of lines(); track reply.id) {
          <li>
            <span class="sender">{{ reply.sender }}</span>:
            @if (reply.deleted) {
              <span class="deleted">This message was deleted</span>
            } @else {
              <div class="md" [innerHTML]="reply.html"></div>
            }
          </li>
        }
      </ol>
      @if (canReply()) {
        <cs-composer [send]="send()" label="Reply" placeholder="Reply in thread" [offline]="offline()" [mentionable]="mentionable()" />
      }
    </section>
  `,
})
export class ThreadPanelComponent {
  readonly parent = input<LogEntry | undefined>();
  readonly replies = input.required<readonly LogEntry[]>();
  readonly canReply = input(true);
  readonly send = input.required<(content: string) => string | null>();
  readonly offline = input(false);
  readonly mentionable = input<readonly string[]>([]);
  readonly selfId = input('');
  readonly selfName = input('');
  /** A user's name for mentions (falls back to the senders shown). */
  readonly nameOf = input<(userId: string) => string | undefined>(() => undefined);
  readonly closed = output<void>();

  private readonly usernameOf = computed(() => {
    const lookup = this.nameOf();
    const senders = new Map([this.parent(), ...this.replies()].filter((e) => e !== undefined).map((e) => [e.sender_id, e.sender]));
    return (id: string) => lookup(id) ?? senders.get(id);
  });
  protected readonly replyCount = computed(() => this.parent()?.reply_count ?? 0);
  protected readonly parentLine = computed(() => {
    const parent = this.parent();
    return parent ? this.line(parent) : undefined;
  });
  protected readonly lines = computed(() => this.replies().map((reply) => this.line(reply)));

  private line(entry: LogEntry): ThreadLine {
    const mentions = mentionContext(entry.mentions ?? [], this.usernameOf(), { id: this.selfId(), name: this.selfName() });
    return { id: entry.id, sender: entry.sender, deleted: entry.deleted === true, html: entry.deleted ? '' : renderMarkdown(entry.content, mentions) };
  }
}
