import { ChangeDetectionStrategy, Component, computed, effect, inject, signal } from '@angular/core';
import { ChatSocket } from '../core/chat-socket.service';
import { PrivateChatStore } from '../private/private-chat.store';
import { RoomsNavComponent } from '../rooms/rooms-nav.component';
import { RoomsStore } from '../rooms/rooms.store';
import { SessionStore } from '../session/session.store';
import { OnlineUsersComponent } from '../users/online-users.component';
import { UsersStore } from '../users/users.store';
import { ChatStore } from './chat.store';
import { RoomViewComponent } from './room-view.component';

const STATE_TEXT = {
  offline: 'Offline',
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
} as const;

/**
 * The signed-in app. It owns the socket and the feature stores (provided
 * here, so that signing out tears them all down), connects as the user,
 * and lays out header, sidebar (rooms, online users) and the open room.
 */
@Component({
  selector: 'cs-chat-shell',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RoomsNavComponent, OnlineUsersComponent, RoomViewComponent],
  providers: [ChatSocket, RoomsStore, ChatStore, UsersStore, PrivateChatStore],
  host: { class: 'shell', '[class.menu-open]': 'menuOpen()' },
  template: `
    <header class="app-header">
      <button
        type="button"
        class="menu-toggle icon"
        aria-controls="sidebar"
        [attr.aria-expanded]="menuOpen()"
        (click)="menuOpen.set(!menuOpen())"
      >
        <span aria-hidden="true">☰</span><span class="sr-only">Menu</span>
        @if (unreadTotal()) {
          <span class="badge dot">{{ unreadTotal() }}<span class="sr-only"> unread</span></span>
        }
      </button>
      <h1 class="brand">ChatStream</h1>
      <p role="status" class="connection" [attr.data-state]="socket.state()">
        <span class="dot" aria-hidden="true"></span>{{ stateText() }}
      </p>
      <div class="me">
        <span class="me-name" [title]="'Signed in as ' + user().name">{{ user().name }}</span>
        <button type="button" class="small" (click)="session.signOut()">Sign out</button>
      </div>
    </header>
    @if (chat.notice(); as notice) {
      <div class="banner error notice" role="alert">
        <span>The server refused a request: {{ notice }}</span>
        <button type="button" class="small" (click)="chat.dismissNotice()">Dismiss</button>
      </div>
    }
    <div class="layout">
      <aside id="sidebar" class="sidebar">
        <cs-rooms-nav (picked)="menuOpen.set(false)" />
        <cs-online-users (picked)="menuOpen.set(false)" />
      </aside>
      <div class="scrim" aria-hidden="true" (click)="menuOpen.set(false)"></div>
      <main class="main" aria-labelledby="room-heading">
        <cs-room-view />
      </main>
    </div>
  `,
})
export class ChatShellComponent {
  protected readonly session = inject(SessionStore);
  protected readonly socket = inject(ChatSocket);
  protected readonly chat = inject(ChatStore);
  private readonly privateChats = inject(PrivateChatStore);
  // Created with the shell so they listen from the first frame on.
  private readonly stores = [inject(RoomsStore), inject(UsersStore)];

  protected readonly user = computed(() => this.session.user() ?? { id: '', name: '' });
  protected readonly menuOpen = signal(false);
  protected readonly stateText = computed(() => STATE_TEXT[this.socket.state()]);
  protected readonly unreadTotal = computed(
    () => Object.values(this.chat.unread()).reduce((sum, n) => sum + n, 0) + this.privateChats.totalUnread(),
  );

  constructor() {
    const user = this.session.user();
    if (user) this.socket.connect(user);
    effect(() => {
      const unread = this.unreadTotal();
      document.title = unread ? `(${unread}) ChatStream` : 'ChatStream';
    });
  }
}
