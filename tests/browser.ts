/**
 * Debian's chromium for the page tests, driven by playwright-core: one place
 * that says where it is (CHROMIUM_PATH, or /usr/bin/chromium), what is missing
 * when it is not there, and the flags it runs with on these machines (no
 * sandbox as root, no GPU, nothing fetched from the network on its own), and
 * the query page opened on a query as one of the role picker's principals.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`No chromium at ${CHROMIUM}: install Debian's package (apt-get install chromium) or set CHROMIUM_PATH`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * The query page of the gateway at `gatewayUrl`, opened with `query` in GraphiQL's editor and the role picker on
 * `role`, once GraphiQL can run it; `pageErrors` collects the page's uncaught errors.
 */
export async function openQueryPage(browser: Browser, gatewayUrl: string, query: string, role: string): Promise<{ page: Page; pageErrors: string[] }> {
  const page = await browser.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.addInitScript(
    ({ query, role }) => {
      // Runs in the page, where localStorage exists (the tests are compiled without the DOM's types).
      const storage = (globalThis as unknown as { localStorage: { setItem(key: string, value: string): void } }).localStorage;
      storage.setItem('graphiql:query', query);
      storage.setItem('meshgate:role', role);
    },
    { query, role },
  );
  await page.goto(`${new URL(gatewayUrl).origin}/`);
  await page.locator('.graphiql-execute-button').waitFor({ timeout: 20_000 });
  return { page, pageErrors };
}
