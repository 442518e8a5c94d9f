import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import {
  atSignIn,
  connected,
  conversationWith,
  createAccount,
  directMessages,
  messagesOf,
  onlineUser,
  privateDialog,
  send,
  shows,
  signInWithPassword,
  submitCredentials,
} from './support/app';
import { describeInBrowser, launch, person, screenshot } from './support/browser';
import { ServerProcess } from './support/server';

const PASSWORDS = { alice: 'alice in wonderland', bob: 'bob the builder', carol: 'carol sings loud' };

/** A script's call with a bearer token (as a bot would), straight to the server. */
async function bearer<T>(server: ServerProcess, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(server.url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** What the page's own cookie gets from the server (the session is the HttpOnly cookie, nothing else). */
function api<T>(page: Page, path: string): Promise<{ status: number; body: T }> {
  return page.evaluate(async (url) => {
    const response = await fetch(url);
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  }, path);
}

/**
 * The web app with AUTH=accounts: people with passwords, each in their own
 * browser context (alice twice: a desktop and a laptop). The steps build on
 * each other, in order, like a session.
 */
describeInBrowser('the web app with accounts (AUTH=accounts)', () => {
  let server: ServerProcess;
  let browser: Browser;
  let alice: Page;
  let aliceLaptop: Page;
  let bob: Page;
  let carol: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    server = await ServerProcess.start({ env: { AUTH: 'accounts' } });
    browser = await launch();
    [alice, aliceLaptop, bob, carol] = await Promise.all([person(browser), person(browser), person(browser), person(browser)]);
    for (const page of [alice, aliceLaptop, bob, carol]) page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });

  afterEach(() => expect(pageErrors).toEqual([]));

  test('a new person creates an account and lands in General, connected', async () => {
    await alice.goto(server.url);
    await alice.getByLabel('Password', { exact: true }).waitFor();
    await screenshot(alice, 'accounts-sign-in');
    await submitCredentials(alice, 'alice', PASSWORDS.alice, 'Create account');
    await connected(alice);
    await alice.getByRole('heading', { level: 2, name: 'General Chat' }).waitFor();
    await alice.getByRole('button', { name: 'Leave room' }).waitFor();
    expect(await alice.locator('.me-name').textContent()).toBe('alice');
  });

  test('the session is the HttpOnly cookie: nothing in localStorage says who one is', async () => {
    const cookies = await alice.context().cookies();
    const session = cookies.find((cookie) => cookie.name === 'chatstream_session');
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe('Lax');
    const stored = await alice.evaluate(() => JSON.stringify({ ...localStorage }));
    expect(stored).not.toContain('alice');
    expect(stored).not.toContain(session?.value ?? 'no cookie');
    expect(await alice.evaluate(() => document.cookie)).not.toContain('chatstream_session');
  });

  test('a reload keeps one signed in', async () => {
    await alice.reload();
    await connected(alice);
    expect(await alice.locator('.me-name').textContent()).toBe('alice');
    expect(await alice.getByRole('button', { name: 'Sign in', exact: true }).count()).toBe(0);
  });

  test('a wrong password shows an alert; the right one signs in', async () => {
    await aliceLaptop.goto(server.url);
    await submitCredentials(aliceLaptop, 'alice', 'not her password', 'Sign in');
    await aliceLaptop.getByRole('alert').filter({ hasText: 'Wrong username or password.' }).waitFor();
    await screenshot(aliceLaptop, 'accounts-wrong-password');
    await submitCredentials(aliceLaptop, 'alice', PASSWORDS.alice, 'Sign in');
    await connected(aliceLaptop);
  });

  test('a taken name is refused with an alert', async () => {
    await bob.goto(server.url);
    await submitCredentials(bob, 'ALICE', PASSWORDS.bob, 'Create account');
    await bob.getByRole('alert').filter({ hasText: /taken/ }).waitFor();
    await createAccount(bob, server.url, 'bob', PASSWORDS.bob);
  });

  test('"Create account" on an empty form leads to a Create account form; Enter creates the account', async () => {
    await carol.goto(server.url);
    await carol.getByRole('button', { name: 'Create account' }).click();
    await carol.getByRole('textbox', { name: 'Username' }).fill('carol');
    await carol.getByLabel('Password', { exact: true }).fill(PASSWORDS.carol);
    await screenshot(carol, 'accounts-create-form');
    expect(await carol.getByRole('button', { name: 'Sign in', exact: true }).count()).toBe(0);
    await carol.getByLabel('Password', { exact: true }).press('Enter');
    await connected(carol);
  });

  test('two people exchange a private message; the recipient finds it in Direct messages, live', async () => {
    await onlineUser(alice, 'bob').click({ timeout: 15_000 });
    const toBob = privateDialog(alice, 'bob');
    await send(toBob, 'Hi Bob, this stays between us');
    await shows(messagesOf(toBob), 'Hi Bob, this stays between us');
    await conversationWith(bob, 'alice').waitFor();
    await conversationWith(bob, 'alice').click();
    const toAlice = privateDialog(bob, 'alice');
    await shows(messagesOf(toAlice), 'Hi Bob, this stays between us');
    await send(toAlice, 'Got it, Alice');
    await shows(messagesOf(toBob), 'Got it, Alice');
    await bob.keyboard.press('Escape');
    await alice.keyboard.press('Escape');
    // Alice's other device has the conversation too.
    await conversationWith(aliceLaptop, 'bob').filter({ hasText: 'Got it, Alice' }).waitFor();
  });

  test('the recipient reloads and reads the conversation from Direct messages', async () => {
    await bob.reload();
    await connected(bob);
    const entry = conversationWith(bob, 'alice');
    await entry.filter({ hasText: 'You: Got it, Alice' }).waitFor();
    await screenshot(bob, 'accounts-direct-messages');
    await entry.click();
    const dialog = privateDialog(bob, 'alice');
    await shows(messagesOf(dialog), 'Hi Bob, this stays between us');
    await shows(messagesOf(dialog), 'Got it, Alice');
    await screenshot(bob, 'accounts-private-history');
    await bob.keyboard.press('Escape');
  });

  test('a third person never sees it, in the app or over the API', async () => {
    await carol.reload();
    await connected(carol);
    await directMessages(carol).getByText('No conversations yet', { exact: false }).waitFor();
    expect(await directMessages(carol).getByRole('button').count()).toBe(0);
    const aliceId = (await api<{ user: { id: string } }>(alice, '/api/auth/me')).body.user.id;
    const conversations = await api<{ conversations: unknown[] }>(carol, '/api/conversations');
    expect(conversations.body.conversations).toEqual([]);
    const history = await api<{ messages: Array<{ content: string }> }>(carol, `/api/conversations/${aliceId}/messages`);
    expect(history.status).toBe(200);
    expect(history.body.messages).toEqual([]);
  });

  test('the Account dialog lists the sessions; "End session" on another device signs that device out', async () => {
    await alice.getByRole('button', { name: 'Account' }).click();
    const dialog = alice.getByRole('dialog', { name: 'Account' });
    const sessions = dialog.getByRole('listitem');
    await sessions.nth(1).waitFor();
    expect(await sessions.count()).toBe(2);
    await sessions.filter({ hasText: 'This device' }).filter({ hasText: 'Chrome on Linux' }).waitFor();
    await screenshot(alice, 'accounts-account-dialog');
    await sessions.filter({ hasNotText: 'This device' }).getByRole('button', { name: 'End session' }).click();
    await atSignIn(aliceLaptop);
    await aliceLaptop.getByRole('status').filter({ hasText: 'Your session has ended' }).waitFor();
    await screenshot(aliceLaptop, 'accounts-session-ended');
    expect(await sessions.count()).toBe(1);
    await aliceLaptop.reload();
    await atSignIn(aliceLaptop);
    // The device that ended it is still signed in.
    await alice.keyboard.press('Escape');
    await connected(alice);
  });

  test('"Sign out" ends the session and returns to the sign-in view, also after a reload', async () => {
    await alice.getByRole('button', { name: 'Sign out' }).click();
    await atSignIn(alice);
    expect(await alice.getByRole('status').filter({ hasText: 'Your session has ended' }).count()).toBe(0);
    expect((await api(alice, '/api/auth/me')).status).toBe(401);
    await alice.reload();
    await atSignIn(alice);
  });

  test('signing in again brings the conversations back, in the other tabs of the browser too', async () => {
    const otherTab = await alice.context().newPage();
    otherTab.on('pageerror', (error) => pageErrors.push(error.message));
    await otherTab.goto(server.url);
    await atSignIn(otherTab);
    await signInWithPassword(alice, server.url, 'alice', PASSWORDS.alice);
    await conversationWith(alice, 'bob').filter({ hasText: 'Got it, Alice' }).waitFor();
    await connected(otherTab);
    // Signing out in one tab ends the session that both use.
    await otherTab.getByRole('button', { name: 'Sign out' }).click();
    await atSignIn(otherTab);
    await atSignIn(alice);
    await otherTab.close();
  });
});

