// The catalog page: queries the gateway's own GraphQL endpoint (dataProducts,
// dataProduct) with the user's token, so it shows exactly what the mesh's
// policies let that user read. Everything is rendered with textContent (never
// innerHTML): descriptor text cannot inject markup.
'use strict';

const ENDPOINT = '/graphql';
const TOKEN_KEY = 'meshgate.token';

const LIST_QUERY = `query CatalogList($search: String, $domain: String, $tag: String, $status: DataProductStatus) {
  dataProducts(search: $search, domain: $domain, tag: $tag, status: $status) {
    id name domain version status tags
    owner { team }
    sla { met available breaches }
    freshness { lagSeconds met problem }
    quality { score passed failedRules }
  }
}`;

// The product query is the one the MCP describe_data_product tool asks too (gateway/src/catalog/productQuery.ts),
// served beside this script; read once, on the first product shown.
const PRODUCT_QUERY_PATH = '/catalog/product.graphql';
let productQuery;
function productQueryText() {
  if (!productQuery) {
    productQuery = fetch(PRODUCT_QUERY_PATH).then((response) => {
      if (!response.ok) throw new Error('The product query could not be read (' + PRODUCT_QUERY_PATH + ': HTTP ' + response.status + ')');
      return response.text();
    });
    // Asked again next time if it failed.
    productQuery.catch(() => (productQuery = undefined));
  }
  return productQuery;
}

// ---- helpers -----------------------------------------------------------------------------------

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function age(seconds) {
  if (seconds === null || seconds === undefined) return 'unknown';
  const s = Math.abs(Math.round(seconds));
  if (s < 60) return s + 's';
  if (s < 3600) return Math.floor(s / 60) + 'm';
  if (s < 86400) return Math.floor(s / 3600) + 'h ' + Math.floor((s % 3600) / 60) + 'm';
  return Math.floor(s / 86400) + 'd ' + Math.floor((s % 86400) / 3600) + 'h';
}

const percent = (score) => (score * 100).toFixed(0) + '%';

function badge(text, kind) {
  return el('span', { class: 'badge ' + kind }, text);
}

function statusBadge(status) {
  return badge(status.toLowerCase(), 'status-' + status.toLowerCase());
}

function slaBadge(sla) {
  if (sla.met === true) return badge('met', 'ok');
  if (sla.met === false) return badge('breached', 'bad');
  return badge('unknown', 'unknown');
}

function token() {
  return localStorage.getItem(TOKEN_KEY) || '';
}

