import { TestBed } from '@angular/core/testing';
import { ApiClient } from '../app/core/api-client';
import { ChatSocket } from '../app/core/chat-socket.service';
import { ACK_TIMEOUT_MS, POLL_INTERVAL_MS, RECONNECT_POLICY, SOCKET_URL, WEB_SOCKET_CTOR } from '../app/core/config';
import { ChatStore } from '../app/chat/chat.store';
import { PrivateChatStore } from '../app/private/private-chat.store';
import { ReadStateStore } from '../app/read-state/read-state.store';
import { SearchStore } from '../app/search/search.store';
import { RoomsStore } from '../app/rooms/rooms.store';
import { SessionStore, type User } from '../app/session/session.store';
import { UsersStore } from '../app/users/users.store';
import { FakeApi, settle } from './fake-api';
import { FakeWebSocket } from './fake-web-socket';

export const ME: User = { id: 'id-alice', name: 'alice' };

export interface Options {
  /** Rooms remembered as joined from an earlier visit (undefined: a first visit). */
  joined?: string[];
  open?: string;
  ackTimeoutMs?: number;
  pollMs?: number;
  /** `accounts`: the server's mode, alice's session in its cookie (nothing about her in localStorage). */
  auth?: 'open' | 'accounts';
}

export const PASSWORD = 'correct horse battery';

/**
 * The stores as the chat shell provides them, signed in as alice, over the
 * real ChatSocket with a fake WebSocket and a fake REST API.
 */
export function setUpChat(options: Options = {}) {
  localStorage.clear();
  FakeWebSocket.reset();
  const accounts = options.auth === 'accounts';
  const api = new FakeApi();
  if (accounts) {
    api.config = { auth: 'accounts', registration: 'open' };
    api.signedIn = api.addAccount(ME.name, PASSWORD);
  } else {
    localStorage.setItem('chatstream.user', JSON.stringify(ME));
  }
  if (options.joined) localStorage.setItem(`chatstream.${ME.id}.joined`, JSON.stringify(options.joined));
  if (options.open) localStorage.setItem(`chatstream.${ME.id}.open`, JSON.stringify(options.open));
  TestBed.configureTestingModule({
    providers: [
      ChatSocket,
      RoomsStore,
      ChatStore,
      UsersStore,
      PrivateChatStore,
      ReadStateStore,
      SearchStore,
      { provide: ApiClient, useValue: api },
      { provide: WEB_SOCKET_CTOR, useValue: FakeWebSocket },
      { provide: SOCKET_URL, useValue: (query: string) => `ws://chat.test/api/ws?${query}` },
      { provide: RECONNECT_POLICY, useValue: { initialMs: 10, maxMs: 40 } },
      { provide: ACK_TIMEOUT_MS, useValue: options.ackTimeoutMs ?? 60_000 },
      { provide: POLL_INTERVAL_MS, useValue: options.pollMs ?? 60_000 },
    ],
  });
  const session = TestBed.inject(SessionStore);
  return {
    api,
    session,
    socket: TestBed.inject(ChatSocket),
    get rooms() {
      return TestBed.inject(RoomsStore);
    },
    get chat() {
      return TestBed.inject(ChatStore);
    },
    get users() {
      return TestBed.inject(UsersStore);
    },
    get privateChats() {
      return TestBed.inject(PrivateChatStore);
    },
    get readState() {
      return TestBed.inject(ReadStateStore);
    },
    /** Connects and lets the fake server accept: what the chat shell does on start. */
    async connect(): Promise<FakeWebSocket> {
      // Like the app: the mode and (with accounts) the user are known before the shell exists.
      if (accounts) await session.start();
      // Like the chat shell: every store listens before the socket opens.
      TestBed.inject(RoomsStore);
      TestBed.inject(ChatStore);
      TestBed.inject(UsersStore);
      TestBed.inject(PrivateChatStore);
      TestBed.inject(ReadStateStore);
      TestBed.inject(ChatSocket).connect(accounts ? 'session-cookie' : ME);
      FakeWebSocket.last.accept();
      await settled();
      return FakeWebSocket.last;
    },
  };
}

/** Runs effects and lets fake REST answers arrive. */
export async function settled(): Promise<void> {
  TestBed.tick();
  await settle();
  TestBed.tick();
  await settle();
}
