import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { ChatShellComponent } from './chat/chat-shell.component';
import { SessionStore } from './session/session.store';
import { SignInComponent } from './session/sign-in.component';

@Component({
  selector: 'cs-root',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ChatShellComponent, SignInComponent],
  host: { '(window:storage)': 'session.syncFromStorage()' },
  // Tracked by user id: another user (signed in from another tab) gets a fresh shell, socket and stores.
  template: `
    @for (user of signedIn(); track user.id) {
      <cs-chat-shell />
    } @empty {
      <cs-sign-in />
    }
  `,
})
export class AppComponent {
  protected readonly session = inject(SessionStore);
  protected readonly signedIn = computed(() => {
    const user = this.session.user();
    return user ? [user] : [];
  });
}