async function graphql(query, variables) {
  const headers = { 'content-type': 'application/json' };
  if (token()) headers.authorization = 'Bearer ' + token();
  const response = await fetch(ENDPOINT, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  const body = await response.json();
  if (response.status === 401) throw new Error('The token was refused: ' + ((body.errors && body.errors[0].message) || 'unauthenticated'));
  return body;
}

function forbiddenHint(body) {
  const forbidden = (body.errors || []).find((error) => error.extensions && error.extensions.code === 'FORBIDDEN');
  if (!forbidden) return null;
  return token()
    ? 'Your token may not read the catalog: ' + forbidden.message
    : 'The catalog needs an identity: paste a token above (npm run -s token -- --sub you --role analyst).';
}

function showMessage(text) {
  const message = document.getElementById('message');
  message.textContent = text || '';
  message.hidden = !text;
}

// ---- the list ----------------------------------------------------------------------------------

let listRequest = 0;
let knownFilters = false;
/** Whether this gateway serves the query page at / (development, or server.queryPage): then examples link to it. */
let queryPageServed = false;

function filters() {
  const value = (id) => document.getElementById(id).value || null;
  return { search: value('search'), domain: value('domain'), tag: value('tag'), status: value('status') };
}

function fillSelect(id, values) {
  const select = document.getElementById(id);
  const current = select.value;
  for (const value of values) select.append(el('option', { value }, value));
  select.value = current;
}

async function loadList() {
  const request = ++listRequest;
  let body;
  try {
    body = await graphql(LIST_QUERY, filters());
  } catch (error) {
    showMessage(error.message);
    return;
  }
  if (request !== listRequest) return;
  const products = (body.data && body.data.dataProducts) || [];
  showMessage(forbiddenHint(body) || (products.length ? '' : 'No data product matches.'));
  if (!knownFilters && products.length && !Object.values(filters()).some(Boolean)) {
    knownFilters = true;
    fillSelect('domain', [...new Set(products.map((p) => p.domain))].sort());
    fillSelect('tag', [...new Set(products.flatMap((p) => p.tags))].sort());
  }
  const rows = products.map((product) =>
    el(
      'tr',
      { class: 'product', 'data-id': product.id },
      el('td', {}, el('a', { href: '#product=' + encodeURIComponent(product.id), class: 'product-link' }, product.name), el('div', { class: 'muted' }, product.id + ' · v' + product.version)),
      el('td', {}, product.domain),
      el('td', {}, statusBadge(product.status)),
      el('td', {}, product.owner.team),
      el('td', { title: product.sla.breaches.join('\n') }, slaBadge(product.sla)),
      el('td', { title: product.freshness.problem || '' }, product.freshness.lagSeconds === null ? badge('unknown', 'unknown') : badge(age(product.freshness.lagSeconds) + ' old', product.freshness.met ? 'ok' : 'bad')),
      el('td', {}, product.quality ? badge(percent(product.quality.score), product.quality.passed ? 'ok' : 'bad') : badge('not run', 'unknown')),
      el('td', {}, product.tags.map((tag) => el('span', { class: 'tag' }, tag))),
    ),
  );
  document.querySelector('#products tbody').replaceChildren(...rows);
}

// ---- one product -------------------------------------------------------------------------------

function definitionList(entries) {
  return el('dl', {}, entries.filter(([, value]) => value !== null && value !== undefined && value !== '').flatMap(([term, value]) => [el('dt', {}, term), el('dd', {}, value)]));
}

function qualitySection(product) {
  const quality = product.quality;
  const run = el('button', { type: 'button', id: 'run-quality', onclick: () => runQuality(product.id, run) }, 'Run quality rules now');
  if (!quality) return el('section', { class: 'card', id: 'quality' }, el('h3', {}, 'Quality'), el('p', { class: 'muted' }, 'The rules have not run since the subgraph started.'), run);
  return el(
    'section',
    { class: 'card', id: 'quality' },
    el('h3', {}, 'Quality ', badge('score ' + percent(quality.score), quality.passed ? 'ok' : 'bad')),
    el('p', { class: 'muted' }, 'Last run ' + new Date(quality.ranAt).toLocaleString() + (quality.failedRules.length ? ' · failed: ' + quality.failedRules.join(', ') : ' · every rule passed')),
    el(
      'table',
      { class: 'rules' },
      el('thead', {}, el('tr', {}, el('th', {}, 'Rule'), el('th', {}, 'Result'), el('th', {}, 'Severity'), el('th', {}, 'Observed'), el('th', {}, 'Message'))),
      el(
        'tbody',
        {},
        quality.rules.map((rule) =>
          el(
            'tr',
            { class: rule.passed ? 'passed' : 'failed' },
            el('td', { title: rule.description || '' }, el('code', {}, rule.name), el('div', { class: 'muted' }, rule.type)),
            el('td', {}, rule.passed ? badge('pass', 'ok') : badge('fail', rule.severity === 'error' ? 'bad' : 'warn')),
            el('td', {}, rule.severity),
            el('td', {}, rule.observed === null ? '-' : rule.observed),
            el('td', {}, rule.message),
          ),
        ),
      ),
    ),
    run,
  );
}

// A model card: what the model is, its held-out figures next to the rule-based flags' on the same split,
// and its quality rules' last results (measured now by the product on its own tables).
function modelsSection(product) {
  if (!product.models.length) return null;
  const figures = (list) => el('table', { class: 'rules' }, el('tbody', {}, list.map((figure) => el('tr', {}, el('td', {}, figure.name), el('td', {}, (figure.value * 100).toFixed(1) + '%')))));
  return el(
    'section',
    { class: 'card', id: 'models' },
    el('h3', {}, 'Models'),
    product.models.map((model) =>
      el(
        'div',
        { class: 'model' },
        el('h4', {}, el('code', {}, model.name), ' ', model.version),
        definitionList([
          ['Algorithm', model.algorithm],
          ['Trained', new Date(model.trainedAt).toLocaleString() + ' on ' + model.training],
          ['Features', model.features.join(', ')],
          ['Serving threshold', String(model.threshold)],
          ['File', model.file],
        ]),
        el('p', { class: 'muted' }, 'Held out when trained:'),
        figures(model.heldOut),
        model.qualityRules.length
          ? model.qualityRules.map((rule) =>
              el('div', {}, el('p', {}, rule.passed ? badge('pass', 'ok') : badge('fail', rule.severity === 'error' ? 'bad' : 'warn'), ' ', el('code', {}, rule.name), ' ', rule.message), figures(rule.figures)),
            )
          : el('p', { class: 'muted' }, 'Its quality rules have not run since the subgraph started.'),
      ),
    ),
  );
}

function officialOperationsSection(product) {
  const operations = product.officialOperations;
  return el(
    'section',
    { class: 'card', id: 'official-operations' },
    el('h3', {}, 'Official operations'),
    el('p', { class: 'muted' }, 'Reviewed documents in operations/ that read this product, run by id (documentId); a change that breaks one fails npm run check, naming its owner.'),
    operations.length
      ? el(
          'table',
          { class: 'operations' },
          el('thead', {}, el('tr', {}, el('th', {}, 'Operation'), el('th', {}, 'Owner'), el('th', {}, 'For'), el('th', {}, 'Fields of this product'), el('th', {}, 'Description'))),
          el(
            'tbody',
            {},
            operations.map((operation) =>
              el(
                'tr',
                {},
                el('td', { title: operation.id }, el('code', {}, operation.name), el('div', { class: 'muted' }, operation.type + ' · operations/' + operation.file)),
                el('td', {}, operation.owner),
                el('td', {}, operation.roles.join(', ')),
                el('td', {}, operation.fields.map((field) => el('div', {}, el('code', {}, field)))),
                el('td', {}, operation.description),
              ),
            ),
          ),
        )
      : el('p', { class: 'muted' }, 'No official operation reads this product yet.'),
  );
}

/** Whether the signed-in principal may read a field: the decision of the policy enforced now. */
function accessBadge(access) {
  if (!access) return badge('unknown', 'unknown');
  if (access.readable === 'YES') return badge('may read', 'ok');
  if (access.readable === 'PER_ROW') return el('span', { title: 'decided on each record: ' + access.rule }, badge('some rows', 'warn'));
  return el('span', { title: access.rule + ': ' + access.reason }, badge('denied', 'bad'), el('div', { class: 'muted' }, access.reason));
}

/** An example query, whether this principal can run it, and (where the query page is served) a link that opens it there. */
function exampleBlock(example) {
  const operationName = (/^\s*(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/m.exec(example.query) || [])[1];
  const href = '/?' + new URLSearchParams(operationName ? { query: example.query, operationName } : { query: example.query }).toString();
  return el(
    'div',
    { class: 'example' },
    el('h4', {}, example.title, ' ', example.fieldsDeniedToYou.length ? badge('partly denied to you', 'warn') : badge('you can run it', 'ok')),
    example.fieldsDeniedToYou.length ? el('p', { class: 'muted' }, 'FORBIDDEN for you: ' + example.fieldsDeniedToYou.join(', ')) : null,
    queryPageServed ? el('p', {}, el('a', { class: 'open-in-query-page', href }, 'Open in the query page')) : null,
    el('pre', {}, el('code', {}, example.query)),
  );
}

function fieldsSection(product) {
  if (!product.inSupergraph) return el('section', { class: 'card', id: 'fields' }, el('h3', {}, 'Types and fields'), el('p', { class: 'muted' }, 'This product is not in the graph (' + product.status.toLowerCase() + ').'));
  return el(
    'section',
    { class: 'card', id: 'fields' },
    el('h3', {}, 'Types and fields'),
    el('p', { class: 'muted' }, 'The fields this product resolves, the personal data among them, and the authorization rules that must all allow each one.'),
    product.types.map((type) =>
      el(
        'div',
        { class: 'type' },
        el('h4', {}, el('code', {}, type.name), type.description ? el('span', { class: 'muted' }, ' ' + type.description) : null),
        el(
          'table',
          { class: 'fields' },
          el('thead', {}, el('tr', {}, el('th', {}, 'Field'), el('th', {}, 'Type'), el('th', {}, 'PII'), el('th', {}, 'You'), el('th', {}, 'Guarded by'), el('th', {}, 'Description'))),
          el(
            'tbody',
            {},
            type.fields.map((field) =>
              el(
                'tr',
                { class: 'field', 'data-coordinate': field.coordinate },
                el('td', {}, el('code', {}, field.name), field.deprecationReason ? el('div', {}, badge('deprecated', 'warn')) : null, field.sharedWith.length ? el('div', { class: 'muted' }, 'also ' + field.sharedWith.join(', ')) : null),
                el('td', {}, el('code', {}, field.type)),
                el('td', {}, field.pii ? badge(field.pii, 'pii') : ''),
                el('td', { class: 'access' }, accessBadge(field.yourAccess)),
                el('td', {}, field.guardedBy.map((guard) => el('div', { class: 'guard', title: guard.rule }, el('code', {}, guard.label), el('span', { class: 'muted' }, ' ' + guard.rule)))),
                el('td', {}, field.description || '', field.deprecationReason ? el('div', { class: 'muted' }, field.deprecationReason) : null),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

function renderProduct(product) {
  const view = document.getElementById('detail-view');
  const sla = product.sla;
  const freshness = product.freshness;
  // el() drops null children; replaceChildren() would print them.
  view.replaceChildren(el('div', {},
    el('p', {}, el('a', { href: '#', class: 'back' }, '← All data products')),
    el('h2', {}, product.name, ' ', statusBadge(product.status), ' ', el('span', { class: 'muted' }, product.id + ' · v' + product.version + ' · ' + product.domain)),
    product.deprecation ? el('p', { class: 'deprecation' }, (product.status === 'RETIRED' ? 'Retired: ' : 'Deprecated: ') + product.deprecation.reason + (product.deprecation.replacedBy ? ' Use ' + product.deprecation.replacedBy + ' instead.' : '') + (product.deprecation.sunset ? ' Sunset ' + product.deprecation.sunset + '.' : '')) : null,
    el('p', { class: 'tags' }, product.tags.map((tag) => el('span', { class: 'tag' }, tag))),
    el(
      'div',
      { class: 'grid' },
      el('section', { class: 'card', id: 'about' }, el('h3', {}, 'About'), definitionList([
        ['Purpose', product.description.purpose],
        ['Limitations', product.description.limitations],
        ['Usage', product.description.usage],
        ['Owner', product.owner.team + ' · ' + product.owner.contact],
        ['Terms of use', product.termsOfUse.summary],
        ['Subgraph', product.subgraph],
      ])),
      el('section', { class: 'card', id: 'sla' }, el('h3', {}, 'SLA ', slaBadge(sla)), definitionList([
        ['Availability', sla.availability + (sla.available ? ' · answering now' : ' · not answering now')],
        ['Latency p95', sla.latencyP95Ms + ' ms'],
        ['Freshness', sla.freshness],
        ['Retention', sla.retention],
      ]), sla.breaches.length ? el('ul', { class: 'breaches' }, sla.breaches.map((breach) => el('li', {}, breach))) : null),
      el('section', { class: 'card', id: 'freshness' }, el('h3', {}, 'Freshness ', freshness.met === null ? badge('unknown', 'unknown') : badge(freshness.met ? 'within SLA' : 'stale', freshness.met ? 'ok' : 'bad')), definitionList([
        ['Newest record', freshness.newestRecordAt ? new Date(freshness.newestRecordAt).toLocaleString() : null],
        ['Lag', freshness.lagSeconds === null ? null : age(freshness.lagSeconds) + ' (target ' + age(freshness.targetSeconds) + ')'],
        ['Measured on', freshness.measuredOn.join(', ')],
        ['Checked', freshness.checkedAt ? new Date(freshness.checkedAt).toLocaleString() : null],
        ['Problem', freshness.problem],
      ])),
    ),
    qualitySection(product),
    modelsSection(product),
    fieldsSection(product),
    officialOperationsSection(product),
    el(
      'section',
      { class: 'card', id: 'examples' },
      el('h3', {}, 'Example queries'),
      // The ones this principal can run first.
      product.exampleQueries.length
        ? [...product.exampleQueries].sort((a, b) => a.fieldsDeniedToYou.length - b.fieldsDeniedToYou.length).map(exampleBlock)
        : el('p', { class: 'muted' }, 'None published.'),
    ),
  ));
}

async function loadProduct(id) {
  document.getElementById('list-view').hidden = true;
  const view = document.getElementById('detail-view');
  view.hidden = false;
  view.replaceChildren(el('p', { class: 'muted' }, 'Loading ' + id + '…'));
  let body;
  try {
    body = await graphql(await productQueryText(), { id });
  } catch (error) {
    view.replaceChildren(el('p', { class: 'message' }, error.message));
    return;
  }
  const product = body.data && body.data.dataProduct;
  if (!product) {
    view.replaceChildren(el('p', {}, el('a', { href: '#', class: 'back' }, '← All data products')), el('p', { class: 'message' }, forbiddenHint(body) || 'No data product "' + id + '".'));
    return;
  }
  renderProduct(product);
}

async function runQuality(id, button) {
  button.disabled = true;
  button.textContent = 'Running…';
  const headers = token() ? { authorization: 'Bearer ' + token() } : {};
  const response = await fetch('/catalog/quality/run?product=' + encodeURIComponent(id), { method: 'POST', headers });
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    button.disabled = false;
    button.textContent = 'Run quality rules now';
    button.after(el('p', { class: 'message' }, (body.errors && body.errors[0].message) || 'HTTP ' + response.status));
    return;
  }
  await loadProduct(id);
}

// ---- routing -----------------------------------------------------------------------------------

function route() {
  const match = /^#product=(.+)$/.exec(location.hash);
  if (match) return loadProduct(decodeURIComponent(match[1]));
  document.getElementById('detail-view').hidden = true;
  document.getElementById('list-view').hidden = false;
  return loadList();
}

function init() {
  const tokenInput = document.getElementById('token');
  const tokenState = document.getElementById('token-state');
  const showTokenState = () => (tokenState.textContent = token() ? 'token set' : 'no token: anonymous');
  tokenInput.value = token();
  showTokenState();
  document.getElementById('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const value = tokenInput.value.trim().replace(/^Bearer\s+/i, '');
    if (value) localStorage.setItem(TOKEN_KEY, value);
    else localStorage.removeItem(TOKEN_KEY);
    showTokenState();
    knownFilters = false;
    route();
  });
  let timer;
  document.getElementById('search').addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(loadList, 150);
  });
  for (const id of ['domain', 'tag', 'status']) document.getElementById(id).addEventListener('change', loadList);
  document.getElementById('filters').addEventListener('submit', (event) => event.preventDefault());
  window.addEventListener('hashchange', route);
  fetch('/', { method: 'HEAD' })
    .then((response) => (queryPageServed = response.ok), () => undefined)
    .finally(route);
}

init();
