import { ChangeDetectionStrategy, Component, Injector, inject, output } from '@angular/core';
import { Dialog } from '@angular/cdk/dialog';
import { roomKey } from '../read-state/badges';
import { ReadStateStore } from '../read-state/read-state.store';
import { UnreadBadgeComponent } from '../read-state/unread-badge.component';
import { CreateRoomDialogComponent } from './create-room-dialog.component';
import { RoomsStore } from './rooms.store';

/** The "Rooms" navigation: every room with its member count and unread messages, and "Create room". */
@Component({
  selector: 'cs-rooms-nav',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [UnreadBadgeComponent],
  template: `
    <nav aria-labelledby="rooms-nav-heading" class="panel">
      <div class="panel-header">
        <h2 id="rooms-nav-heading">Rooms</h2>
        <button type="button" class="small" (click)="create()">Create room</button>
      </div>
      @if (rooms.error(); as error) {
        <p class="banner error">{{ error }}</p>
      }
      <ul class="room-list">
        @for (room of rooms.rooms(); track room.id) {
          <li>
            <button
              type="button"
              class="room-item"
              [attr.aria-current]="room.id === rooms.openId() ? 'page' : null"
              (click)="select(room.id)"
            >
              <span class="room-name">{{ room.name }}</span>
              <span class="room-count">
                <svg viewBox="0 0 16 16" aria-hidden="true"><path d="M8 8a3 3 0 1 0 0-6 3 3 0 0 0 0 6zm-5.5 6.5C2.5 11.5 5 10 8 10s5.5 1.5 5.5 4.5z" /></svg>
                {{ room.user_count }}<span class="sr-only"> members</span>
              </span>
              @if (!rooms.joined().has(room.id)) {
                <span class="sr-only">, not joined</span>
              }
              @if (rooms.joined().has(room.id)) {
                <cs-unread-badge [unread]="readState.unread(key(room.id))" [mentions]="readState.mentions(key(room.id))" />
              }
            </button>
          </li>
        }
      </ul>
    </nav>
  `,
})
export class RoomsNavComponent {
  protected readonly rooms = inject(RoomsStore);
  protected readonly readState = inject(ReadStateStore);
  protected readonly key = roomKey;
  private readonly dialog = inject(Dialog);
  private readonly injector = inject(Injector);
  /** A room was picked (the phone layout closes its drawer). */
  readonly picked = output<void>();

  protected select(roomId: string): void {
    this.rooms.open(roomId);
    this.picked.emit();
  }

  protected create(): void {
    this.dialog.open(CreateRoomDialogComponent, {
      injector: this.injector,
      ariaLabelledBy: 'create-room-heading',
      panelClass: 'dialog-panel',
      width: 'min(28rem, calc(100vw - 2rem))',
      autoFocus: 'first-tabbable',
    });
    this.picked.emit();
  }
}
