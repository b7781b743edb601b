/**
 * Issue 18, the pages, in a real browser (Debian's chromium, playwright-core):
 * the catalog shows which fields the principal signed in may read (the policy
 * enforced now, the same decision the gateway makes) and which of its example
 * queries they can run; an example opens in the query page with one click and
 * runs there; and the query page's first visit opens the official operations
 * (the README's dashboards) as ready-made tabs.
 */
import type { Browser } from 'playwright-core';
import { launchBrowser } from './browser';
import { loadOfficialOperations, OFFICIAL_OPERATIONS_DIR } from '../gateway/src/operations/officialOperations';
import { startMesh, tokenFor, type TestMesh } from './harness';
import { ANALYST, FINANCE_TEAM } from './principals';


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

const origin = () => new URL(mesh.gateway.url).origin;

async function catalogAs(principal: typeof ANALYST, product: string) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${origin()}/catalog`);
  await page.fill('#token', (await tokenFor(principal)).authorization.replace('Bearer ', ''));
  await page.click('#token-form button');
  await page.locator('#products tbody tr.product').first().waitFor({ timeout: 15_000 });
  await page.click(`#products tr[data-id="${product}"] a.product-link`);
  await page.locator('#fields').waitFor({ timeout: 15_000 });
  return { page, errors };
}

test("the catalog says which fields the principal may read, as the gateway decides", async () => {
  const { page, errors } = await catalogAs(ANALYST, 'customers');
  // An analyst has no pii:read: the customer's email is denied, with the rule's reason; the segment is readable.
  const email = page.locator('#fields tr[data-coordinate="Customer.email"] td.access');
  await expect(email.innerText()).resolves.toMatch(/denied/);
  await expect(page.locator('#fields tr[data-coordinate="Customer.segment"] td.access').innerText()).resolves.toMatch(/may read/);
  // The same decisions through the API, and the gateway enforces them: FORBIDDEN at Customer.email.
  const headers = await tokenFor(ANALYST);
  const { body } = await mesh.query('{ dataProduct(id: "customers") { types { fields { coordinate yourAccess { readable rule } } } } }', undefined, headers);
  const access = new Map<string, string>(body.data.dataProduct.types.flatMap((type: any) => type.fields.map((field: any) => [field.coordinate, field.yourAccess.readable])));
  expect([access.get('Customer.email'), access.get('Customer.segment')]).toEqual(['NO', 'YES']);
  const enforced = await mesh.query('{ customer(id: "1") { segment email } }', undefined, headers);
  expect(enforced.body.errors?.map((error) => [error.path?.join('.'), error.extensions?.code])).toEqual([['customer.email', 'FORBIDDEN']]);
  // Examples that select a denied field say so, and list after the ones the principal can run.
  const examples = await page.locator('#examples .example h4').allInnerTexts();
  const denied = examples.findIndex((title) => /partly denied/.test(title));
  if (denied >= 0) expect(examples.slice(denied).every((title) => /partly denied/.test(title))).toBe(true);
  expect(errors).toEqual([]);
  await page.close();
});

test('an example opens in the query page with one click and runs there', async () => {
  const { page, errors } = await catalogAs(FINANCE_TEAM, 'logistics');
  const example = page.locator('#examples .example').first();
  const query = await example.locator('pre').innerText();
  await example.locator('a.open-in-query-page').click();
  await page.waitForURL(/\/\?query=/, { timeout: 15_000 });
  // The query page's editor holds the example.
  const editor = page.locator('.graphiql-query-editor');
  await editor.waitFor({ timeout: 20_000 });
  const firstLine = query.split('\n').find((line) => line.trim() && !line.trim().startsWith('#'))!.trim();
  await editor.getByText(firstLine.slice(0, 20), { exact: false }).first().waitFor({ timeout: 20_000 });
  await page.setExtraHTTPHeaders(await tokenFor(FINANCE_TEAM));
  const answer = page.waitForResponse((response) => response.url().endsWith('/graphql') && !(response.request().postData() ?? '').includes('__schema'));
  await page.locator('button.graphiql-execute-button').click();
  const body = await (await answer).json();
  expect(body.data).toBeTruthy();
  expect(errors).toEqual([]);
  await page.close();
});

test("the query page's first visit opens the official operations as tabs", async () => {
  const operations = await loadOfficialOperations(OFFICIAL_OPERATIONS_DIR);
  expect(operations.length).toBeGreaterThan(2);
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(`${origin()}/`);
  const tabs = page.locator('.graphiql-tab');
  await tabs.first().waitFor({ timeout: 20_000 });
  const titles = (await tabs.allInnerTexts()).join('\n');
  for (const operation of operations) expect(titles).toContain(operation.name);
  await page.close();
});
