import type { Page } from 'playwright-core';
import type { ServerProcess } from './server';

/** The signed-in user of a page, from the app's localStorage. */
export async function userOf(page: Page): Promise<{ id: string; name: string }> {
  const raw = await page.evaluate(() => localStorage.getItem('chatstream.user'));
  if (!raw) throw new Error('nobody is signed in on this page');
  return JSON.parse(raw) as { id: string; name: string };
}

/** Posts `count` messages to a room over REST as that user (a member), a batch at a time, in order per batch. */
export async function postMany(
  server: ServerProcess,
  user: { id: string; name: string },
  room: string,
  count: number,
  text = (i: number) => `Seeded message ${i + 1}`,
): Promise<void> {
  const BATCH = 100;
  for (let start = 0; start < count; start += BATCH) {
    const batch = [];
    for (let i = start; i < Math.min(count, start + BATCH); i++) {
      batch.push(server.http('POST', '/api/messages', { content: text(i), sender: user.name, sender_id: user.id, room }));
    }
    const answers = await Promise.all(batch);
    const bad = answers.find((answer) => answer.status !== 201);
    if (bad) throw new Error(`POST /api/messages answered ${bad.status}: ${JSON.stringify(bad.body)}`);
  }
}
