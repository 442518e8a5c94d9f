import type { Browser, Locator, Page } from 'playwright-core';
import { launch, person } from './browser';
import { ServerProcess } from './server';

/** What a person does in the app, by roles and accessible names, as the issue names them. */

export async function signIn(page: Page, baseUrl: string, username: string): Promise<void> {
  await page.goto(baseUrl);
  await page.getByRole('textbox', { name: 'Username' }).fill(username);
  await page.getByRole('button', { name: 'Join chat' }).click();
  await connected(page);
}

/** Accounts mode: fills the sign-in form and presses `button` ("Sign in" or "Create account"); does not wait. */
export async function submitCredentials(
  page: Page,
  username: string,
  password: string,
  button: 'Sign in' | 'Create account',
): Promise<void> {
  await page.getByRole('textbox', { name: 'Username' }).fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: button, exact: true }).click();
}

/** Accounts mode: opens the app and creates an account (which signs in). */
export async function createAccount(page: Page, baseUrl: string, username: string, password: string): Promise<void> {
  await page.goto(baseUrl);
  await submitCredentials(page, username, password, 'Create account');
  await connected(page);
}

/** Accounts mode: opens the app and signs in with a password. */
export async function signInWithPassword(page: Page, baseUrl: string, username: string, password: string): Promise<void> {
  await page.goto(baseUrl);
  await submitCredentials(page, username, password, 'Sign in');
  await connected(page);
}

/** The sign-in view of accounts mode is showing. */
export function atSignIn(page: Page): Promise<void> {
  return page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
}

export const directMessages = (page: Page): Locator => page.getByRole('navigation', { name: 'Direct messages' });

export const conversationWith = (page: Page, username: string): Locator =>
  directMessages(page).getByRole('button', { name: new RegExp(escape(username)) });

export function connected(page: Page): Promise<void> {
  return page.getByRole('status').filter({ hasText: 'Connected' }).waitFor();
}

export const roomsNav = (page: Page): Locator => page.getByRole('navigation', { name: 'Rooms' });

export const roomLink = (page: Page, name: string): Locator =>
  roomsNav(page).getByRole('button', { name: new RegExp(escape(name)) });

/** The log of the open room, or of a dialog when given one. */
export const messagesOf = (scope: Page | Locator): Locator => scope.getByRole('log', { name: 'Messages' });

export function privateDialog(page: Page, username: string): Locator {
  return page.getByRole('dialog', { name: `Private chat with ${username}` });
}

export function onlineUser(page: Page, username: string): Locator {
  return page.getByRole('region', { name: 'Online users' }).getByRole('button', { name: new RegExp(escape(username)) });
}

export async function send(scope: Page | Locator, text: string, how: 'button' | 'enter' = 'button'): Promise<void> {
  const box = scope.getByRole('textbox', { name: 'Message' });
  await box.fill(text);
  if (how === 'enter') await box.press('Enter');
  else await scope.getByRole('button', { name: 'Send' }).click();
}

/** Waits until the log shows a message with exactly this text. */
export function shows(log: Locator, text: string): Promise<void> {
  return log.getByText(text, { exact: true }).first().waitFor();
}

/** How many times a message with exactly this text is in the log now. */
export function countOf(log: Locator, text: string): Promise<number> {
  return log.locator('.content').getByText(text, { exact: true }).count();
}

export async function createRoom(page: Page, name: string, description = ''): Promise<void> {
  await roomsNav(page).getByRole('button', { name: 'Create room' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create room' });
  await dialog.getByRole('textbox', { name: 'Room name' }).fill(name);
  if (description) await dialog.getByRole('textbox', { name: 'Description' }).fill(description);
  await dialog.getByRole('button', { name: 'Create' }).click();
  await dialog.waitFor({ state: 'detached' });
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Two people, alice and bob, each in a browser context of `browser`, signed in (open mode); page errors go to `errors`. */
export async function aliceAndBob(browser: Browser, baseUrl: string, errors: string[]): Promise<[Page, Page]> {
  const pages: [Page, Page] = [await person(browser), await person(browser)];
  for (const page of pages) page.on('pageerror', (error) => errors.push(error.message));
  await signIn(pages[0], baseUrl, 'alice');
  await signIn(pages[1], baseUrl, 'bob');
  return pages;
}

/**
 * The two-person setup of the conversation specs, as hooks of the calling
 * `describe`: a server (open mode) and a browser, alice and bob signed in
 * with General's log shown; page errors fail the test they happen in.
 */
export function aliceAndBobInGeneral(): { readonly alice: Page; readonly bob: Page } {
  const setup = {} as { server: ServerProcess; browser: Browser; alice: Page; bob: Page };
  const pageErrors: string[] = [];
  beforeAll(async () => {
    setup.server = await ServerProcess.start();
    setup.browser = await launch();
    [setup.alice, setup.bob] = await aliceAndBob(setup.browser, setup.server.url, pageErrors);
    await messagesOf(setup.alice).waitFor();
    await messagesOf(setup.bob).waitFor();
  });
  afterAll(async () => {
    await setup.browser?.close();
    await setup.server?.dispose();
  });
  afterEach(() => expect(pageErrors).toEqual([]));
  return setup;
}
