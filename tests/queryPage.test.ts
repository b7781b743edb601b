/**
 * The query page in a real browser: Debian's chromium driven by playwright-core
 * loads the page from the gateway (no CDN), runs the example cross-domain query
 * and sees the data.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { startMesh, tokenFor, type TestMesh } from './harness';
import { ANALYST } from './principals';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let mesh: TestMesh;
let browser: Browser;
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No chromium at ${CHROMIUM}: install Debian's package (apt-get install chromium) or set CHROMIUM_PATH`);
  }
  mesh = await startMesh();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
afterAll(async () => {
  await browser?.close();
  await mesh?.stop();
});

test('the query page loads from the gateway alone and runs a cross-domain query', async () => {
  const page = await browser.newPage();
  // As a corporate proxy would: the analyst's token on every request to the gateway.
  await page.setExtraHTTPHeaders(await tokenFor(ANALYST));
  const outside: string[] = [];
  const origin = new URL(mesh.gateway.url).origin;
  page.on('request', (request) => {
    if (!request.url().startsWith(origin) && !request.url().startsWith('data:')) outside.push(request.url());
  });
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(`${origin}/`);
  await page.locator('.graphiql-execute-button').waitFor({ timeout: 20_000 });
  const answered = page.waitForResponse((response) => response.url().endsWith('/graphql') && response.request().method() === 'POST');
  await page.locator('.graphiql-execute-button').click();
  const response = await answered;
  const body = await response.json();
  expect(response.status()).toBe(200);
  expect(body.data.deliveryPerformance.length).toBeGreaterThan(0);
  expect(body.errors).toBeUndefined();
  expect(body.data.lateDeliveries.edges[0].node.order.customer.segment).toEqual(expect.any(String));
  // The result pane shows the data (it renders only the lines in view, so check the top).
  const result = page.locator('.result-window');
  await result.getByText('"deliveryPerformance"').waitFor({ timeout: 10_000 });
  expect(await result.innerText()).toContain('"onTimeRate"');
  expect(pageErrors).toEqual([]);
  expect(outside).toEqual([]);
});
