/**
 * The catalog page in a real browser (issue #5): Debian's chromium driven by
 * playwright-core loads /catalog from the gateway alone, a domain-team member
 * pastes a token, searches by field, name and tag, opens a product, sees its
 * fields (PII, guarding rules), runs its quality rules and sees the results.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from './browser';
import { startMesh, tokenFor, type TestMesh } from './harness';

/** A member of the customers team: reads the catalog and may run the customers product's quality rules. */
const CUSTOMERS_TEAM = { sub: 'cora', email: 'cora@meshgate.example', roles: ['domain-team'], domains: ['customers'] };

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

// Runs in the page (the page's strict CSP forbids string evaluation, so these are functions).
const rowIds = () => [...(globalThis as any).document.querySelectorAll('#products tbody tr.product')].map((row: any) => row.getAttribute('data-id') as string);
const listed = async (page: Page): Promise<string[]> => page.evaluate(rowIds);

async function search(page: Page, text: string, expected: string[]) {
  await page.fill('#search', text);
  await page.waitForFunction(
    (ids) => JSON.stringify([...(globalThis as any).document.querySelectorAll('#products tbody tr.product')].map((row: any) => row.getAttribute('data-id')).sort()) === ids,
    JSON.stringify([...expected].sort()),
    { timeout: 10_000 },
  );
}

test('search the catalog, open a product, see its fields and run its quality rules', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const origin = new URL(mesh.gateway.url).origin;
  const outside: string[] = [];
  page.on('request', (request) => {
    if (!request.url().startsWith(origin)) outside.push(request.url());
  });
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));

  await page.goto(`${origin}/catalog`);
  // Without a token the catalog says how to get one.
  await page.locator('#message').getByText('needs an identity').waitFor({ timeout: 10_000 });
  const token = (await tokenFor(CUSTOMERS_TEAM)).authorization.replace('Bearer ', '');
  await page.fill('#token', token);
  await page.click('#token-form button');
  await page.locator('#products tbody tr.product').first().waitFor({ timeout: 10_000 });
  expect((await listed(page)).sort()).toEqual(['customers', 'finance', 'logistics', 'marketing', 'products', 'sales']);
  await page.screenshot({ path: join(tmpdir(), 'meshgate-catalog-list.png') });
  expect(await page.evaluate(() => (globalThis as any).localStorage.getItem('meshgate.token'))).toBe(token);

  // By field, by name, by tag; then everything again.
  await search(page, 'email', ['customers']);
  await search(page, 'Order.total', ['sales']);
  await search(page, 'shipments', ['logistics']);
  await page.fill('#search', '');
  await page.selectOption('#tag', 'revenue');
  await page.waitForFunction(() => (globalThis as any).document.querySelectorAll('#products tbody tr.product').length < 6);
  expect(await listed(page)).toContain('sales');
  await page.selectOption('#tag', '');
  // The page shows what the GraphQL field answers for the same search.
  const api = await mesh.query('{ dataProducts(search: "customer segment") { id } }', undefined, await tokenFor(CUSTOMERS_TEAM));
  await search(page, 'customer segment', api.body.data.dataProducts.map((product: { id: string }) => product.id));

  // Open the customers product.
  await page.click('#products tr[data-id="customers"] a.product-link');
  await page.locator('#detail-view h2').getByText('Customers').waitFor();
  expect(page.url()).toContain('#product=customers');
  await expect(page.locator('#about').innerText()).resolves.toContain('Customer Domain Team');
  const email = page.locator('#fields tr[data-coordinate="Customer.email"]');
  await expect(email.innerText()).resolves.toMatch(/email[\s\S]*String[\s\S]*contact[\s\S]*global:pii\(contact\)[\s\S]*hasScope\(pii:read\)/);
  await expect(page.locator('#freshness').innerText()).resolves.toContain('customers.customer.updated_at');
  await expect(page.locator('#quality').innerText()).resolves.toContain('have not run');
  await expect(page.locator('#examples pre').first().innerText()).resolves.toContain('query');
  // The official operations that read the product, with their owners (issue 14): the Revenue dashboard reads Customer.segment.
  await expect(page.locator('#official-operations').innerText()).resolves.toMatch(/Revenue[\s\S]*operations\/marketing\/Revenue\.graphql[\s\S]*marketing[\s\S]*Customer\.segment/);

  // Run the quality rules from the page; the results replace "not run".
  await page.click('#run-quality');
  await page.locator('#quality table.rules').waitFor({ timeout: 20_000 });
  const quality = await page.locator('#quality').innerText();
  expect(quality).toMatch(/score \d+%/);
  const { body } = await mesh.query('{ dataProduct(id: "customers") { quality { rules { name } } } }', undefined, await tokenFor(CUSTOMERS_TEAM));
  for (const rule of body.data.dataProduct.quality.rules) expect(quality).toContain(rule.name);

  await page.screenshot({ path: join(tmpdir(), 'meshgate-catalog.png'), fullPage: true });
  // Back to the list.
  await page.click('a.back');
  await page.locator('#products tbody tr.product').first().waitFor();
  expect(pageErrors).toEqual([]);
  expect(outside).toEqual([]);
});

test('the page is served with a content security policy that allows no inline script', async () => {
  const response = await fetch(new URL('/catalog', mesh.gateway.url));
  expect(response.status).toBe(200);
  expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
  expect(await response.text()).toContain('<script src="/catalog/catalog.js" defer></script>');
});
