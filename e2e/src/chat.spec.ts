import type { Browser, Page } from 'playwright-core';
import { MAX_CONTENT_LENGTH } from '@chatstream/protocol';
import {
  connected,
  countOf,
  createRoom,
  messagesOf,
  onlineUser,
  privateDialog,
  roomLink,
  send,
  shows,
  signIn,
} from './support/app';
import { describeInBrowser, launch, person, screenshot } from './support/browser';
import { ServerProcess, sleep } from './support/server';


/**
 * Two people, each in their own browser context, use the app against the
 * built server. The steps build on each other, in order, like a session.
 */
describeInBrowser('the web app, used by two people', () => {
  let server: ServerProcess;
  let browser: Browser;
  let alice: Page;
  let bob: Page;
  const room = 'Launch Plans';
  /** Errors thrown in either page; none is expected. */
  const pageErrors: string[] = [];

  beforeAll(async () => {
    server = await ServerProcess.start();
    browser = await launch();
    alice = await person(browser);
    bob = await person(browser);
    for (const page of [alice, bob]) page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });

  afterEach(() => expect(pageErrors).toEqual([]));

  test('a person signs in with a username and lands in General, connected', async () => {
    await alice.goto(server.url);
    await alice.getByRole('textbox', { name: 'Username' }).waitFor();
    await screenshot(alice, 'sign-in');
    await signIn(alice, server.url, 'alice');
    await signIn(bob, server.url, 'bob');
    await messagesOf(alice).waitFor();
    expect(await alice.getByRole('heading', { level: 2, name: 'General Chat' }).isVisible()).toBe(true);
    await alice.getByRole('button', { name: 'Leave room' }).waitFor();
  });

  test('a room one creates is opened and joined', async () => {
    await createRoom(alice, room, 'Dates, owners and the checklist');
    await alice.getByRole('heading', { level: 2, name: room }).waitFor();
    await alice.getByRole('button', { name: 'Leave room' }).waitFor();
    await roomLink(alice, room).filter({ hasText: '1' }).waitFor();
  });

  test('another person reads the room without joining, then joins it', async () => {
    // Bob's room list follows the server's room_created frame.
    await roomLink(bob, room).waitFor({ timeout: 15_000 });
    await roomLink(bob, room).click();
    await bob.getByRole('button', { name: 'Join room' }).waitFor();
    expect(await bob.getByRole('textbox', { name: 'Message' }).count()).toBe(0);
    await bob.getByRole('button', { name: 'Join room' }).click();
    await bob.getByRole('button', { name: 'Leave room' }).waitFor();
    await roomLink(alice, room).filter({ hasText: '2' }).waitFor();
  });

  test('messages go both ways, sent with the button and with Enter', async () => {
    await send(alice, 'Hello Bob, welcome to the plans', 'button');
    await shows(messagesOf(bob), 'Hello Bob, welcome to the plans');
    await send(bob, 'Thanks Alice!', 'enter');
    await shows(messagesOf(alice), 'Thanks Alice!');
    expect(await bob.getByRole('textbox', { name: 'Message' }).inputValue()).toBe('');

    const box = alice.getByRole('textbox', { name: 'Message' });
    await box.fill('first line');
    await box.press('Shift+Enter');
    await box.pressSequentially('second line');
    expect(await box.inputValue()).toBe('first line\nsecond line');
    await box.press('Enter');
    await shows(messagesOf(bob), 'first line\nsecond line');
    await send(alice, 'Launch is on Friday', 'enter');
    await shows(messagesOf(bob), 'Launch is on Friday');
    expect(await countOf(messagesOf(alice), 'Launch is on Friday')).toBe(1);
  });

  test('content over the limit is refused in the form with the reason shown', async () => {
    const box = alice.getByRole('textbox', { name: 'Message' });
    await box.fill('x'.repeat(MAX_CONTENT_LENGTH + 1));
    await alice.getByText(/Too long: 4,001 characters, at most 4,000/).waitFor();
    expect(await alice.getByRole('button', { name: 'Send' }).isDisabled()).toBe(true);
    await box.press('Enter');
    expect(await box.inputValue()).toHaveLength(MAX_CONTENT_LENGTH + 1);
    await box.fill('');
  });

  test('HTML in a message is shown as text and runs nothing', async () => {
    const attack = '<img src=x onerror="window.__pwned = true">';
    await send(bob, attack);
    await shows(messagesOf(alice), attack);
    await shows(messagesOf(bob), attack);
    for (const page of [alice, bob]) {
      expect(await messagesOf(page).locator('img').count()).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: boolean }).__pwned)).toBeUndefined();
    }
    await screenshot(alice, 'chat');
  });

  test('a private chat goes both ways, shows unread on the sender, and stays out of the room log', async () => {
    await onlineUser(alice, 'bob').click();
    const aliceDialog = privateDialog(alice, 'bob');
    await aliceDialog.waitFor();
    await send(aliceDialog, 'Just between us: the budget is approved', 'enter');
    await shows(messagesOf(aliceDialog), 'Just between us: the budget is approved');

    await onlineUser(bob, 'alice').filter({ hasText: '1 unread' }).waitFor();
    await onlineUser(bob, 'alice').click();
    const bobDialog = privateDialog(bob, 'alice');
    await shows(messagesOf(bobDialog), 'Just between us: the budget is approved');
    await send(bobDialog, 'Great news, I will not tell anyone');
    await shows(messagesOf(aliceDialog), 'Great news, I will not tell anyone');
    await screenshot(bob, 'private-chat');

    await bobDialog.getByRole('button', { name: 'Close' }).click();
    await alice.keyboard.press('Escape');
    await aliceDialog.waitFor({ state: 'detached' });
    expect(await onlineUser(bob, 'alice').textContent()).not.toContain('unread');
    for (const page of [alice, bob]) {
      expect(await countOf(messagesOf(page), 'Just between us: the budget is approved')).toBe(0);
      expect(await countOf(messagesOf(page), 'Great news, I will not tell anyone')).toBe(0);
    }
  });

  test('unread messages are counted on rooms that are not open', async () => {
    await roomLink(bob, 'General Chat').click();
    await send(alice, 'Are you there, Bob?');
    await roomLink(bob, room).filter({ hasText: '1 unread' }).waitFor();
    await roomLink(bob, room).click();
    await shows(messagesOf(bob), 'Are you there, Bob?');
    expect(await roomLink(bob, room).textContent()).not.toContain('unread');
  });

  test('a reload keeps the identity, the open room and its history', async () => {
    await bob.reload();
    await connected(bob);
    expect(await bob.getByText('bob', { exact: true }).first().isVisible()).toBe(true);
    await bob.getByRole('heading', { level: 2, name: room }).waitFor();
    await shows(messagesOf(bob), 'Hello Bob, welcome to the plans');
    await bob.getByRole('button', { name: 'Leave room' }).waitFor();
    await send(alice, 'Welcome back');
    await shows(messagesOf(bob), 'Welcome back');
  });

  test('the server restarts under connected pages: they reconnect, resend what waited, and go on', async () => {
    await server.stop();
    await alice.getByRole('status').filter({ hasText: 'Reconnecting…' }).waitFor();
    await bob.getByRole('status').filter({ hasText: 'Reconnecting…' }).waitFor();

    // Sent while the server is down: shown as waiting, never dropped.
    await send(alice, 'Sent while the server was down');
    await messagesOf(alice).getByText('Waiting for connection…').waitFor();
    await screenshot(alice, 'reconnecting');

    await server.boot();
    await connected(alice);
    await connected(bob);
    await shows(messagesOf(bob), 'Sent while the server was down');
    await messagesOf(alice).getByText('Waiting for connection…').waitFor({ state: 'detached' });
    await send(bob, 'Still here after the restart', 'enter');
    await shows(messagesOf(alice), 'Still here after the restart');
    for (const page of [alice, bob]) {
      expect(await countOf(messagesOf(page), 'Sent while the server was down')).toBe(1);
      expect(await countOf(messagesOf(page), 'Still here after the restart')).toBe(1);
    }
  });

  test('after leaving a room one no longer receives its messages', async () => {
    await bob.getByRole('button', { name: 'Leave room' }).click();
    await bob.getByRole('button', { name: 'Join room' }).waitFor();
    await send(alice, 'Bob has gone, so he does not see this');
    await shows(messagesOf(alice), 'Bob has gone, so he does not see this');
    await sleep(1000);
    expect(await countOf(messagesOf(bob), 'Bob has gone, so he does not see this')).toBe(0);
    expect(await roomLink(bob, room).textContent()).not.toContain('unread');
  });

  test('it fits a phone-width screen and follows the dark preference', async () => {
    await alice.setViewportSize({ width: 360, height: 740 });
    await messagesOf(alice).waitFor();
    const overflow = await alice.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(alice, 'phone');
    await alice.getByRole('button', { name: /Menu/ }).click();
    await roomLink(alice, room).waitFor();
    await screenshot(alice, 'phone-menu');
    await roomLink(alice, room).click();

    await alice.setViewportSize({ width: 1100, height: 720 });
    await alice.emulateMedia({ colorScheme: 'dark' });
    const background = await alice.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    expect(background).toBe('rgb(14, 17, 22)');
    await screenshot(alice, 'dark');
    await alice.emulateMedia({ colorScheme: 'light' });
  });

  test('signing out forgets the user', async () => {
    await bob.getByRole('button', { name: 'Sign out' }).click();
    await bob.getByRole('textbox', { name: 'Username' }).waitFor();
    await bob.reload();
    await bob.getByRole('textbox', { name: 'Username' }).waitFor();
    expect(await bob.evaluate(() => Object.keys(localStorage).filter((key) => key.startsWith('chatstream.')))).toEqual([]);
  });
});
