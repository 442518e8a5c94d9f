import type { Browser, Locator, Page } from 'playwright-core';
import { messagesOf, shows, signIn } from './support/app';
import { describeInBrowser, launch, person } from './support/browser';
import { postMany, userOf } from './support/seed';
import { ServerProcess, sleep } from './support/server';


const SEEDED = 1500;
/** Most list items the log renders at once (the app's MAX_RENDERED), plus pending ones. */
const RENDER_BOUND = 300;

/** Where a message is, relative to the top of the log's viewport (px), or null when not rendered. */
function offsetOf(log: Locator, text: string): Promise<number | null> {
  return log.evaluate((viewport, wanted) => {
    const node = Array.from(viewport.querySelectorAll('li')).find((li) => li.querySelector('.content')?.textContent === wanted);
    return node ? node.getBoundingClientRect().top - viewport.getBoundingClientRect().top : null;
  }, text);
}

const renderedCount = (log: Locator) => log.locator('li').count();
const distanceFromBottom = (log: Locator) => log.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);

describeInBrowser('a long room', () => {
  let server: ServerProcess;
  let browser: Browser;
  let page: Page;
  let log: Locator;

  beforeAll(async () => {
    server = await ServerProcess.start();
    browser = await launch();
    page = await person(browser);
    await signIn(page, server.url, 'reader');
    await page.getByRole('button', { name: 'Leave room' }).waitFor();
    await postMany(server, await userOf(page), 'general', SEEDED);
    await page.reload();
    log = messagesOf(page);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });

  test('opens at the newest message with a bounded number of rendered items', async () => {
    await shows(log, `Seeded message ${SEEDED}`);
    expect(await distanceFromBottom(log)).toBeLessThan(30);
    expect(await renderedCount(log)).toBeLessThanOrEqual(RENDER_BOUND);
  });

  test('scrolling up loads older pages and keeps the message in view in place', async () => {
    for (let i = 0; i < 12; i++) {
      // Just below the edge that extends the window: note the first message in view and where it is.
      await log.evaluate((el) => (el.scrollTop = 500));
      await sleep(100);
      const anchor = await log.evaluate((viewport) => {
        const top = viewport.getBoundingClientRect().top;
        const first = Array.from(viewport.querySelectorAll('li')).find((li) => li.getBoundingClientRect().top >= top);
        return first?.querySelector('.content')?.textContent ?? '';
      });
      const before = await offsetOf(log, anchor);
      // Scrolling up by 200 px crosses the edge: older items are rendered (or loaded) above.
      await log.evaluate((el) => el.scrollBy(0, -200));
      await sleep(300);
      const after = await offsetOf(log, anchor);
      expect(before).not.toBeNull();
      expect(after).not.toBeNull();
      expect(Math.abs((after ?? 0) - ((before ?? 0) + 200))).toBeLessThan(2);
      expect(await renderedCount(log)).toBeLessThanOrEqual(RENDER_BOUND);
    }
    // Well past the first page (50) by now.
    const firstShown = await log.locator('li .content').first().textContent();
    expect(Number(firstShown?.replace(/\D+/g, ''))).toBeLessThan(SEEDED - 400);
  });

  test('while scrolled up, a new message does not move the view; at the bottom, the view follows', async () => {
    const user = await userOf(page);
    const anchor = (await log.locator('li .content').nth(5).textContent()) ?? '';
    const before = await offsetOf(log, anchor);
    await postMany(server, user, 'general', 1, () => 'Arrived while reading back');
    await sleep(500);
    expect(await offsetOf(log, anchor)).toBe(before);
    await page.getByRole('button', { name: 'Jump to latest' }).click();
    await shows(log, 'Arrived while reading back');
    expect(await distanceFromBottom(log)).toBeLessThan(30);
    await postMany(server, user, 'general', 3, (i) => `Followed ${i}`);
    await shows(log, 'Followed 2');
    await sleep(200);
    expect(await distanceFromBottom(log)).toBeLessThan(30);
    expect(await renderedCount(log)).toBeLessThanOrEqual(RENDER_BOUND);
  });
});