describeInBrowser('a long private conversation (AUTH=accounts)', () => {
  const SEEDED = 180;
  let server: ServerProcess;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    server = await ServerProcess.start({ env: { AUTH: 'accounts' } });
    browser = await launch();
    page = await person(browser);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });

  test('the dialog opens at the newest messages and pages older ones in on scroll up, each once', async () => {
    type SignedIn = { user: { id: string }; token: string };
    const dan = await server.http<SignedIn>('POST', '/api/auth/register', { username: 'dan', password: 'dan the man' });
    expect(dan.status).toBe(201);
    await createAccount(page, server.url, 'erin', 'erin go bragh');
    const erin = await api<{ user: { id: string } }>(page, '/api/auth/me');
    for (let i = 1; i <= SEEDED; i++) {
      const sent = await bearer(server, dan.body.token, 'POST', '/api/messages', { content: `Old note ${i}`, recipient: erin.body.user.id });
      expect(sent.status).toBe(201);
    }
    await page.reload();
    await conversationWith(page, 'dan').filter({ hasText: `Old note ${SEEDED}` }).click();
    const log = messagesOf(privateDialog(page, 'dan'));
    await shows(log, `Old note ${SEEDED}`);
    expect(await log.getByText('Old note 1', { exact: true }).count()).toBe(0);
    // Scroll to the top until the first message is in.
    for (let attempt = 0; attempt < 20 && !(await log.getByText('Old note 1', { exact: true }).count()); attempt++) {
      await log.evaluate((viewport) => viewport.scrollTo({ top: 0 }));
      await page.waitForTimeout(150);
    }
    await shows(log, 'Old note 1');
    await log.getByText('This is the start of your conversation with dan.').waitFor();
    for (const n of [1, 60, 131]) expect(await log.locator('.content').getByText(`Old note ${n}`, { exact: true }).count()).toBe(1);
    await screenshot(page, 'accounts-private-paging');
  });
});

