import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { MAX_NAME_LENGTH } from '@chatstream/protocol';
import { SessionStore } from './session.store';

/** Sign in with a username (no password yet). */
@Component({
  selector: 'cs-sign-in',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'sign-in' },
  template: `
    <main class="sign-in-card" aria-labelledby="sign-in-heading">
      <h1 id="sign-in-heading">ChatStream</h1>
      <p class="lede">Rooms, private chats and who is online, in real time.</p>
      <form (submit)="submit($event)" novalidate>
        <label for="username">Username</label>
        <input
          id="username"
          name="username"
          autocomplete="username"
          autocapitalize="off"
          spellcheck="false"
          required
          [attr.maxlength]="maxLength"
          [attr.aria-invalid]="!!error()"
          aria-describedby="username-error"
          [value]="name()"
          (input)="onInput($event)"
        />
        <p id="username-error" class="form-error" role="alert">{{ error() }}</p>
        <button type="submit" class="primary wide">Join chat</button>
      </form>
    </main>
  `,
})
export class SignInComponent {
  private readonly session = inject(SessionStore);
  protected readonly maxLength = MAX_NAME_LENGTH;
  protected readonly name = signal('');
  protected readonly error = signal('');

  protected onInput(event: Event): void {
    this.name.set((event.target as HTMLInputElement).value);
    this.error.set('');
  }

  protected submit(event: Event): void {
    event.preventDefault();
    this.error.set(this.session.signIn(this.name()) ?? '');
  }
}
