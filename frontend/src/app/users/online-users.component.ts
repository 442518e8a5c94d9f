import { ChangeDetectionStrategy, Component, Injector, computed, inject, output } from '@angular/core';
import { Dialog } from '@angular/cdk/dialog';
import { openPrivateChat } from '../private/private-chat-dialog.component';
import { dmKey } from '../read-state/badges';
import { ReadStateStore } from '../read-state/read-state.store';
import { PrivateChatStore } from '../private/private-chat.store';
import { SessionStore } from '../session/session.store';
import { UsersStore } from './users.store';

interface Person {
  id: string;
  username: string;
  online: boolean;
  unread: number;
}

/**
 * "Online users": everyone else online, each a button that opens a private
 * chat. In open mode people one has a conversation with stay listed (as
 * offline) when they leave, so their unread messages stay in reach; in
 * accounts mode "Direct messages" lists the conversations.
 */
@Component({
  selector: 'cs-online-users',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="panel" aria-labelledby="online-users-heading">
      <div class="panel-header">
        <h2 id="online-users-heading">Online users</h2>
        <span class="count">{{ onlineCount() }}</span>
      </div>
      @if (people().length === 0) {
        <p class="hint">Nobody else is online.</p>
      }
      <ul class="user-list">
        @for (person of people(); track person.id) {
          <li>
            <button type="button" class="user-item" [class.offline]="!person.online" (click)="openChat(person)">
              <span class="presence" [class.on]="person.online" aria-hidden="true"></span>
              <span class="user-name">{{ person.username }}</span>
              @if (!person.online) {
                <span class="offline-note">offline</span>
              }
              @if (person.unread) {
                <span class="badge">{{ person.unread }}<span class="sr-only"> unread</span></span>
              }
            </button>
          </li>
        }
      </ul>
    </section>
  `,
})
export class OnlineUsersComponent {
  private readonly users = inject(UsersStore);
  private readonly privateChats = inject(PrivateChatStore);
  private readonly readState = inject(ReadStateStore);
  private readonly listsAway = inject(SessionStore).mode() !== 'accounts';
  private readonly dialog = inject(Dialog);
  private readonly injector = inject(Injector);
  readonly picked = output<void>();

  protected readonly onlineCount = computed(() => this.users.others().length);
  protected readonly people = computed<Person[]>(() => {
    const conversations = this.privateChats.conversations();
    const unread = (id: string) => this.readState.unread(dmKey(id));
    const online = this.users.others().map((user) => ({
      id: user.id,
      username: user.username,
      online: true,
      unread: unread(user.id),
    }));
    if (!this.listsAway) return online;
    const onlineIds = new Set(online.map((person) => person.id));
    const away = Object.values(conversations)
      .filter((c) => !onlineIds.has(c.peerId))
      .map((c) => ({ id: c.peerId, username: c.peerName, online: false, unread: unread(c.peerId) }));
    return [...online, ...away];
  });

  protected openChat(person: Person): void {
    openPrivateChat(this.dialog, this.injector, { id: person.id, name: person.username });
    this.picked.emit();
  }
}
