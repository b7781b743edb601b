/**
 * Issue 15: the query page runs @defer. In a real browser (Debian's chromium, playwright-core), GraphiQL's
 * fetcher accepts multipart/mixed with deferSpec=20220824, reads the parts and shows the deferred fields
 * merged into the result (before: the page's Accept header got 406 for any @defer).
 */
import type { Browser } from 'playwright-core';
import { launchBrowser, openQueryPage } from './browser';
import { startMesh, type TestMesh } from './harness';

const QUERY = 'query Deferred { order(id: "7") { id total ... @defer(label: "who") { customer { segment } } } }';

let mesh: TestMesh;
let browser: Browser;
beforeAll(async () => {
  mesh = await startMesh();
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await mesh?.stop();
});

test('a query with @defer typed in GraphiQL comes as multipart and shows the deferred fields', async () => {
  const { page, pageErrors } = await openQueryPage(browser, mesh.gateway.url, QUERY, 'analyst (alice)');
  const answered = page.waitForResponse((response) => response.url().endsWith('/graphql') && (response.request().postData() ?? '').includes('Deferred'));
  await page.locator('.graphiql-execute-button').click();
  const response = await answered;
  expect(response.status()).toBe(200);
  expect(response.headers()['content-type']).toBe('multipart/mixed; boundary="-"; deferSpec=20220824');
  const result = page.locator('.result-window');
  await result.getByText('"segment"').waitFor({ timeout: 15_000 });
  const shown = await result.innerText();
  expect(shown).toContain('"total"');
  expect(shown).not.toContain('errors');
  expect(pageErrors).toEqual([]);
  await page.close();
}, 60_000);
