import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { DialogRef } from '@angular/cdk/dialog';
import { MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH } from '@chatstream/protocol';
import { RoomsStore } from './rooms.store';

/** The "Create room" dialog: name and optional description; the creator joins the new room. */
@Component({
  selector: 'cs-create-room-dialog',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <form class="dialog" (submit)="submit($event)">
      <h2 id="create-room-heading">Create room</h2>
      <label for="room-name">Room name</label>
      <input
        id="room-name"
        required
        [attr.maxlength]="maxName"
        autocomplete="off"
        [value]="name()"
        (input)="name.set(value($event))"
        [attr.aria-invalid]="!!error()"
        aria-describedby="create-room-error"
      />
      <label for="room-description">Description <span class="optional">(optional)</span></label>
      <textarea
        id="room-description"
        rows="3"
        [attr.maxlength]="maxDescription"
        [value]="description()"
        (input)="description.set(value($event))"
      ></textarea>
      <p id="create-room-error" class="form-error" role="alert">{{ error() }}</p>
      <div class="dialog-actions">
        <button type="button" (click)="ref.close()">Cancel</button>
        <button type="submit" class="primary" [disabled]="busy()">Create</button>
      </div>
    </form>
  `,
})
export class CreateRoomDialogComponent {
  protected readonly ref = inject(DialogRef);
  private readonly rooms = inject(RoomsStore);
  protected readonly maxName = MAX_NAME_LENGTH;
  protected readonly maxDescription = MAX_DESCRIPTION_LENGTH;
  protected readonly name = signal('');
  protected readonly description = signal('');
  protected readonly error = signal('');
  protected readonly busy = signal(false);

  protected value(event: Event): string {
    return (event.target as HTMLInputElement | HTMLTextAreaElement).value;
  }

  protected async submit(event: Event): Promise<void> {
    event.preventDefault();
    const name = this.name().trim();
    if (!name) {
      this.error.set('Enter a room name.');
      return;
    }
    this.busy.set(true);
    const problem = await this.rooms.create(name, this.description().trim());
    this.busy.set(false);
    if (problem) this.error.set(problem);
    else this.ref.close();
  }
}
