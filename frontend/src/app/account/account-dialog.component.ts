import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { DialogRef } from '@angular/cdk/dialog';
import { SessionStore } from '../session/session.store';
import { AccountStore } from './account.store';
import { deviceName } from './device-name';

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const UNITS: ReadonlyArray<readonly [Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 86_400],
  ['month', 30 * 86_400],
  ['week', 7 * 86_400],
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
];

/** "5 minutes ago", "yesterday"; under a minute "just now". */
export function ago(iso: string, now = Date.now()): string {
  const seconds = Math.round((now - Date.parse(iso)) / 1000);
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return relativeFormat.format(-Math.round(seconds / size), unit);
  }
  return 'just now';
}

/** "Account": who one is and the sessions of the account, each with "End session". */
@Component({
  selector: 'cs-account-dialog',
  changeDetection: ChangeDetectionStrategy.OnPush,
  providers: [AccountStore],
  template: `
    <div class="dialog account">
      <div class="dialog-header">
        <h2 id="account-heading">Account</h2>
        <button type="button" class="icon" aria-label="Close" (click)="ref.close()">✕</button>
      </div>
      <div class="dialog-body">
        <p>
          Signed in as <strong>{{ name() }}</strong>
        </p>
        <h3 id="sessions-heading">Sessions</h3>
        <p class="hint flush">Each device or script signed in to your account. Ending a session signs it out at once.</p>
        @if (account.error(); as error) {
          <p class="banner error" role="alert">{{ error }}</p>
        }
        @if (account.loading() && rows().length === 0) {
          <p class="hint flush">Loading sessions…</p>
        }
        <ul class="session-list" aria-labelledby="sessions-heading">
          @for (row of rows(); track row.id) {
            <li class="session-item" [class.current]="row.current">
              <div class="session-text">
                <p class="session-device" [id]="'session-' + row.id">
                  {{ row.device }}
                  @if (row.current) {
                    <span class="tag">This device</span>
                  }
                </p>
                <p class="session-meta">
                  Last used <time [attr.datetime]="row.lastUsed" [title]="row.lastUsedFull">{{ row.lastUsedAgo }}</time>
                </p>
                <p class="session-meta">
                  Signed in <time [attr.datetime]="row.created">{{ row.createdText }}</time>
                </p>
              </div>
              <button
                type="button"
                class="small danger"
                [attr.aria-describedby]="'session-' + row.id"
                [disabled]="account.ending().has(row.id)"
                (click)="account.end(row.id)"
              >
                End session
              </button>
            </li>
          }
        </ul>
      </div>
    </div>
  `,
})
export class AccountDialogComponent {
  protected readonly ref = inject(DialogRef);
  protected readonly account = inject(AccountStore);
  private readonly session = inject(SessionStore);

  protected readonly name = computed(() => this.session.user()?.name ?? '');
  protected readonly rows = computed(() =>
    this.account.sessions().map((s) => ({
      id: s.id,
      current: s.current,
      device: deviceName(s.user_agent),
      lastUsed: s.last_used_at,
      lastUsedAgo: ago(s.last_used_at),
      lastUsedFull: dateFormat.format(new Date(s.last_used_at)),
      created: s.created_at,
      createdText: dateFormat.format(new Date(s.created_at)),
    })),
  );

  constructor() {
    void this.account.load();
  }
}
