import type { Page } from 'playwright-core';
import { aliceAndBobInGeneral, messagesOf, send, shows } from './support/app';
import { describeInBrowser, screenshot, seriousViolations } from './support/browser';
import { sleep } from './support/server';

/** Two people in General: edit, delete, react and un-react, typing; each change seen live by the other. */
describeInBrowser('conversations in the web app', () => {
  const people = aliceAndBobInGeneral();
  let alice: Page;
  let bob: Page;
  beforeAll(() => ({ alice, bob } = people));

  const message = (page: Page, text: string) => messagesOf(page).getByRole('listitem').filter({ hasText: text }).last();

  test('alice edits her message in place with Enter; bob sees the new text and "(edited)" live', async () => {
    await send(alice, 'Lanch at noon?');
    await shows(messagesOf(bob), 'Lanch at noon?');
    const mine = message(alice, 'Lanch at noon?');
    await mine.hover();
    expect(await message(bob, 'Lanch at noon?').getByRole('button', { name: 'Edit' }).count()).toBe(0);
    await mine.getByRole('button', { name: 'Edit' }).click();
    const box = alice.getByRole('textbox', { name: 'Edit message' });
    await box.fill('Lunch at noon?');
    await box.press('Enter');
    await message(bob, 'Lunch at noon?').getByText('(edited)').waitFor();
    await screenshot(bob, 'edited-message');
  });

  test('bob reacts from the picker; the reaction names who reacted, and clicking it again takes it back', async () => {
    const theirs = message(bob, 'Lunch at noon?');
    await theirs.hover();
    await theirs.getByRole('button', { name: 'React' }).click();
    await bob.getByRole('dialog', { name: 'Choose a reaction' }).getByRole('button', { name: '👍' }).click();
    await message(alice, 'Lunch at noon?').getByRole('button', { name: '👍 1: bob' }).waitFor();
    await message(alice, 'Lunch at noon?').getByRole('button', { name: '👍 1: bob' }).click();
    await message(bob, 'Lunch at noon?').getByRole('button', { name: '👍 2: you, alice' }).waitFor();
    await screenshot(bob, 'reactions');
    // The new controls shown (actions on hover, the picker open) pass axe as the rest of the app does.
    await message(bob, 'Lunch at noon?').hover();
    await message(bob, 'Lunch at noon?').getByRole('button', { name: 'React' }).click();
    expect(await seriousViolations(bob)).toEqual([]);
    await bob.keyboard.press('Escape');
    await bob.getByRole('dialog', { name: 'Choose a reaction' }).waitFor({ state: 'detached' });
    await message(bob, 'Lunch at noon?').getByRole('button', { name: '👍 2: you, alice' }).click();
    await message(alice, 'Lunch at noon?').getByRole('button', { name: '👍 1: you' }).waitFor();
  });

  test('bob replies in the thread panel; alice sees "1 reply" under her message and the reply in the thread', async () => {
    const theirs = message(bob, 'Lunch at noon?');
    await theirs.hover();
    await theirs.getByRole('button', { name: 'Reply in thread' }).click();
    const thread = bob.getByRole('region', { name: 'Thread' });
    await thread.getByRole('textbox', { name: 'Reply' }).fill('Count me in');
    await thread.getByRole('textbox', { name: 'Reply' }).press('Enter');
    await thread.getByText('Count me in').waitFor();
    await message(alice, 'Lunch at noon?').getByRole('button', { name: '1 reply' }).click();
    await alice.getByRole('region', { name: 'Thread' }).getByText('Count me in').waitFor();
    await screenshot(alice, 'thread');
    await alice.getByRole('button', { name: 'Close thread' }).click();
    await bob.getByRole('button', { name: 'Close thread' }).click();
  });

  test('"alice is typing…" shows for bob while she types, and goes when her message arrives', async () => {
    // Typing is forwarded at most once every 2 s per person and room; her first message's typing was just now.
    await sleep(2100);
    await alice.getByRole('textbox', { name: 'Message' }).fill('on my way');
    await bob.getByRole('status').filter({ hasText: 'alice is typing…' }).waitFor();
    await alice.getByRole('textbox', { name: 'Message' }).press('Enter');
    await shows(messagesOf(bob), 'on my way');
    await bob.getByRole('status').filter({ hasText: 'alice is typing…' }).waitFor({ state: 'detached' });
    expect(await bob.getByText('alice is typing…').count()).toBe(0);
  });

  test('alice deletes her message; bob sees "This message was deleted" in its place', async () => {
    const mine = message(alice, 'on my way');
    await mine.hover();
    await mine.getByRole('button', { name: 'Delete' }).click();
    await messagesOf(bob).getByText('This message was deleted').waitFor();
    expect(await messagesOf(bob).getByText('on my way').count()).toBe(0);
  });
});
