import type { Browser, Locator, Page } from 'playwright-core';
import {
  conversationWith,
  createAccount,
  createRoom,
  messagesOf,
  onlineUser,
  privateDialog,
  roomLink,
  send,
  shows,
} from './support/app';
import { describeInBrowser, launch, person, screenshot, seriousViolations } from './support/browser';
import { ServerProcess } from './support/server';

const PASSWORDS = { alice: 'alice in wonderland', bob: 'bob the builder' };

/** The badge text of a room or conversation button: "3 unread", "1 mention", or '' when all is read. */
async function badgeOf(item: Locator): Promise<string> {
  const badges = item.locator('.badge');
  return (await badges.allTextContents()).join(' ').replace(/\s+/g, ' ').trim();
}

/** Waits until the item's badges read `expected` ('' for none). */
async function badgeIs(item: Locator, expected: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  let last = '';
  while (Date.now() < deadline) {
    last = await badgeOf(item);
    if (last === expected) return;
    await item.page().waitForTimeout(50);
  }
  throw new Error(`badge is "${last}", expected "${expected}"`);
}

async function titleIs(page: Page, expected: string): Promise<void> {
  await page.waitForFunction((title) => document.title === title, expected, { timeout: 10_000 });
}

/**
 * Alice in two tabs of one browser, bob in another browser (AUTH=accounts):
 * the server's unread counts, read on one tab, cleared on the other at once
 * and after a reload; the "New messages" divider; the tab title.
 */
describeInBrowser('reading: unread badges, the divider and the title across two tabs (AUTH=accounts)', () => {
  let server: ServerProcess;
  let browser: Browser;
  let tab1: Page;
  let tab2: Page;
  let bob: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    server = await ServerProcess.start({ env: { AUTH: 'accounts' } });
    browser = await launch();
    tab1 = await person(browser);
    bob = await person(browser);
    for (const page of [tab1, bob]) page.on('pageerror', (error) => pageErrors.push(error.message));
    await createAccount(tab1, server.url, 'alice', PASSWORDS.alice);
    await createAccount(bob, server.url, 'bob', PASSWORDS.bob);
    await createRoom(tab1, 'Design');
    tab2 = await tab1.context().newPage();
    tab2.on('pageerror', (error) => pageErrors.push(error.message));
    await tab2.goto(server.url);
    await roomLink(tab2, 'Design').click();
    await tab2.getByRole('heading', { name: 'Design' }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });

  afterEach(() => expect(pageErrors).toEqual([]));

  test('messages of others in a room not open raise its badge (mentions too) and the title, on both tabs', async () => {
    await messagesOf(bob).waitFor();
    await send(bob, 'Morning all');
    await send(bob, 'Standup moved to 10');
    await send(bob, '@alice can you review the deck?');
    for (const tab of [tab1, tab2]) {
      await badgeIs(roomLink(tab, 'General Chat'), '3 unread @1 mention');
      await titleIs(tab, '(3) ChatStream');
    }
    await screenshot(tab2, 'unread-badges');
    await tab2.emulateMedia({ colorScheme: 'dark' });
    expect(await seriousViolations(tab2)).toEqual([]);
    await tab2.emulateMedia({ colorScheme: 'light' });
  });

  test('reading the room on one tab clears its badge on the other at once; the divider shows above the first new message', async () => {
    await roomLink(tab1, 'General Chat').click();
    const log = messagesOf(tab1);
    await shows(log, '@alice can you review the deck?');
    const divider = log.getByRole('separator', { name: 'New messages' });
    await divider.waitFor();
    // Right above bob's first new message.
    const next = log.locator('li.new-divider + li');
    expect(await next.textContent()).toContain('Morning all');
    await badgeIs(roomLink(tab1, 'General Chat'), '');
    await badgeIs(roomLink(tab2, 'General Chat'), '');
    await titleIs(tab2, 'ChatStream');
    await titleIs(tab1, 'ChatStream');
    await screenshot(tab1, 'new-messages-divider');
    expect(await seriousViolations(tab1)).toEqual([]);
  });

  test('after a reload the server says the same: read stays read, new stays new', async () => {
    await tab2.reload();
    // The tabs share the last room opened (General, on tab 1): tab 2 goes back to Design.
    await roomLink(tab2, 'Design').click();
    await tab2.getByRole('heading', { name: 'Design' }).waitFor();
    await send(bob, 'One more thing');
    await shows(messagesOf(tab1), 'One more thing');
    // Tab 1 has General open and at the bottom: it reads at once; tab 2 follows.
    await badgeIs(roomLink(tab2, 'General Chat'), '');
    await roomLink(tab1, 'Design').click();
    await send(bob, 'And another');
    await badgeIs(roomLink(tab2, 'General Chat'), '1 unread');
    await tab2.reload();
    await roomLink(tab2, 'Design').click();
    await badgeIs(roomLink(tab2, 'General Chat'), '1 unread');
    await titleIs(tab2, '(1) ChatStream');
    expect(await seriousViolations(tab2)).toEqual([]);
  });

  test('a private message raises the Direct messages badge; reading it on one tab clears it on the other', async () => {
    await onlineUser(bob, 'alice').click();
    const chat = privateDialog(bob, 'alice');
    await send(chat, 'Private note for you');
    await shows(messagesOf(chat), 'Private note for you');
    const entry = (tab: Page) => conversationWith(tab, 'bob');
    await badgeIs(entry(tab2), '1 unread');
    await badgeIs(entry(tab1), '1 unread');
    await titleIs(tab2, '(2) ChatStream');
    await entry(tab1).click();
    await shows(messagesOf(privateDialog(tab1, 'bob')), 'Private note for you');
    await badgeIs(entry(tab2), '');
    await titleIs(tab2, '(1) ChatStream');
  });
});
