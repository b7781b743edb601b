/**
 * The query page in a real browser: Debian's chromium driven by playwright-core
 * loads the page from the gateway (no CDN), picks the analyst in the development
 * role picker (issue 18), runs the example cross-domain query
 * and sees the data; and, for every human role, the schema loads (issue 18:
 * GraphiQL's introspection query was refused by the depth limit), so the Docs
 * explorer lists the root types and the fields of Query.
 */
import type { Browser } from 'playwright-core';
import { launchBrowser } from './browser';
import { startMesh, tokenFor, type TestMesh } from './harness';
import { ACCOUNT_MANAGER, ADMIN, ANALYST, FINANCE_TEAM } from './principals';


let mesh: TestMesh;
let browser: Browser;
beforeAll(async () => {
  mesh = await startMesh();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await mesh?.stop();
});

test('the query page loads from the gateway alone and runs a cross-domain query', async () => {
  const page = await browser.newPage();
  const outside: string[] = [];
  const origin = new URL(mesh.gateway.url).origin;
  page.on('request', (request) => {
    if (!request.url().startsWith(origin) && !request.url().startsWith('data:')) outside.push(request.url());
  });
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(`${origin}/`);
  await page.locator('.graphiql-execute-button').waitFor({ timeout: 20_000 });
  // The development role picker: the README's principals, anonymous first; the analyst runs the example.
  const roles = await page.locator('#role option').allTextContents();
  expect(roles).toEqual(['anonymous', 'analyst (alice)', 'finance team (fiona)', 'account manager (am03)', 'admin', 'order service']);
  await page.locator('#role').selectOption('analyst (alice)');
  await page.locator('.graphiql-execute-button').waitFor({ timeout: 20_000 });
  // The example's answer, not the introspection GraphiQL sends again after the role changed.
  const answered = page.waitForResponse(
    (response) => response.url().endsWith('/graphql') && response.request().method() === 'POST' && (response.request().postData() ?? '').includes('LateDeliveries'),
  );
  await page.locator('.graphiql-execute-button').click();
  const response = await answered;
  const body = await response.json();
  expect(response.request().headers().authorization).toMatch(/^Bearer ey/);
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

const HUMANS = { anonymous: undefined, analyst: ANALYST, 'account-manager': ACCOUNT_MANAGER, finance: FINANCE_TEAM, admin: ADMIN };

test.each(Object.entries(HUMANS))('the schema loads and the Docs explorer shows it, as %s', async (_role, principal) => {
  const page = await browser.newPage();
  if (principal) await page.setExtraHTTPHeaders(await tokenFor(principal));
  const origin = new URL(mesh.gateway.url).origin;
  const introspection = page.waitForResponse((response) => response.url().endsWith('/graphql') && (response.request().postData() ?? '').includes('__schema'));
  await page.goto(`${origin}/`);
  const answer = await (await introspection).json();
  expect(answer.errors).toBeUndefined();
  expect(answer.data.__schema.queryType.name).toBe('Query');
  await page.locator('button[aria-label="Show Documentation Explorer"]').click();
  const docs = page.locator('.graphiql-doc-explorer');
  await docs.getByText('Root Types').waitFor({ timeout: 10_000 });
  // All Schema Types lists the domains' types.
  await docs.locator('a.graphiql-doc-explorer-type-name').getByText('Order', { exact: true }).waitFor({ timeout: 10_000 });
  await docs.locator('a.graphiql-doc-explorer-type-name').getByText('Query', { exact: true }).first().click({ timeout: 10_000 });
  await docs.locator('.graphiql-doc-explorer-field-name').getByText('products', { exact: true }).waitFor({ timeout: 10_000 });
  await page.close();
});
