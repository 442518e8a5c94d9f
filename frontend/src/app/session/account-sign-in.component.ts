import { ChangeDetectionStrategy, Component, ElementRef, computed, inject, signal, viewChild } from '@angular/core';
import { MAX_NAME_LENGTH, PASSWORD_MAX_LENGTH } from '@chatstream/protocol';
import { SessionStore } from './session.store';

/**
 * Accounts mode: sign in with username and password, or create an account.
 *
 * "Create account" with the fields filled creates the account from the same
 * form; with them empty it turns the form into a "Create account" form (its
 * submit button has the same name, and Enter creates), so both ways people
 * expect work.
 */
@Component({
  selector: 'cs-account-sign-in',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'sign-in' },
  template: `
    <main class="sign-in-card" aria-labelledby="sign-in-heading">
      <h1 id="sign-in-heading">ChatStream</h1>
      <p class="lede">{{ lede() }}</p>
      @if (session.ended()) {
        <p class="banner info" role="status">Your session has ended. Sign in again to continue.</p>
      }
      <form (submit)="submit($event)" novalidate>
        <label for="username">Username</label>
        <input
          #usernameInput
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
          [attr.autocomplete]="creating() ? 'new-password' : 'current-password'"
          required
          [attr.maxlength]="passwordMax"
          [attr.aria-invalid]="!!error()"
          [attr.aria-describedby]="canRegister() ? 'sign-in-error account-rules' : 'sign-in-error'"
          [value]="password()"
          (input)="password.set(valueOf($event)); error.set('')"
        />
        <p id="sign-in-error" class="form-error" role="alert">{{ error() }}</p>
        @if (creating()) {
          <button type="submit" class="primary wide" [attr.aria-disabled]="busy()">Create account</button>
          <p class="divider"><span>Have an account?</span></p>
          <button type="button" class="wide" (click)="creating.set(false); error.set('')">Use an existing account</button>
        } @else {
          <button type="submit" class="primary wide" [attr.aria-disabled]="busy()">Sign in</button>
          @if (canRegister()) {
            <p class="divider"><span>New here?</span></p>
            <button type="button" class="wide" [attr.aria-disabled]="busy()" (click)="create()">Create account</button>
          }
        }
        @if (canRegister()) {
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
  /** The form creates an account (after "Create account" on an empty form). */
  protected readonly creating = signal(false);
  protected readonly canRegister = computed(() => this.session.registration() === 'open');
  protected readonly lede = computed(() => {
    if (this.creating()) return 'Create an account: choose a username and a password.';
    return this.canRegister() ? 'Sign in, or create an account.' : 'Sign in with the account your operator made for you.';
  });
  private readonly usernameInput = viewChild.required<ElementRef<HTMLInputElement>>('usernameInput');

  protected valueOf(event: Event): string {
    return (event.target as HTMLInputElement).value;
  }

  protected submit(event: Event): void {
    event.preventDefault();
    if (this.creating()) void this.attempt(() => this.session.createAccount(this.username(), this.password()));
    else void this.attempt(() => this.session.signInWithPassword(this.username(), this.password()));
  }

  protected create(): void {
    if (!this.username().trim() && !this.password()) {
      this.creating.set(true);
      this.error.set('');
      this.usernameInput().nativeElement.focus();
      return;
    }
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