describeInBrowser('registration closed (REGISTRATION=closed)', () => {
  let server: ServerProcess;
  let browser: Browser;
  let page: Page;

  /** `npm run users -- <args>` on the server's storage, the password on standard input. */
  async function users(args: string[], stdin: string): Promise<number> {
    const cli = join(__dirname, '..', '..', 'backend', 'dist', 'auth', 'users-cli.js');
    const child = spawn(process.execPath, [cli, ...args], {
      env: { PATH: process.env.PATH, DATA_DIR: server.dataDir, REGISTRATION: 'closed' },
      stdio: ['pipe', 'ignore', 'inherit'],
    });
    child.stdin.end(stdin);
    const [code] = await once(child, 'exit');
    return code as number;
  }

  beforeAll(async () => {
    server = await ServerProcess.start({ env: { AUTH: 'accounts', REGISTRATION: 'closed' } });
    browser = await launch();
    page = await person(browser);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });

  test('the sign-in view offers no "Create account"; an account the operator made signs in', async () => {
    await page.goto(server.url);
    await atSignIn(page);
    expect(await page.getByRole('button', { name: 'Create account' }).count()).toBe(0);
    await screenshot(page, 'accounts-registration-closed');
    await server.stop();
    expect(await users(['add', 'dana'], 'dana the operator\n')).toBe(0);
    await server.boot();
    await signInWithPassword(page, server.url, 'dana', 'dana the operator');
    expect(await page.locator('.me-name').textContent()).toBe('dana');
  });
});
