import type { Browser, Locator, Page } from 'playwright-core';
import { aliceAndBobInGeneral, connected, conversationWith, createAccount, messagesOf, onlineUser, privateDialog, send, shows } from './support/app';
import { describeInBrowser, launch, person, screenshot, seriousViolations } from './support/browser';
import { ServerProcess } from './support/server';

const message = (scope: Page | Locator, text: string) => messagesOf(scope).getByRole('listitem').filter({ hasText: text }).last();

/** Two people in General: what a message's text can hold (Markdown, mentions, "@" suggestions), and threads in a private chat. */
describeInBrowser('message text and private threads in the web app', () => {
  const people = aliceAndBobInGeneral();
  let alice: Page;
  let bob: Page;
  beforeAll(() => ({ alice, bob } = people));

  test('"@al" in the composer suggests alice; Enter puts "@alice " in; the listbox passes axe', async () => {
    const box = bob.getByRole('textbox', { name: 'Message' });
    await box.fill('Thanks @al');
    const suggestions = bob.getByRole('listbox', { name: 'Mention suggestions' });
    await suggestions.getByRole('option', { name: '@alice' }).waitFor();
    // Only the other people are offered, never oneself.
    expect(await suggestions.getByRole('option').allTextContents()).toEqual(['@alice']);
    expect(await box.getAttribute('aria-activedescendant')).toBe(await suggestions.getByRole('option', { name: '@alice' }).getAttribute('id'));
    expect(await seriousViolations(bob)).toEqual([]);
    await screenshot(bob, 'mention-suggestions');
    await box.press('Enter');
    await suggestions.waitFor({ state: 'detached' });
    expect(await box.inputValue()).toBe('Thanks @alice ');
    // Escape closes the list and leaves the text as typed.
    await box.pressSequentially('and @');
    await suggestions.waitFor();
    await box.press('Escape');
    await suggestions.waitFor({ state: 'detached' });
    expect(await box.inputValue()).toBe('Thanks @alice and @');
    await box.fill('Thanks @alice for the **review**, _really_ `npm test` green');
    await box.press('Enter');
    await shows(messagesOf(bob), 'review');
  });

  test('the mention is highlighted for alice (her name marked) and not for bob, the sender; bold and italic render', async () => {
    const hers = message(alice, 'for the').locator('.content');
    await hers.locator('.mention.mention-me').filter({ hasText: '@alice' }).waitFor();
    // The name stays in the line of text around it.
    expect(await hers.locator('.mention.mention-me').evaluate((node) => getComputedStyle(node).display)).toBe('inline');
    expect(await hers.evaluate((node) => node.classList.contains('mention'))).toBe(true);
    // The whole message stands out for her: an outline around it.
    expect(await hers.evaluate((node) => getComputedStyle(node).outlineStyle)).toBe('solid');
    expect(await hers.locator('strong').textContent()).toBe('review');
    expect(await hers.locator('em').textContent()).toBe('really');
    expect(await hers.locator('code').textContent()).toBe('npm test');

    const his = message(bob, 'for the').locator('.content');
    expect(await his.evaluate((node) => node.classList.contains('mention'))).toBe(false);
    expect(await his.locator('.mention.mention-me').count()).toBe(0);
    expect(await his.evaluate((node) => getComputedStyle(node).outlineStyle)).toBe('none');
    await screenshot(alice, 'mention');
  });

  test('a Markdown link and a bare URL open in a new tab without opener or referrer', async () => {
    await send(alice, 'Notes: [release notes](https://example.com/notes) and https://example.org/changelog', 'enter');
    const link = message(bob, 'Notes:').getByRole('link', { name: 'release notes' });
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe('https://example.com/notes');
    expect(await link.getAttribute('target')).toBe('_blank');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    const bare = message(bob, 'Notes:').getByRole('link', { name: 'https://example.org/changelog' });
    expect(await bare.getAttribute('target')).toBe('_blank');
    expect(await bare.getAttribute('rel')).toBe('noopener noreferrer');
    await send(alice, 'Deploy with:\n```\nnpm run build\nnpm start\n```', 'enter');
    await message(bob, 'Deploy with:').locator('pre code').filter({ hasText: 'npm run build' }).waitFor();
    await screenshot(bob, 'markdown');
    // Links, code and mentions keep their contrast in both schemes.
    for (const scheme of ['dark', 'light'] as const) {
      await bob.emulateMedia({ colorScheme: scheme });
      expect(await seriousViolations(bob)).toEqual([]);
    }
  });

  test('<script> and <img onerror> inside Markdown show as text: nothing runs, no image, no script element', async () => {
    const attack = '**careful** <script>window.pwned = "script"</script> <img src=x onerror="window.pwned = \'img\'"> [x](javascript:window.pwned=1)';
    await send(alice, attack, 'enter');
    for (const page of [alice, bob]) {
      const content = message(page, 'careful').locator('.content');
      await content.getByText('<script>window.pwned = "script"</script>', { exact: false }).waitFor();
      await content.getByText(`<img src=x onerror="window.pwned = 'img'">`, { exact: false }).waitFor();
      expect(await content.locator('strong').textContent()).toBe('careful');
      expect(await messagesOf(page).locator('img, script').count()).toBe(0);
      expect(await content.getByRole('link').count()).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { pwned?: unknown }).pwned)).toBeUndefined();
    }
  });

  test('in a private chat "@" suggests the other person, and "Reply in thread" opens a thread both of them see', async () => {
    await onlineUser(alice, 'bob').click();
    const toBob = privateDialog(alice, 'bob');
    await send(toBob, 'Can you look at the invoice?', 'enter');
    await onlineUser(bob, 'alice').filter({ hasText: '1 unread' }).waitFor();
    await onlineUser(bob, 'alice').click();
    const toAlice = privateDialog(bob, 'alice');
    const question = message(toAlice, 'Can you look at the invoice?');
    await question.hover();
    await question.getByRole('button', { name: 'Reply in thread' }).click();
    const thread = toAlice.getByRole('region', { name: 'Thread' });
    await thread.getByText('Can you look at the invoice?').waitFor();
    const reply = thread.getByRole('textbox', { name: 'Reply' });
    await reply.fill('Sure @');
    await thread.getByRole('listbox', { name: 'Mention suggestions' }).getByRole('option', { name: '@alice' }).waitFor();
    await reply.press('Tab');
    await reply.pressSequentially('it is **paid**');
    await reply.press('Enter');
    await thread.locator('strong').filter({ hasText: 'paid' }).waitFor();

    await message(toBob, 'Can you look at the invoice?').getByRole('button', { name: '1 reply' }).click();
    const hers = toBob.getByRole('region', { name: 'Thread' });
    await hers.getByText('Sure @alice it is paid').waitFor();
    expect(await hers.locator('.mention.mention-me').textContent()).toBe('@alice');
    await screenshot(alice, 'private-thread');
    expect(await seriousViolations(alice)).toEqual([]);
    await hers.getByRole('button', { name: 'Close thread' }).click();
    await hers.waitFor({ state: 'detached' });
    await alice.keyboard.press('Escape');
    await bob.keyboard.press('Escape');
  });
});

