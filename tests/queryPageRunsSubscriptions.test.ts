/**
 * Issue 15: the query page runs subscriptions. In a real browser (Debian's chromium, playwright-core),
 * GraphiQL's fetcher sends a subscription as an event stream (graphql-sse's browser client, served by
 * the gateway from the installed package) with the picked role's token, and shows the events as
 * transactions are committed.
 */
import type { Browser } from 'playwright-core';
import { launchBrowser, openQueryPage } from './browser';
import { startMesh, type TestMesh } from './harness';
import { addTransaction } from './subscriptions/clients';

const SUBSCRIPTION = 'subscription Live { transactionAdded(filter: { customerId: "51" }) { id amount customer { segment } } }';

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

test('a subscription typed in GraphiQL streams its events into the result pane', async () => {
  const { page, pageErrors } = await openQueryPage(browser, mesh.gateway.url, SUBSCRIPTION, 'analyst (alice)');
  const stream = page.waitForRequest((request) => request.url().endsWith('/graphql') && request.headers().accept === 'text/event-stream');
  await page.locator('.graphiql-execute-button').click();
  const request = await stream;
  expect(request.headers().authorization).toMatch(/^Bearer ey/);
  const result = page.locator('.result-window');
  const end = Date.now() + 30_000;
  while (!(await result.innerText()).includes('"transactionAdded"')) {
    if (Date.now() > end) throw new Error(`no event shown; the result pane says: ${await result.innerText()}`);
    await addTransaction(mesh, { customerId: 51, amount: 77 });
    await page.waitForTimeout(300);
  }
  expect(await result.innerText()).toContain('"segment"');
  expect(pageErrors).toEqual([]);
  await page.close();
});
