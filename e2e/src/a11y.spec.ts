import type { Browser, Page } from 'playwright-core';
import {
  conversationWith,
  createAccount,
  createRoom,
  messagesOf,
  onlineUser,
  privateDialog,
  send,
  shows,
  signIn,
  submitCredentials,
} from './support/app';
import { describeInBrowser, launch, person, screenshot, seriousViolations } from './support/browser';
import { ServerProcess } from './support/server';



describeInBrowser('accessibility (axe-core): no serious or critical violation', () => {
  let server: ServerProcess;
  let browser: Browser;
  let alice: Page;
  let bob: Page;

  beforeAll(async () => {
    server = await ServerProcess.start();
    browser = await launch();
    alice = await person(browser);
    bob = await person(browser);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });

  for (const scheme of ['light', 'dark'] as const) {
    test(`the sign-in view (${scheme})`, async () => {
      await alice.emulateMedia({ colorScheme: scheme });
      await alice.goto(server.url);
      await alice.getByRole('textbox', { name: 'Username' }).waitFor();
      expect(await seriousViolations(alice)).toEqual([]);
    });
  }

  test('the chat view with messages, and a room read without joining', async () => {
    await alice.emulateMedia({ colorScheme: 'light' });
    await signIn(alice, server.url, 'alice');
    await signIn(bob, server.url, 'bob');
    await createRoom(alice, 'Design Review', 'Screens and flows');
    await send(alice, 'First message');
    await send(bob, 'Hello from General');
    await shows(messagesOf(alice), 'First message');
    expect(await seriousViolations(alice)).toEqual([]);
    // Bob reads a room he has not joined.
    await bob.reload();
    await bob.getByRole('navigation', { name: 'Rooms' }).getByRole('button', { name: /Design Review/ }).click({ timeout: 15_000 });
    await bob.getByRole('button', { name: 'Join room' }).waitFor();
    expect(await seriousViolations(bob)).toEqual([]);
  });

  test('the chat view in dark mode and at phone width', async () => {
    await alice.emulateMedia({ colorScheme: 'dark' });
    expect(await seriousViolations(alice)).toEqual([]);
    await alice.setViewportSize({ width: 360, height: 740 });
    expect(await seriousViolations(alice)).toEqual([]);
    await alice.getByRole('button', { name: /Menu/ }).click();
    expect(await seriousViolations(alice)).toEqual([]);
    await alice.setViewportSize({ width: 1100, height: 720 });
    await alice.emulateMedia({ colorScheme: 'light' });
  });

  test('the create-room and private chat dialogs', async () => {
    await alice.reload();
    await alice.getByRole('navigation', { name: 'Rooms' }).getByRole('button', { name: 'Create room' }).click();
    await alice.getByRole('dialog', { name: 'Create room' }).waitFor();
    expect(await seriousViolations(alice)).toEqual([]);
    await alice.keyboard.press('Escape');
    await onlineUser(alice, 'bob').click({ timeout: 15_000 });
    const dialog = privateDialog(alice, 'bob');
    await send(dialog, 'A private hello');
    await shows(messagesOf(dialog), 'A private hello');
    expect(await seriousViolations(alice)).toEqual([]);
  });
});

describeInBrowser('accessibility of accounts mode (axe-core): no serious or critical violation', () => {
  let server: ServerProcess;
  let browser: Browser;
  let alice: Page;
  let bob: Page;

  beforeAll(async () => {
    server = await ServerProcess.start({ env: { AUTH: 'accounts' } });
    browser = await launch();
    alice = await person(browser);
    bob = await person(browser);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });

  for (const scheme of ['light', 'dark'] as const) {
    test(`the sign-in view with an error shown (${scheme})`, async () => {
      await alice.emulateMedia({ colorScheme: scheme });
      await alice.goto(server.url);
      expect(await seriousViolations(alice)).toEqual([]);
      await submitCredentials(alice, 'nobody', 'not a password', 'Sign in');
      await alice.getByRole('alert').filter({ hasText: 'Wrong username or password.' }).waitFor();
      expect(await seriousViolations(alice)).toEqual([]);
      if (scheme === 'dark') await screenshot(alice, 'accounts-sign-in-dark');
    });
  }

  test('the chat view with Direct messages, light and dark, and at phone width', async () => {
    await alice.emulateMedia({ colorScheme: 'light' });
    await createAccount(alice, server.url, 'alice', 'alice in wonderland');
    await createAccount(bob, server.url, 'bob', 'bob the builder');
    await onlineUser(bob, 'alice').click({ timeout: 15_000 });
    await send(privateDialog(bob, 'alice'), 'Hello Alice, privately');
    await shows(messagesOf(privateDialog(bob, 'alice')), 'Hello Alice, privately');
    await bob.keyboard.press('Escape');
    await conversationWith(alice, 'bob').waitFor();
    expect(await seriousViolations(alice)).toEqual([]);
    await alice.emulateMedia({ colorScheme: 'dark' });
    expect(await seriousViolations(alice)).toEqual([]);
    await alice.setViewportSize({ width: 360, height: 740 });
    await alice.getByRole('button', { name: /Menu/ }).click();
    expect(await seriousViolations(alice)).toEqual([]);
    await screenshot(alice, 'accounts-phone-menu-dark');
    await alice.setViewportSize({ width: 1100, height: 720 });
    await alice.emulateMedia({ colorScheme: 'light' });
  });

  test('the Account dialog and a private chat with history', async () => {
    await alice.reload();
    await alice.getByRole('button', { name: 'Account' }).click();
    await alice.getByRole('dialog', { name: 'Account' }).getByRole('button', { name: 'End session' }).waitFor();
    expect(await seriousViolations(alice)).toEqual([]);
    await alice.emulateMedia({ colorScheme: 'dark' });
    expect(await seriousViolations(alice)).toEqual([]);
    await screenshot(alice, 'accounts-account-dialog-dark');
    await alice.emulateMedia({ colorScheme: 'light' });
    await alice.keyboard.press('Escape');
    await conversationWith(alice, 'bob').click();
    await shows(messagesOf(privateDialog(alice, 'bob')), 'Hello Alice, privately');
    expect(await seriousViolations(alice)).toEqual([]);
  });
});
