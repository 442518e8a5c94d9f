import AxeBuilder from '@axe-core/playwright';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';

export const CHROME_PATH = process.env.CHROME_PATH || '/usr/bin/chromium';
export const SCREENSHOTS = join(__dirname, '..', '..', 'screenshots');

/** Why the browser specs cannot run here, or null when Chromium is installed. */
export function browserMissing(): string | null {
  return existsSync(CHROME_PATH)
    ? null
    : `Chromium not found at ${CHROME_PATH} (set CHROME_PATH, or apt-get install chromium; .ci/run does)`;
}

const missing = browserMissing();
// Straight to stderr: jest hides console output of suites that have only skipped tests.
if (missing) process.stderr.write(`\nBrowser specs skipped: ${missing}\n`);
/** `describe` when Chromium is installed; otherwise the suite is reported as skipped (the reason is printed). */
export const describeInBrowser: jest.Describe = missing ? describe.skip : describe;

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROME_PATH,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/** A person: their own browser context (own localStorage), one page. */
export async function person(browser: Browser, options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 720 }, ...options });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  return page;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/** Serious and critical axe-core violations, as "rule: target" lines for a readable failure. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .flatMap((violation) => violation.nodes.map((node) => `${violation.id} (${violation.impact}): ${node.target.join(' ')}`));
}
