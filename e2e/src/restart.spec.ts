import type { Browser, Page } from 'playwright-core';
import { aliceAndBob, connected, messagesOf, roomLink, send, shows } from './support/app';
import { describeInBrowser, launch, screenshot } from './support/browser';
import { ServerProcess } from './support/server';

/** The texts of the open room's messages, in the order shown. */
async function shown(page: Page): Promise<string[]> {
  return messagesOf(page).locator('li.message:not(.pending) .content').allInnerTexts();
}

/**
 * Exactly once, in order, after a crash: the server is killed while a person
 * is typing and sending, and started again. Nothing they sent is lost or
 * doubled, everyone sees the same order, and a room created meanwhile by
 * someone else is in their room list.
 */
describeInBrowser('the server crashes while a person is typing and sending', () => {
  let server: ServerProcess;
  let browser: Browser;
  let alice: Page;
  let bob: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    server = await ServerProcess.start();
    browser = await launch();
    [alice, bob] = await aliceAndBob(browser, server.url, pageErrors);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });

  test('after reconnecting every message appears once, in order, and the room list has the room made meanwhile', async () => {
    await send(alice, 'one: before the crash', 'enter');
    await shows(messagesOf(bob), 'one: before the crash');

    // The server hangs, a message goes out that it never reads, and then it dies.
    server.freeze();
    await send(alice, 'two: sent as it crashed', 'enter');
    await messagesOf(alice).getByText('Sending…').waitFor();
    await server.crash();
    await messagesOf(alice).getByText('Sending again…').waitFor();
    await alice.getByRole('status').filter({ hasText: 'Reconnecting…' }).waitFor();
    await send(alice, 'three: sent while it was down', 'enter');
    await send(alice, 'four: also while it was down', 'enter');
    // And a fifth still being typed when it comes back.
    await alice.getByRole('textbox', { name: 'Message' }).fill('five: typed during the restart');
    await screenshot(alice, 'crash-pending');

    await server.boot();
    // Someone else makes a room before Alice's page is back.
    const made = await server.http<{ room: { id: string } }>('POST', '/api/rooms', { name: 'Made While Away' });
    expect(made.status).toBe(201);
    await connected(alice);
    await connected(bob);
    await alice.getByRole('button', { name: 'Send' }).click();

    const expected = ['one: before the crash', 'two: sent as it crashed', 'three: sent while it was down', 'four: also while it was down', 'five: typed during the restart'];
    for (const page of [alice, bob]) await shows(messagesOf(page), expected[4]);
    await messagesOf(alice).getByText('Sending again…').waitFor({ state: 'detached' });
    await messagesOf(alice).getByText('Waiting for connection…').waitFor({ state: 'detached' });
    for (const page of [alice, bob]) expect(await shown(page)).toEqual(expected);
    const history = await server.http<{ messages: Array<{ content: string; seq: number }> }>('GET', '/api/rooms/general/messages');
    expect(history.body.messages.map((m) => m.content)).toEqual(expected);
    expect(history.body.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);

    await roomLink(alice, 'Made While Away').waitFor();
    // And a room made now arrives at once, without a reload or a poll.
    await server.http('POST', '/api/rooms', { name: 'Made Just Now' });
    await roomLink(alice, 'Made Just Now').waitFor({ timeout: 3000 });
    await screenshot(alice, 'after-crash');
    expect(pageErrors).toEqual([]);
  });
});
