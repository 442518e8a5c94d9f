import { TestBed } from '@angular/core/testing';
import { ApiClient, ApiError } from './core/api-client';
import { POLL_INTERVAL_MS, RECONNECT_POLICY, SOCKET_URL, WEB_SOCKET_CTOR } from './core/config';
import { AppComponent } from './app.component';
import { FakeApi, settle } from '../testing/fake-api';
import { FakeWebSocket } from '../testing/fake-web-socket';

/** The whole app over a fake server, read the way a screen reader would: by labels, roles and names. */
async function render(configure: (api: FakeApi) => void = () => undefined) {
  localStorage.clear();
  FakeWebSocket.reset();
  const api = new FakeApi();
  configure(api);
  TestBed.configureTestingModule({
    providers: [
      { provide: ApiClient, useValue: api },
      { provide: WEB_SOCKET_CTOR, useValue: FakeWebSocket },
      { provide: SOCKET_URL, useValue: (query: string) => `ws://chat.test/api/ws?${query}` },
      { provide: RECONNECT_POLICY, useValue: { initialMs: 10, maxMs: 40 } },
      { provide: POLL_INTERVAL_MS, useValue: 60_000 },
    ],
  });
  const fixture = TestBed.createComponent(AppComponent);
  const root = fixture.nativeElement as HTMLElement;
  const update = async () => {
    for (let i = 0; i < 3; i++) {
      await settle();
      fixture.detectChanges();
      await fixture.whenStable();
    }
  };
  await update();
  const field = (label: string) => {
    const forId = [...root.querySelectorAll('label')].find((l) => l.textContent?.trim() === label)?.htmlFor;
    return forId ? (root.querySelector(`#${forId}`) as HTMLInputElement | null) : null;
  };
  const button = (name: string) =>
    [...root.querySelectorAll('button')].find((b) => (b.getAttribute('aria-label') ?? b.textContent?.trim()) === name) ?? null;
  const type = (label: string, value: string) => {
    const input = field(label);
    if (!input) throw new Error(`no field labelled ${label}`);
    input.value = value;
    input.dispatchEvent(new Event('input'));
  };
  const click = async (name: string) => {
    const target = button(name);
    if (!target) throw new Error(`no button ${name}`);
    target.click();
    await update();
  };
  const alert = () => root.querySelector('[role="alert"]')?.textContent?.trim() ?? '';
  return { api, fixture, root, field, button, type, click, alert, update };
}

describe('the app', () => {
  afterEach(() => TestBed.resetTestingModule());

  test('with AUTH=open it is the original sign-in by name, and the socket names the user', async () => {
    const app = await render();
    expect(app.field('Username')).not.toBeNull();
    expect(app.field('Password')).toBeNull();
    app.type('Username', 'alice');
    await app.click('Join chat');
    const query = new URL(FakeWebSocket.last.url).searchParams;
    expect(query.get('username')).toBe('alice');
    expect(query.get('user_id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(app.button('Account')).toBeNull();
  });

  describe('with AUTH=accounts', () => {
    const accounts = (api: FakeApi) => {
      api.config = { auth: 'accounts', registration: 'open' };
      api.addAccount('alice', 'correct horse');
    };

    test('the sign-in view has Username, a password field labelled Password, Sign in and Create account', async () => {
      const app = await render(accounts);
      expect(app.field('Username')?.type).toBe('text');
      expect(app.field('Password')?.type).toBe('password');
      expect(app.button('Sign in')?.type).toBe('submit');
      expect(app.button('Create account')).not.toBeNull();
      expect(app.alert()).toBe('');
    });

    test('with registration closed there is no Create account', async () => {
      const app = await render((api) => {
        accounts(api);
        api.config.registration = 'closed';
      });
      expect(app.button('Sign in')).not.toBeNull();
      expect(app.button('Create account')).toBeNull();
    });

    test('a wrong password shows an alert; the right one opens the chat, connected by the cookie alone', async () => {
      const app = await render(accounts);
      app.type('Username', 'alice');
      app.type('Password', 'wrong horse');
      await app.click('Sign in');
      expect(app.alert()).toBe('Wrong username or password.');
      app.type('Password', 'correct horse');
      await app.click('Sign in');
      expect(app.button('Sign out')).not.toBeNull();
      expect(app.button('Account')).not.toBeNull();
      expect(app.root.querySelector('nav[aria-labelledby="direct-messages-heading"]')).not.toBeNull();
      expect(app.root.querySelector('#direct-messages-heading')?.textContent).toBe('Direct messages');
      expect(Object.fromEntries(new URL(FakeWebSocket.last.url).searchParams)).toEqual({ protocol: '2' });
    });

    test('Create account makes the account from the same form and signs in; a taken name is an alert', async () => {
      const app = await render(accounts);
      app.type('Username', 'ALICE');
      app.type('Password', 'another horse');
      await app.click('Create account');
      expect(app.alert()).toMatch(/taken/);
      app.type('Username', 'bob');
      await app.click('Create account');
      expect(app.api.calls).toContain('register bob');
      expect(app.button('Sign out')).not.toBeNull();
    });

    test('Create account on an empty form turns it into a Create account form, whose submit (Enter) creates', async () => {
      const app = await render(accounts);
      await app.click('Create account');
      expect(app.button('Sign in')).toBeNull();
      expect(app.button('Create account')?.type).toBe('submit');
      expect(app.field('Password')?.autocomplete).toBe('new-password');
      app.type('Username', 'carol');
      app.type('Password', 'carol sings');
      app.root.querySelector('form')?.requestSubmit();
      await app.update();
      expect(app.api.calls).toContain('register carol');
      expect(app.button('Sign out')).not.toBeNull();
    });

    test('too many attempts: the alert says how long to wait', async () => {
      const app = await render(accounts);
      app.api.refuse = new ApiError(429, 'too many failed logins', 600);
      app.type('Username', 'alice');
      app.type('Password', 'whatever1');
      await app.click('Sign in');
      expect(app.alert()).toBe('Too many attempts. Try again in 10 minutes.');
    });

    test('a session that is still valid is signed in on load (a reload keeps one signed in)', async () => {
      const app = await render((api) => {
        accounts(api);
        api.signedIn = api.addAccount('alice', 'correct horse');
      });
      expect(app.button('Sign out')).not.toBeNull();
      expect(app.root.querySelector('.me-name')?.textContent).toBe('alice');
    });

    test('the server ending the session (close 4001) returns to the sign-in view, which says so', async () => {
      const app = await render((api) => {
        accounts(api);
        api.signedIn = api.addAccount('alice', 'correct horse');
      });
      FakeWebSocket.last.accept();
      FakeWebSocket.last.drop(4001);
      await app.update();
      expect(app.button('Sign in')).not.toBeNull();
      expect(app.root.querySelector('[role="status"]')?.textContent).toMatch(/session has ended/);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(FakeWebSocket.instances).toHaveLength(1);
    });

    test('Sign out ends the session on the server and returns to the sign-in view', async () => {
      const app = await render((api) => {
        accounts(api);
        api.signedIn = api.addAccount('alice', 'correct horse');
      });
      await app.click('Sign out');
      expect(app.api.calls).toContain('logout');
      expect(app.button('Sign in')).not.toBeNull();
      expect(app.root.querySelector('[role="status"]')).toBeNull();
    });
  });
});
