import { ChangeDetectionStrategy, Component, computed, effect, inject, untracked, viewChild } from '@angular/core';
import { ChatSocket } from '../core/chat-socket.service';
import { RoomsStore } from '../rooms/rooms.store';
import { SessionStore } from '../session/session.store';
import { ComposerComponent } from '../shared/composer.component';
import { roomMentionables } from '../shared/mention-suggest';
import { MessageLogComponent } from '../shared/message-log.component';
import { ThreadPanelComponent } from '../shared/thread-panel.component';
import { UsersStore } from '../users/users.store';
import { roomKey } from '../read-state/badges';
import { ReadStateStore } from '../read-state/read-state.store';
import { SearchStore } from '../search/search.store';
import { ChatStore } from './chat.store';

/** The open room: its header with Join/Leave, its log, and the composer (members) or a join prompt. */
@Component({
  selector: 'cs-room-view',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MessageLogComponent, ComposerComponent, ThreadPanelComponent],
  host: { class: 'room-view' },
  template: `
    <header class="room-header">
      <div class="room-title">
        <h2 id="room-heading">{{ room()?.name ?? roomId() }}</h2>
        <p class="room-meta">
          {{ members() }}
          @if (room()?.description; as description) {
            · <span class="description">{{ description }}</span>
          }
        </p>
      </div>
      @if (joined()) {
        <button type="button" (click)="rooms.leave(roomId())">Leave room</button>
      }
    </header>
    @if (log().error; as error) {
      <p class="banner error" role="alert">{{ error }}</p>
    }
    <cs-message-log
      [entries]="log().entries"
      [pending]="chat.openPending()"
      [selfId]="selfId()"
      [key]="roomId()"
      [hasOlder]="log().hasOlder"
      [loadingOlder]="log().loadingOlder"
      [beginning]="'This is the start of ' + (room()?.name ?? 'the room') + '.'"
      [emptyText]="log().loaded ? 'No messages yet. Say hello!' : 'Loading messages…'"
      (loadOlder)="chat.loadOlder(roomId())"
      (retry)="chat.retry($event)"
      (discard)="chat.discard($event)"
      [actions]="true"
      [nameOf]="nameOf()"
      [selfName]="selfName()"
      (edit)="chat.edit($event.id, $event.content)"
      (remove)="chat.remove($event)"
      (react)="chat.toggleReaction(roomId(), $event.id, $event.emoji)"
      (replyInThread)="chat.openThread(roomId(), $event)"
      [newAfter]="readState.divider(readKey())"
      [focus]="search.focusIn(readKey())"
      (focused)="search.focusDone()"
      (seen)="readState.seen(readKey(), $event)"
    />
    @if (chat.thread(); as thread) {
      <cs-thread-panel
        [parent]="chat.threadParent()"
        [replies]="thread.replies"
        [canReply]="joined()"
        [send]="reply"
        [offline]="socket.state() !== 'connected'"
        [mentionable]="mentionable()"
        [selfId]="selfId()"
        [selfName]="selfName()"
        [nameOf]="nameOf()"
        (closed)="chat.closeThread()"
      />
    }
    <p class="typing" role="status">{{ chat.openTyping() }}</p>
    @if (joined()) {
      <cs-composer
        [send]="send"
        [placeholder]="'Message ' + (room()?.name ?? '')"
        [offline]="socket.state() !== 'connected'"
        (sent)="messages().jumpToLatest()"
        (typing)="chat.typing(roomId())"
        [mentionable]="mentionable()"
      />
    } @else {
      <div class="join-prompt">
        <p>You are reading this room without being a member.</p>
        <button type="button" class="primary" [disabled]="joining()" (click)="rooms.join(roomId())">
          {{ joining() ? 'Joining…' : 'Join room' }}
        </button>
      </div>
    }
  `,
})
export class RoomViewComponent {
  protected readonly rooms = inject(RoomsStore);
  protected readonly chat = inject(ChatStore);
  protected readonly socket = inject(ChatSocket);
  private readonly session = inject(SessionStore);
  private readonly users = inject(UsersStore);
  protected readonly messages = viewChild.required(MessageLogComponent);
  protected readonly readState = inject(ReadStateStore);
  protected readonly search = inject(SearchStore);
  protected readonly readKey = computed(() => roomKey(this.roomId()));

  protected readonly roomId = this.rooms.openId;
  protected readonly room = this.rooms.openRoom;
  protected readonly joined = this.rooms.openJoined;
  protected readonly joining = computed(() => this.rooms.joining().has(this.roomId()));
  protected readonly log = this.chat.openLog;
  protected readonly selfId = computed(() => this.session.user()?.id ?? '');
  protected readonly selfName = computed(() => this.session.user()?.name ?? '');
  /** Whom "@" suggests: the room's people the app knows of. */
  protected readonly mentionable = computed(() => roomMentionables(this.log().entries, this.users.online(), this.selfId()));
  protected readonly members = computed(() => {
    const count = this.room()?.user_count ?? 0;
    return count === 1 ? '1 member' : `${count} members`;
  });
  protected readonly send = (content: string) => this.chat.send(this.roomId(), content);
  protected readonly reply = (content: string) => this.chat.reply(content);
  /** Names for reaction labels: who is online (the log adds the senders it shows). */
  protected readonly nameOf = computed(() => {
    const names = new Map(this.users.online().map((user) => [user.id, user.username]));
    return (id: string) => names.get(id);
  });

  constructor() {
    // The divider is drawn from the read pointer as it was when the room opened.
    effect(() => {
      const key = this.readKey();
      untracked(() => this.readState.opened(key));
    });
  }
}
