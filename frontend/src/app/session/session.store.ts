import { DestroyRef, Injectable, inject, signal } from '@angular/core';
import {
  MAX_NAME_LENGTH,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  USERNAME_PATTERN_SOURCE,
  type AuthConfigResponse,
  type AuthMode,
  type AuthUserInfo,
} from '@chatstream/protocol';
import { ApiClient, ApiError, errorMessage } from '../core/api-client';
import { BROWSER_STORAGE } from '../core/config';

export interface User {
  id: string;
  name: string;
}

const USER_KEY = 'chatstream.user';
const CREATE = 'create the account';
const USERNAME_PATTERN = new RegExp(USERNAME_PATTERN_SOURCE);
const KEY_PREFIX = 'chatstream.';

/**
 * Who is signed in, in the server's mode (`GET /api/auth/config`, read by `start`).
 *
 * - `open` (the original trust model): the app makes a user id and keeps id
 *   and name in localStorage, so that a reload lands back in the chat as the
 *   same user. Until `start` has answered, the store assumes this mode.
 * - `accounts`: the session is the server's HttpOnly cookie; nothing in
 *   localStorage says who one is. On start `GET /api/auth/me` does.
 *
 * Either way other per-user memories (joined rooms, the open room) are kept
 * under keys scoped to the user id, and forgotten on sign-out.
 */
@Injectable({ providedIn: 'root' })
export class SessionStore {
  private readonly storage = inject(BROWSER_STORAGE);
  private readonly api = inject(ApiClient);
  private readonly userSignal = signal<User | null>(readUser(this.storage));
  private readonly modeSignal = signal<AuthMode | null>(null);
  private readonly registrationSignal = signal<AuthConfigResponse['registration']>('open');
  private readonly startErrorSignal = signal<string | null>(null);
  private readonly endedSignal = signal(false);
  /** A logout is on its way: the 4001 that closes this device's socket meanwhile is its own doing. */
  private signingOut = false;
  /**
   * Tells this browser's other tabs of a sign-in (accounts mode), so that a
   * tab on the sign-in view follows, as the storage event does in open mode.
   * (A sign-out needs no message: the server closes every tab's socket.)
   */
  private readonly tabs = typeof BroadcastChannel === 'function' ? new BroadcastChannel('chatstream.session') : null;

  constructor() {
    if (this.tabs) this.tabs.onmessage = () => void this.followOtherTab();
    const unauthorized = this.api.unauthorized$.subscribe(() => {
      if (this.modeSignal() === 'accounts') this.sessionEnded();
    });
    inject(DestroyRef).onDestroy(() => {
      this.tabs?.close();
      unauthorized.unsubscribe();
    });
  }

  readonly user = this.userSignal.asReadonly();
  /** The server's mode; null until `start` has found out. */
  readonly mode = this.modeSignal.asReadonly();
  /** `closed`: the sign-in view offers no "Create account". */
  readonly registration = this.registrationSignal.asReadonly();
  /** Why the server could not be asked who one is (the view offers to try again). */
  readonly startError = this.startErrorSignal.asReadonly();
  /** The session ended elsewhere (another device, the operator): the sign-in view says so. */
  readonly ended = this.endedSignal.asReadonly();

  /** Asks the server for its mode and, in accounts mode, who the session cookie belongs to. */
  async start(): Promise<void> {
    this.startErrorSignal.set(null);
    // Both questions at once: a page load waits one round trip, not two (open mode answers the second with a 404).
    const account = this.currentAccount().then(
      (user) => ({ user }),
      (error: unknown) => ({ error }),
    );
    try {
      const config = await this.api.authConfig().catch((error: unknown) => {
        // A server from before accounts has no such route: it is the open one.
        if (error instanceof ApiError && error.status === 404) return { auth: 'open', registration: 'open' } as const;
        throw error;
      });
      if (config.auth === 'accounts') {
        // An identity left by open mode on this device is nobody's in accounts mode.
        this.storage.removeItem(USER_KEY);
        const answer = await account;
        if ('error' in answer) throw answer.error;
        this.userSignal.set(answer.user);
      }
      this.registrationSignal.set(config.registration);
      this.modeSignal.set(config.auth);
    } catch (error) {
      this.startErrorSignal.set(`Could not reach the server: ${errorMessage(error)}`);
    }
  }

  /** Signs in under `name` (open mode); returns why the name is refused, or null. */
  signIn(name: string): string | null {
    const trimmed = name.trim();
    const problem = usernameProblem(trimmed);
    if (problem) return problem;
    const user = { id: newUserId(), name: trimmed };
    this.storage.setItem(USER_KEY, JSON.stringify(user));
    this.userSignal.set(user);
    return null;
  }

  /** Signs in with a password (accounts mode); resolves to why not, or null. */
  async signInWithPassword(username: string, password: string): Promise<string | null> {
    if (!username.trim() || !password) return 'Enter your username and password.';
    return this.enter(() => this.api.login(username.trim(), password), 'sign in');
  }

  /** Creates an account and signs in with it (accounts mode); resolves to why not, or null. */
  async createAccount(username: string, password: string): Promise<string | null> {
    const name = username.trim();
    const problem = newAccountProblem(name, password);
    if (problem) return problem;
    return this.enter(() => this.api.register(name, password), CREATE);
  }

  /**
   * Signs out: in accounts mode the session ends on the server first (its
   * sockets close everywhere). Resolves to why it could not, or null.
   */
  async signOut(): Promise<string | null> {
    if (this.modeSignal() === 'accounts') {
      this.signingOut = true;
      try {
        await this.api.logout();
      } catch (error) {
        // 401: the session had already ended; signed out either way.
        if (!(error instanceof ApiError && error.status === 401)) return `Could not sign out: ${errorMessage(error)}`;
      } finally {
        this.signingOut = false;
      }
    }
    this.forget();
    return null;
  }

