import { InjectionToken } from '@angular/core';

/** Where the REST API lives: same origin as the app, which the backend serves. */
export const API_BASE = new InjectionToken<string>('API base URL', { factory: () => '/api' });

/** URL of the WebSocket for a query string (same host as the page, ws: or wss: to match). */
export const SOCKET_URL = new InjectionToken<(query: string) => string>('WebSocket URL', {
  factory: () => (query: string) => {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${scheme}//${location.host}/api/ws?${query}`;
  },
});

/** The WebSocket class; the socket specs put a fake in its place. */
export const WEB_SOCKET_CTOR = new InjectionToken<{ new (url: string): WebSocket }>('WebSocket constructor', {
  factory: () => WebSocket,
});

/** Where the user's identity and their room memberships are remembered. */
export const BROWSER_STORAGE = new InjectionToken<Storage>('Browser storage', { factory: () => localStorage });

export interface ReconnectPolicy {
  /** First delay after a drop. */
  initialMs: number;
  /** Ceiling of the doubling delay. */
  maxMs: number;
}

export const RECONNECT_POLICY = new InjectionToken<ReconnectPolicy>('Reconnect policy', {
  factory: () => ({ initialMs: 500, maxMs: 10_000 }),
});

/** How often the online users are fetched again (the room list follows room_created frames instead). */
export const POLL_INTERVAL_MS = new InjectionToken<number>('Poll interval', { factory: () => 10_000 });

/** A sent message without its echo after this long is shown as not delivered. */
export const ACK_TIMEOUT_MS = new InjectionToken<number>('Acknowledgement timeout', { factory: () => 15_000 });
