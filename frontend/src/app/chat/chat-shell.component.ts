import { ChangeDetectionStrategy, Component, DestroyRef, Injector, computed, effect, inject, signal } from '@angular/core';
import { Dialog } from '@angular/cdk/dialog';
import { AccountDialogComponent } from '../account/account-dialog.component';
import { ChatSocket } from '../core/chat-socket.service';
import { DirectMessagesComponent } from '../private/direct-messages.component';
import { PrivateChatStore } from '../private/private-chat.store';
import { ReadStateStore } from '../read-state/read-state.store';
import { SearchComponent } from '../search/search.component';
import { SearchStore } from '../search/search.store';
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
 * here, so that signing out tears them all down), connects as the user (in
 * accounts mode: as the session cookie says), and lays out header, sidebar
 * (rooms, direct messages in accounts mode, online users) and the open room.
 * A session ended by the server (close code 4001) signs this device out.
 */
@Component({
  selector: 'cs-chat-shell',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RoomsNavComponent, DirectMessagesComponent, OnlineUsersComponent, RoomViewComponent, SearchComponent],
  providers: [ChatSocket, RoomsStore, ChatStore, UsersStore, PrivateChatStore, ReadStateStore, SearchStore],
  host: { class: 'shell', '[class.menu-open]': 'menuOpen()', '[class.accounts]': 'accounts' },
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
      @if (accounts) {
        <cs-search />
      }
      <div class="me">
        <span class="me-name" [title]="'Signed in as ' + user().name">{{ user().name }}</span>
        @if (accounts) {
          <button type="button" class="small" aria-haspopup="dialog" (click)="openAccount()">Account</button>
        }
        <button type="button" class="small" (click)="signOut()">Sign out</button>
      </div>
    </header>
    @if (signOutError(); as error) {
      <div class="banner error notice" role="alert">
        <span>{{ error }}</span>
        <button type="button" class="small" (click)="signOutError.set(null)">Dismiss</button>
      </div>
    }
    @if (chat.notice(); as notice) {
      <div class="banner error notice" role="alert">
        <span>The server refused a request: {{ notice }}</span>
        <button type="button" class="small" (click)="chat.dismissNotice()">Dismiss</button>
      </div>
    }
    <div class="layout">
      <aside id="sidebar" class="sidebar">
        <cs-rooms-nav (picked)="menuOpen.set(false)" />
        @if (accounts) {
          <cs-direct-messages (picked)="menuOpen.set(false)" />
        }
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
  private readonly readState = inject(ReadStateStore);
  private readonly dialog = inject(Dialog);
  private readonly injector = inject(Injector);
  protected readonly accounts = this.session.mode() === 'accounts';
  protected readonly signOutError = signal<string | null>(null);
  // Created with the shell so they listen from the first frame on.
  private readonly stores = [inject(RoomsStore), inject(UsersStore), inject(PrivateChatStore)];

  protected readonly user = computed(() => this.session.user() ?? { id: '', name: '' });
  protected readonly menuOpen = signal(false);
  protected readonly stateText = computed(() => STATE_TEXT[this.socket.state()]);
  protected readonly unreadTotal = this.readState.total;

  constructor() {
    const user = this.session.user();
    if (user) this.socket.connect(this.accounts ? 'session-cookie' : user);
    const subscriptions = [
      this.socket.sessionEnded$.subscribe(() => this.session.sessionEnded()),
      // A refused upgrade says nothing about why: the server tells whether the session is still valid.
      this.socket.refused$.subscribe(() => void this.session.verify()),
    ];
    inject(DestroyRef).onDestroy(() => {
      subscriptions.forEach((subscription) => subscription.unsubscribe());
      // Dialogs live in the root overlay: they would outlive the shell (a session ended while one is open).
      this.dialog.closeAll();
    });
    effect(() => {
      const unread = this.unreadTotal();
      document.title = unread ? `(${unread}) ChatStream` : 'ChatStream';
    });
  }

  protected async signOut(): Promise<void> {
    this.signOutError.set(await this.session.signOut());
  }

  protected openAccount(): void {
    this.dialog.open(AccountDialogComponent, {
      injector: this.injector,
      ariaLabelledBy: 'account-heading',
      panelClass: 'dialog-panel',
      width: 'min(32rem, calc(100vw - 1rem))',
      autoFocus: 'first-heading',
    });
  }
}
