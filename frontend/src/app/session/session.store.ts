import { Injectable, inject, signal } from '@angular/core';
import { MAX_NAME_LENGTH } from '@chatstream/protocol';
import { BROWSER_STORAGE } from '../core/config';

export interface User {
  id: string;
  name: string;
}

const USER_KEY = 'chatstream.user';
const KEY_PREFIX = 'chatstream.';

/**
 * Who is signed in. Id and name live in localStorage so that a reload lands
 * back in the chat as the same user; other per-user memories (joined rooms,
 * the open room) are kept under keys scoped to the user id.
 */
@Injectable({ providedIn: 'root' })
export class SessionStore {
  private readonly storage = inject(BROWSER_STORAGE);
  private readonly userSignal = signal<User | null>(readUser(this.storage));
  readonly user = this.userSignal.asReadonly();

  /** Signs in under `name`; returns why the name is refused, or null. */
  signIn(name: string): string | null {
    const trimmed = name.trim();
    const problem = usernameProblem(trimmed);
    if (problem) return problem;
    const user = { id: newUserId(), name: trimmed };
    this.storage.setItem(USER_KEY, JSON.stringify(user));
    this.userSignal.set(user);
    return null;
  }

  /** Forgets the user and everything remembered for them on this device. */
  signOut(): void {
    for (const key of Object.keys(this.storage)) {
      if (key.startsWith(KEY_PREFIX)) this.storage.removeItem(key);
    }
    this.userSignal.set(null);
  }

  /** Another tab signed out or in: follow it. */
  syncFromStorage(): void {
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