/** Accounts mode, where private history is kept: a private thread reads its replies from the server after a reload. */
describeInBrowser('private threads with history (accounts mode)', () => {
  let server: ServerProcess;
  let browser: Browser;
  let ann: Page;
  let ben: Page;

  beforeAll(async () => {
    server = await ServerProcess.start({ env: { AUTH: 'accounts' } });
    browser = await launch();
    ann = await person(browser);
    ben = await person(browser);
    await createAccount(ann, server.url, 'ann', 'ann password 1');
    await createAccount(ben, server.url, 'ben', 'ben password 1');
  });

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });

  test('ben answers in a thread; after a reload ann opens "1 reply" and reads the thread', async () => {
    await onlineUser(ann, 'ben').click({ timeout: 15_000 });
    await send(privateDialog(ann, 'ben'), 'Draft is ready', 'enter');
    await conversationWith(ben, 'ann').click();
    const toAnn = privateDialog(ben, 'ann');
    const draft = message(toAnn, 'Draft is ready');
    await draft.hover();
    await draft.getByRole('button', { name: 'Reply in thread' }).click();
    const thread = toAnn.getByRole('region', { name: 'Thread' });
    await thread.getByRole('textbox', { name: 'Reply' }).fill('Looks good');
    await thread.getByRole('textbox', { name: 'Reply' }).press('Enter');
    await thread.getByText('Looks good').waitFor();

    await ann.reload();
    await connected(ann);
    await conversationWith(ann, 'ben').click();
    const toBen = privateDialog(ann, 'ben');
    await message(toBen, 'Draft is ready').getByRole('button', { name: '1 reply' }).click();
    await toBen.getByRole('region', { name: 'Thread' }).getByText('Looks good').waitFor();
  });
});
