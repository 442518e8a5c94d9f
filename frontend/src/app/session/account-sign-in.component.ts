import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { MAX_NAME_LENGTH, PASSWORD_MAX_LENGTH } from '@chatstream/protocol';
import { SessionStore } from './session.store';

/** Accounts mode: sign in with username and password, or create an account from the same form. */
@Component({
  selector: 'cs-account-sign-in',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'sign-in' },
  template: `
    <main class="sign-in-card" aria-labelledby="sign-in-heading">
      <h1 id="sign-in-heading">ChatStream</h1>
      <p class="lede">
        {{ canRegister() ? 'Sign in, or create an account.' : 'Sign in with the account your operator made for you.' }}
      </p>
      @if (session.ended()) {
        <p class="banner info" role="status">Your session has ended. Sign in again to continue.</p>
      }
      <form (submit)="signIn($event)" novalidate>
        <label for="username">Username</label>
        <input
          id="username"
          name="username"
          autocomplete="username"
          autocapitalize="off"
          spellcheck="false"
          required
          [attr.maxlength]="usernameMax"
          [attr.aria-invalid]="!!error()"
          aria-describedby="sign-in-error"
          [value]="username()"
          (input)="username.set(valueOf($event)); error.set('')"
        />
        <label for="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
          [attr.maxlength]="passwordMax"
          [attr.aria-invalid]="!!error()"
          [attr.aria-describedby]="canRegister() ? 'sign-in-error account-rules' : 'sign-in-error'"
          [value]="password()"
          (input)="password.set(valueOf($event)); error.set('')"
        />
        <p id="sign-in-error" class="form-error" role="alert">{{ error() }}</p>
        <button type="submit" class="primary wide" [attr.aria-disabled]="busy()">Sign in</button>
        @if (canRegister()) {
          <p class="divider"><span>New here?</span></p>
          <button type="button" class="wide" [attr.aria-disabled]="busy()" (click)="create()">Create account</button>
          <p id="account-rules" class="hint flush">
            New accounts: a username of 3–32 letters, digits, dots, dashes or underscores, and a password of 8 or more characters.
          </p>
        }
      </form>
    </main>
  `,
})
export class AccountSignInComponent {
  protected readonly session = inject(SessionStore);
  // Not 32: names from before accounts (up to 64) sign in once the operator has set a password.
  protected readonly usernameMax = MAX_NAME_LENGTH;
  protected readonly passwordMax = PASSWORD_MAX_LENGTH;
  protected readonly username = signal('');
  protected readonly password = signal('');
  protected readonly error = signal('');
  protected readonly busy = signal(false);
  protected readonly canRegister = computed(() => this.session.registration() === 'open');

  protected valueOf(event: Event): string {
    return (event.target as HTMLInputElement).value;
  }

  protected signIn(event: Event): void {
    event.preventDefault();
    void this.attempt(() => this.session.signInWithPassword(this.username(), this.password()));
  }

  protected create(): void {
    void this.attempt(() => this.session.createAccount(this.username(), this.password()));
  }

  /** One request at a time; a refusal lands in the alert. */
  private async attempt(call: () => Promise<string | null>): Promise<void> {
    if (this.busy()) return;
    this.busy.set(true);
    this.error.set('');
    try {
      const problem = await call();
      if (problem) this.error.set(problem);
    } finally {
      this.busy.set(false);
    }
  }
}
