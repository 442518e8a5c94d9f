import type { Browser, Page } from 'playwright-core';
import { conversationWith, createAccount, createRoom, messagesOf, onlineUser, privateDialog, roomLink, send, shows } from './support/app';
import { describeInBrowser, launch, person, screenshot, seriousViolations } from './support/browser';
import { ServerProcess } from './support/server';

/** Posts `count` messages to a room as the page's signed-in user (the session cookie), in order. */
async function postAs(page: Page, room: string, count: number, text: (i: number) => string): Promise<void> {
  await page.evaluate(
    async ({ room, texts }) => {
      for (const content of texts) {
        const response = await fetch('/api/messages', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ room, content }) });
        if (response.status !== 201) throw new Error(`POST /api/messages answered ${response.status}`);
      }
    },
    { room, texts: Array.from({ length: count }, (_, i) => text(i)) },
  );
}

/**
 * "Search messages" (AUTH=accounts): a prefix finds the message, the match
 * is marked, choosing the result opens its room scrolled to the message and
 * highlights it; no match and a refused query say so.
 */
describeInBrowser('searching messages (AUTH=accounts)', () => {
  let server: ServerProcess;
  let browser: Browser;
  let alice: Page;
  let bob: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    server = await ServerProcess.start({ env: { AUTH: 'accounts' } });
    browser = await launch();
    alice = await person(browser);
    alice.on('pageerror', (error) => pageErrors.push(error.message));
    await createAccount(alice, server.url, 'alice', 'alice in wonderland');
    await messagesOf(alice).waitFor();
    await send(alice, 'The deployment finished at noon <b>really</b>');
    await shows(messagesOf(alice), 'The deployment finished at noon <b>really</b>');
    // Enough after it that it is neither on screen nor in the first page the room loads.
    await postAs(alice, 'general', 80, (i) => `Chatter ${i + 1}`);
    await createRoom(alice, 'Elsewhere');
    bob = await person(browser);
    bob.on('pageerror', (error) => pageErrors.push(error.message));
    await createAccount(bob, server.url, 'bob', 'bob the builder');
  });

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });

  afterEach(() => expect(pageErrors).toEqual([]));

  const box = () => alice.getByRole('searchbox', { name: 'Search messages' });
  const results = () => alice.getByRole('list', { name: 'Search results' });

  test('a prefix finds the message; the match is marked and the rest is text, never HTML', async () => {
    await box().fill('DEPLO');
    const result = results().getByRole('listitem').filter({ hasText: 'finished at noon' });
    await result.waitFor();
    expect(await result.locator('mark').first().textContent()).toMatch(/^deplo/i);
    expect(await result.textContent()).toContain('<b>really</b>');
    expect(await result.locator('b').count()).toBe(0);
    expect(await result.textContent()).toContain('General Chat');
    await screenshot(alice, 'search-results');
    expect(await seriousViolations(alice)).toEqual([]);
  });

  test('choosing it opens its room scrolled to the message, highlighted', async () => {
    await results().getByRole('button', { name: /finished at noon/ }).click();
    await alice.getByRole('heading', { name: 'General Chat' }).waitFor();
    const log = messagesOf(alice);
    const found = log.locator('li[aria-current="true"]');
    await found.waitFor();
    expect(await found.textContent()).toContain('The deployment finished at noon');
    const [view, item] = [await log.boundingBox(), await found.boundingBox()];
    expect(view && item).toBeTruthy();
    if (!view || !item) return;
    expect(item.y).toBeGreaterThanOrEqual(view.y);
    expect(item.y + item.height).toBeLessThanOrEqual(view.y + view.height);
    await screenshot(alice, 'search-opened');
  });

  test('Enter on a result opens it too', async () => {
    await roomLink(alice, 'Elsewhere').click();
    await box().fill('chatter 42');
    await results().getByRole('listitem').filter({ hasText: 'Chatter 42' }).waitFor();
    expect(await results().getByRole('listitem').count()).toBe(1);
    await box().press('ArrowDown');
    await alice.keyboard.press('Enter');
    await alice.getByRole('heading', { name: 'General Chat' }).waitFor();
    await messagesOf(alice).locator('li[aria-current="true"]').filter({ hasText: 'Chatter 42' }).waitFor();
  });

  test('a private message is found ("Private · bob") and opens the private chat at it', async () => {
    await onlineUser(bob, 'alice').click();
    const chat = privateDialog(bob, 'alice');
    await send(chat, 'The launch codes are in the vault');
    await shows(messagesOf(chat), 'The launch codes are in the vault');
    await bob.getByRole('button', { name: 'Close' }).click();
    await box().fill('launch vau');
    const result = results().getByRole('listitem').filter({ hasText: 'launch codes' });
    await result.waitFor();
    expect(await result.textContent()).toContain('Private · bob');
    await result.getByRole('button').click();
    const dialog = privateDialog(alice, 'bob');
    await dialog.locator('li[aria-current="true"]').filter({ hasText: 'The launch codes are in the vault' }).waitFor();
    await alice.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    // Opened again later, the chat is no longer about that search.
    await conversationWith(alice, 'bob').click();
    await shows(messagesOf(dialog), 'The launch codes are in the vault');
    expect(await dialog.locator('li[aria-current="true"]').count()).toBe(0);
    await alice.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  test('at phone width the search box takes its own row and its results fit the screen', async () => {
    await alice.setViewportSize({ width: 360, height: 720 });
    await box().fill('deplo');
    const list = results();
    await list.getByRole('listitem').filter({ hasText: 'deployment' }).waitFor();
    const shown = await list.boundingBox();
    expect(shown && shown.x >= 0 && shown.x + shown.width <= 360).toBe(true);
    await screenshot(alice, 'search-phone');
    expect(await seriousViolations(alice)).toEqual([]);
    await alice.keyboard.press('Escape');
    await alice.setViewportSize({ width: 1100, height: 720 });
  });

  test('no match says so; a query over 200 characters is refused with the reason', async () => {
    await box().fill('zebrafish');
    await alice.getByRole('status').filter({ hasText: 'No messages match “zebrafish”.' }).waitFor();
    await box().fill('x'.repeat(201));
    await alice.getByRole('alert').filter({ hasText: /Search failed: .*200/ }).waitFor();
  });
});
