import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { ChatShellComponent } from './chat/chat-shell.component';
import { AccountSignInComponent } from './session/account-sign-in.component';
import { SessionStore } from './session/session.store';
import { SignInComponent } from './session/sign-in.component';

@Component({
  selector: 'cs-root',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ChatShellComponent, SignInComponent, AccountSignInComponent],
  host: { '(window:storage)': 'session.syncFromStorage()' },
  // Nothing until the server has said its mode (and, with accounts, who the session is): no flash of the wrong view.
  // Tracked by user id: another user (signed in from another tab) gets a fresh shell, socket and stores.
  template: `
    @if (session.mode(); as mode) {
      @for (user of signedIn(); track user.id) {
        <cs-chat-shell />
      } @empty {
        @if (mode === 'accounts') {
          <cs-account-sign-in />
        } @else {
          <cs-sign-in />
        }
      }
    } @else if (session.startError(); as error) {
      <div class="sign-in">
        <main class="sign-in-card" aria-labelledby="start-heading">
          <h1 id="start-heading">ChatStream</h1>
          <p class="form-error" role="alert">{{ error }}</p>
          <button type="button" class="primary wide" (click)="session.start()">Try again</button>
        </main>
      </div>
    }
  `,
})
export class AppComponent {
  protected readonly session = inject(SessionStore);
  protected readonly signedIn = computed(() => {
    const user = this.session.user();
    return user ? [user] : [];
  });

  constructor() {
    void this.session.start();
  }
}