  /**
   * This device's session ended (socket closed with 4001, a 401, or "End
   * session" on it here): back to the sign-in view, which says so unless it
   * was ended `here`.
   */
  sessionEnded(options: { here?: boolean } = {}): void {
    if (!this.userSignal()) return;
    this.forget();
    this.endedSignal.set(!options.here && !this.signingOut);
  }

  /** The socket was refused: in accounts mode that may be an ended session, which only the server can tell. */
  async verify(): Promise<void> {
    if (this.modeSignal() !== 'accounts' || !this.userSignal()) return;
    try {
      await this.api.me();
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) this.sessionEnded();
    }
  }

  /** Another tab signed out or in (open mode; in accounts mode the server closes the other tabs' sockets). */
  syncFromStorage(): void {
    if (this.modeSignal() === 'accounts') return;
    const user = readUser(this.storage);
    if (user?.id !== this.userSignal()?.id) this.userSignal.set(user);
  }

  /** Reads a value remembered for the signed-in user. */
  recall<T>(key: string): T | undefined {
    const user = this.userSignal();
    if (!user) return undefined;
    const raw = this.storage.getItem(`${KEY_PREFIX}${user.id}.${key}`);
    if (raw === null) return undefined;
    try {
      return JSON.parse(raw) as T;
    } catch {
      return undefined;
    }
  }

  /** Remembers a value for the signed-in user. */
  remember(key: string, value: unknown): void {
    const user = this.userSignal();
    if (user) this.storage.setItem(`${KEY_PREFIX}${user.id}.${key}`, JSON.stringify(value));
  }

  private async followOtherTab(): Promise<void> {
    if (this.modeSignal() !== 'accounts' || this.userSignal()) return;
    try {
      const user = await this.currentAccount();
      if (user && !this.userSignal()) {
        this.endedSignal.set(false);
        this.userSignal.set(user);
      }
    } catch {
      // The server is away; this tab stays on the sign-in view.
    }
  }

  private async currentAccount(): Promise<User | null> {
    try {
      return fromAccount(await this.api.me());
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return null;
      throw error;
    }
  }

  private async enter(call: () => Promise<AuthUserInfo>, what: string): Promise<string | null> {
    try {
      const user = fromAccount(await call());
      this.endedSignal.set(false);
      this.userSignal.set(user);
      this.tabs?.postMessage('signed-in');
      return null;
    } catch (error) {
      return signInProblem(error, what);
    }
  }

  /** Forgets the user and everything remembered for them on this device. */
  private forget(): void {
    for (const key of Object.keys(this.storage)) {
      if (key.startsWith(KEY_PREFIX)) this.storage.removeItem(key);
    }
    this.userSignal.set(null);
  }
}

function fromAccount(user: AuthUserInfo): User {
  return { id: user.id, name: user.username };
}

/** What the person reads when the server refused a sign-in or a new account. */
export function signInProblem(error: unknown, what: string): string {
  if (!(error instanceof ApiError)) return `Could not ${what}: ${errorMessage(error)}`;
  switch (error.status) {
    case 401:
      return 'Wrong username or password.';
    case 409:
      return 'That username is taken. Choose another one.';
    case 403:
      return 'Registration is closed: ask the operator of this server for an account.';
    case 429:
      return what === CREATE
        ? `Too many new accounts from this address. Try again in ${waitText(error.retryAfterS)}.`
        : `Too many attempts. Try again in ${waitText(error.retryAfterS)}.`;
    case 400:
      return error.message;
    default:
      return `Could not ${what}: ${error.message}`;
  }
}

/** "3 seconds", "15 minutes": a wait from `Retry-After`, rounded up. */
export function waitText(seconds: number | undefined): string {
  if (seconds === undefined) return 'a few minutes';
  if (seconds < 60) {
    const s = Math.max(1, Math.ceil(seconds));
    return s === 1 ? '1 second' : `${s} seconds`;
  }
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

/** The server's rules for a new account, checked before asking it. */
export function newAccountProblem(username: string, password: string): string | null {
  if (!username) return 'Enter a username.';
  if (!USERNAME_PATTERN.test(username)) return 'A username has 3 to 32 letters, digits, dots, dashes or underscores.';
  if (password.length < PASSWORD_MIN_LENGTH) return `A password has at least ${PASSWORD_MIN_LENGTH} characters.`;
  if (password.length > PASSWORD_MAX_LENGTH) return `A password has at most ${PASSWORD_MAX_LENGTH} characters.`;
  if (password === username) return 'The password cannot be the username.';
  return null;
}


export function usernameProblem(name: string): string | null {
  if (name.length === 0) return 'Enter a username.';
  if (name.length > MAX_NAME_LENGTH) return `A username has at most ${MAX_NAME_LENGTH} characters.`;
  return null;
}

function readUser(storage: Storage): User | null {
  try {
    const value: unknown = JSON.parse(storage.getItem(USER_KEY) ?? 'null');
    if (typeof value !== 'object' || value === null) return null;
    const { id, name } = value as Partial<User>;
    if (typeof id !== 'string' || typeof name !== 'string' || !id || usernameProblem(name)) return null;
    return { id, name };
  } catch {
    return null;
  }
}

/** A random v4 UUID; `crypto.randomUUID` exists only on secure origins, so it is built by hand elsewhere. */
export function newUserId(): string {
  if (typeof crypto.randomUUID === 'function' && globalThis.isSecureContext !== false) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
