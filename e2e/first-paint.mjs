// Web app benchmark (not part of `npm test`): `npm run build`, then `node e2e/first-paint.mjs`
// (or `npx nx run e2e:first-paint`). Starts the built server on a free port with a temp
// SQLite folder, warms it, then measures in Chromium:
//   1. first-contentful-paint of the chat view for a signed-in user (a reload lands in the chat), median of 5;
//   2. from clicking "Join chat" to the chat view's message log on screen, median of 5;
//   3. a room with 10,000 messages loaded: rendered items and frame intervals while scrolling through it.
// Prints a Markdown table for docs/benchmarks.md.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = 5;
const LONG_ROOM = 10_000;
const CHROME_ARGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startServer() {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'chatstream-bench-'));
  // AUTH=open: the measured flows are the sign-in by name ("Join chat") and REST seeding as any user.
  const env = { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn', AUTH: 'open' };
  for (const name of ['DATABASE_URL', 'STORAGE', 'REDIS_URL', 'REDIS_PREFIX', 'PRESENCE_LEASE_MS', 'STATIC_DIR']) delete env[name];
  const child = spawn(process.execPath, [join(ROOT, 'backend', 'dist', 'main.js')], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 400; i++) {
    if (await fetch(`${url}/api/health`).then((r) => r.ok, () => false)) return { url, child, dataDir };
    await sleep(50);
  }
  throw new Error('server did not start');
}

async function post(url, body) {
  const response = await fetch(`${url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 201) throw new Error(`POST /api/messages: ${response.status} ${await response.text()}`);
}

const user = (name) => ({ id: `bench-${name}-${Math.random().toString(16).slice(2)}`, name });

/** A fresh context (cold browser cache, warm server) with the user already signed in. */
async function signedInPage(browser, who, viewport = { width: 1100, height: 720 }) {
  const context = await browser.newContext({ viewport });
  await context.addInitScript((stored) => {
    if (!localStorage.getItem('chatstream.user')) localStorage.setItem('chatstream.user', stored);
  }, JSON.stringify(who));
  return { context, page: await context.newPage() };
}

async function firstPaint(browser, url) {
  const values = [];
  for (let i = 0; i < RUNS; i++) {
    const { context, page } = await signedInPage(browser, user(`fcp${i}`));
    await page.goto(url, { waitUntil: 'load' });
    await page.getByRole('log', { name: 'Messages' }).waitFor();
    const fcp = await page.evaluate(
      () =>
        new Promise((resolve) => {
          const done = () => performance.getEntriesByName('first-contentful-paint')[0]?.startTime;
          if (done() !== undefined) return resolve(done());
          new PerformanceObserver(() => resolve(done())).observe({ type: 'paint', buffered: true });
        }),
    );
    values.push(fcp);
    await context.close();
  }
  return values;
}

async function signInToChat(browser, url) {
  const values = [];
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext({ viewport: { width: 1100, height: 720 } });
    const page = await context.newPage();
    await page.goto(url);
    await page.getByRole('textbox', { name: 'Username' }).fill(`signin${i}`);
    const start = await page.evaluate(() => performance.now());
    await page.getByRole('button', { name: 'Join chat' }).click();
    // The next animation frame after the log exists is when it is on screen.
    const shown = await page.evaluate(
      () =>
        new Promise((resolve) => {
          const check = () => {
            if (document.querySelector('[role="log"]')) requestAnimationFrame(() => resolve(performance.now()));
            else requestAnimationFrame(check);
          };
          check();
        }),
    );
    values.push(shown - start);
    await context.close();
  }
  return values;
}

async function longRoom(browser, url) {
  const seeder = user('seeder');
  const { context, page } = await signedInPage(browser, seeder);
  await page.goto(url);
  await page.getByRole('button', { name: 'Leave room' }).waitFor();
  const seedStart = Date.now();
  for (let start = 0; start < LONG_ROOM; start += 200) {
    const batch = [];
    for (let i = start; i < Math.min(LONG_ROOM, start + 200); i++) {
      const content = i % 7 === 6 ? `Message ${i + 1}: ${'a longer line of text that wraps '.repeat(4)}` : `Message ${i + 1}`;
      batch.push(post(url, { content, sender: seeder.name, sender_id: seeder.id, room: 'general' }));
    }
    await Promise.all(batch);
  }
  const seedMs = Date.now() - seedStart;
  await page.reload();
  const log = page.getByRole('log', { name: 'Messages' });
  await log.getByText(`Message ${LONG_ROOM}`, { exact: true }).waitFor();

  // Load everything by scrolling up until the first message is rendered.
  const loadStart = Date.now();
  while (!(await log.getByText('Message 1', { exact: true }).count())) {
    await log.evaluate((el) => (el.scrollTop = 0));
    await sleep(30);
    if (Date.now() - loadStart > 180_000) throw new Error('could not load the whole room');
  }
  const loadMs = Date.now() - loadStart;

  // Scroll down through the room with the mouse wheel and record frame intervals.
  const box = await log.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.evaluate(() => {
    window.__frames = [];
    let last = performance.now();
    const tick = (now) => {
      window.__frames.push(now - last);
      last = now;
      if (!window.__stop) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  let maxRendered = 0;
  for (let i = 0; i < 300; i++) {
    await page.mouse.wheel(0, 600);
    await sleep(16);
    if (i % 20 === 0) maxRendered = Math.max(maxRendered, await log.locator('li').count());
  }
  const frames = await page.evaluate(() => {
    window.__stop = true;
    return window.__frames.slice(1);
  });
  const positions = await log.evaluate((el) => ({ top: el.scrollTop, height: el.scrollHeight }));
  await context.close();
  return { seedMs, loadMs, frames, maxRendered, positions };
}

const server = await startServer();
const browser = await chromium.launch({ executablePath: process.env.CHROME_PATH || '/usr/bin/chromium', args: CHROME_ARGS });
try {
  // Warm the server: the page, its assets and the API once.
  const warm = await browser.newPage();
  await warm.goto(server.url);
  await warm.close();
  await fetch(`${server.url}/api/rooms`);

  const fcp = await firstPaint(browser, server.url);
  const signIn = await signInToChat(browser, server.url);
  const long = await longRoom(browser, server.url);

  const fmt = (ms) => `${Math.round(ms)} ms`;
  console.log('\n| measurement | median | all runs |');
  console.log('|---|---|---|');
  console.log(`| first-contentful-paint of the chat view (signed-in user opens /) | ${fmt(median(fcp))} | ${fcp.map(Math.round).join(', ')} |`);
  console.log(`| "Join chat" click → chat view on screen | ${fmt(median(signIn))} | ${signIn.map(Math.round).join(', ')} |`);
  console.log(`\nLong room: ${LONG_ROOM} messages seeded in ${fmt(long.seedMs)}, all loaded by scrolling up in ${fmt(long.loadMs)}.`);
  console.log(`Wheel-scrolling through it: ${long.frames.length} frames, median ${long.frames.length ? median(long.frames).toFixed(1) : '-'} ms, p95 ${percentile(long.frames, 0.95).toFixed(1)} ms, max ${Math.max(...long.frames).toFixed(1)} ms; at most ${long.maxRendered} list items rendered.`);
} finally {
  await browser.close();
  server.child.kill('SIGTERM');
  await new Promise((resolve) => server.child.once('exit', resolve));
  rmSync(server.dataDir, { recursive: true, force: true });
}
