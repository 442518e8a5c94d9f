import { ChangeDetectionStrategy, Component, DestroyRef, Injector, computed, inject, viewChild } from '@angular/core';
import { DIALOG_DATA, Dialog, DialogRef } from '@angular/cdk/dialog';
import { ChatSocket } from '../core/chat-socket.service';
import { SessionStore } from '../session/session.store';
import { ComposerComponent } from '../shared/composer.component';
import { MessageLogComponent } from '../shared/message-log.component';
import { ThreadPanelComponent } from '../shared/thread-panel.component';
import { UsersStore } from '../users/users.store';
import { dmKey } from '../read-state/badges';
import { ReadStateStore } from '../read-state/read-state.store';
import { SearchStore } from '../search/search.store';
import { PrivateChatStore, type Conversation } from './private-chat.store';

export interface PrivateChatData {
  peerId: string;
  peerName: string;
  headingId?: string;
}

/** Opens "Private chat with <name>" over the shell (`injector`: where its stores live). */
export function openPrivateChat(dialog: Dialog, injector: Injector, peer: { id: string; name: string }): void {
  const headingId = `private-chat-heading-${peer.id}`;
  const data: PrivateChatData = { peerId: peer.id, peerName: peer.name, headingId };
  dialog.open(PrivateChatDialogComponent, {
    data,
    injector,
    ariaLabelledBy: headingId,
    panelClass: ['dialog-panel', 'private-panel'],
    width: 'min(36rem, calc(100vw - 1rem))',
    autoFocus: 'textarea',
  });
}

/** "Private chat with <name>": its own log and composer; what is on screen is read. */
@Component({
  selector: 'cs-private-chat-dialog',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MessageLogComponent, ComposerComponent, ThreadPanelComponent],
  template: `
    <div class="dialog private-chat">
      <div class="dialog-header">
        <h2 [id]="headingId">Private chat with {{ data.peerName }}</h2>
        <button type="button" class="icon" aria-label="Close" (click)="ref.close()">✕</button>
      </div>
      @if (!online()) {
        <p class="hint">{{ data.peerName }} is offline; messages are kept for when they come back.</p>
      }
      @if (conversation()?.error; as error) {
        <p class="banner error" role="alert">{{ error }}</p>
      }
      <cs-message-log
        [entries]="messages()"
        [pending]="pending()"
        [selfId]="selfId()"
        [key]="data.peerId"
        [hasOlder]="conversation()?.hasOlder ?? false"
        [loadingOlder]="conversation()?.loadingOlder ?? false"
        [beginning]="conversation()?.loaded ? 'This is the start of your conversation with ' + data.peerName + '.' : ''"
        [emptyText]="
          conversation()?.loading ? 'Loading messages…' : 'No messages with ' + data.peerName + ' yet. Only the two of you see this chat.'
        "
        (loadOlder)="chats.loadOlder(data.peerId)"
        [actions]="true"
        [selfName]="selfName()"
        [nameOf]="nameOf"
        (replyInThread)="chats.openThread(data.peerId, $event)"
        (edit)="chats.edit($event.id, $event.content)"
        (remove)="chats.remove($event)"
        (react)="chats.toggleReaction(data.peerId, $event.id, $event.emoji)"
        (retry)="chats.retry($event)"
        (discard)="chats.discard($event)"
        [newAfter]="readState.divider(readKey)"
        [focus]="search.focusIn(readKey)"
        (focused)="search.focusDone()"
        (seen)="readState.seen(readKey, $event)"
      />
      @if (thread(); as thread) {
        <cs-thread-panel
          [parent]="chats.threadParent()"
          [replies]="thread.replies"
          [send]="reply"
          [offline]="socket.state() !== 'connected'"
          [mentionable]="mentionable"
          [selfId]="selfId()"
          [selfName]="selfName()"
          [nameOf]="nameOf"
          (closed)="chats.closeThread()"
        />
      }
      <cs-composer
        [send]="send"
        [placeholder]="'Message ' + data.peerName"
        [offline]="socket.state() !== 'connected'"
        [mentionable]="mentionable"
        (sent)="log().jumpToLatest()"
      />
    </div>
  `,
})
export class PrivateChatDialogComponent {
  protected readonly data = inject<PrivateChatData>(DIALOG_DATA);
  protected readonly ref = inject(DialogRef);
  protected readonly chats = inject(PrivateChatStore);
  protected readonly socket = inject(ChatSocket);
  private readonly users = inject(UsersStore);
  private readonly session = inject(SessionStore);
  protected readonly log = viewChild.required(MessageLogComponent);
  protected readonly readState = inject(ReadStateStore);
  protected readonly search = inject(SearchStore);
  protected readonly readKey = dmKey(this.data.peerId);

  protected readonly headingId = this.data.headingId ?? `private-chat-heading-${this.data.peerId}`;
  protected readonly selfId = computed(() => this.session.user()?.id ?? '');
  protected readonly conversation = computed<Conversation | undefined>(() => this.chats.conversations()[this.data.peerId]);
  protected readonly messages = computed(() => this.conversation()?.messages ?? []);
  protected readonly pending = computed(() => this.chats.outbox.items().filter((item) => item.target === this.data.peerId));
  protected readonly online = computed(() => this.users.isOnline(this.data.peerId));
  protected readonly send = (content: string) => this.chats.send(this.data.peerId, content);
  protected readonly reply = (content: string) => this.chats.reply(content);
  protected readonly selfName = computed(() => this.session.user()?.name ?? '');
  /** The thread of this chat, if one is open here. */
  protected readonly thread = computed(() => (this.chats.thread()?.peerId === this.data.peerId ? this.chats.thread() : null));
  /** In a private chat "@" suggests the other person. */
  protected readonly mentionable = [this.data.peerName];
  protected readonly nameOf = (id: string) => (id === this.data.peerId ? this.data.peerName : undefined);

  constructor() {
    this.chats.open(this.data.peerId, this.data.peerName);
    this.readState.opened(this.readKey);
    inject(DestroyRef).onDestroy(() => {
      this.chats.close(this.data.peerId);
      if (this.thread()) this.chats.closeThread();
    });
  }
}
