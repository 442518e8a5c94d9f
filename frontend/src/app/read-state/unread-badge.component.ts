import { ChangeDetectionStrategy, Component, input } from '@angular/core';

/** "3" (unread) and "@1" (mentions among them) after a room or conversation's name; nothing when all is read. */
@Component({
  selector: 'cs-unread-badge',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'unread-badges' },
  template: `
    @if (unread() > 0) {
      <span class="badge">{{ unread() }}<span class="sr-only"> unread</span></span>
    }
    @if (mentions() > 0) {
      <span class="badge mention"><span aria-hidden="true">@</span>{{ mentions() }}<span class="sr-only">{{ mentions() === 1 ? ' mention' : ' mentions' }}</span></span>
    }
  `,
})
export class UnreadBadgeComponent {
  readonly unread = input(0);
  readonly mentions = input(0);
}
