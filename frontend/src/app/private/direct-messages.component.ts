import { ChangeDetectionStrategy, Component, Injector, computed, inject, output } from '@angular/core';
import { Dialog } from '@angular/cdk/dialog';
import { SessionStore } from '../session/session.store';
import { UsersStore } from '../users/users.store';
import { openPrivateChat } from './private-chat-dialog.component';
import { PrivateChatStore } from './private-chat.store';
import { dmKey } from '../read-state/badges';
import { ReadStateStore } from '../read-state/read-state.store';
import { UnreadBadgeComponent } from '../read-state/unread-badge.component';

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });

/**
 * "Direct messages" (accounts mode): one's private conversations, most
 * recent first, each with the last message; a button opens the chat.
 */
@Component({
  selector: 'cs-direct-messages',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [UnreadBadgeComponent],
  template: `
    <nav class="panel" aria-labelledby="direct-messages-heading">
      <div class="panel-header">
        <h2 id="direct-messages-heading">Direct messages</h2>
      </div>
      @if (chats.listError(); as error) {
        <p class="banner error">{{ error }}</p>
      }
      @if (rows().length === 0) {
        <p class="hint">No conversations yet. Pick someone under Online users to write to them.</p>
      }
      <ul class="user-list">
        @for (row of rows(); track row.id) {
          <li>
            <button type="button" class="user-item dm-item" (click)="open(row)">
              <span class="presence" [class.on]="row.online" aria-hidden="true"></span>
              <span class="dm-text">
                <span class="dm-line">
                  <span class="user-name">{{ row.name }}</span>
                  <time class="dm-time" [attr.datetime]="row.timestamp">{{ row.time }}</time>
                </span>
                <span class="dm-preview">{{ row.preview }}</span>
              </span>
              <cs-unread-badge [unread]="row.unread" [mentions]="row.mentions" />
            </button>
          </li>
        }
      </ul>
    </nav>
  `,
})
export class DirectMessagesComponent {
  protected readonly chats = inject(PrivateChatStore);
  private readonly users = inject(UsersStore);
  private readonly session = inject(SessionStore);
  private readonly readState = inject(ReadStateStore);
  private readonly dialog = inject(Dialog);
  private readonly injector = inject(Injector);
  /** A conversation was picked (the phone layout closes its drawer). */
  readonly picked = output<void>();

  protected readonly rows = computed(() => {
    const me = this.session.user()?.id;
    return this.chats.recent().map((c) => {
      const last = c.last;
      const date = last ? new Date(last.timestamp) : undefined;
      return {
        id: c.peerId,
        name: c.peerName,
        online: this.users.isOnline(c.peerId),
        unread: this.readState.unread(dmKey(c.peerId)),
        mentions: this.readState.mentions(dmKey(c.peerId)),
        timestamp: last?.timestamp ?? '',
        time: date ? (isToday(date) ? timeFormat : dayFormat).format(date) : '',
        preview: last ? `${last.sender_id === me ? 'You: ' : ''}${oneLine(last.content)}` : '',
      };
    });
  });

  protected open(row: { id: string; name: string }): void {
    openPrivateChat(this.dialog, this.injector, row);
    this.picked.emit();
  }
}

/** The start of a message on one line (the list ellipsizes the rest). */
function oneLine(content: string): string {
  return content.replace(/\s+/g, ' ').trim().slice(0, 120);
}

function isToday(date: Date): boolean {
  return date.toDateString() === new Date().toDateString();
}
