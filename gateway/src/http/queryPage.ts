/**
 * The query page at `/`: GraphiQL served from installed packages (react,
 * react-dom and graphiql's own bundle), never from a CDN, because many
 * deployments have no internet access. In development mode with a shared
 * development secret, a role picker above GraphiQL offers the README's
 * principals, each with a development token minted when the page is served
 * (`developmentTokens`), so a newcomer runs the examples as each role without
 * pasting a token. Never in production: the caller passes no tokens there, so
 * the page carries none and shows no picker (headers set in GraphiQL's
 * Headers tab still win over the picker's).
 *
 * The official operations (operations/: the README's dashboards among them)
 * open as ready-made tabs, and `/?query=...` (with `operationName` and
 * `variables`) opens that operation: the catalog's "open in the query page"
 * links use it. GraphiQL keeps the tabs a user has open (localStorage), so
 * the official ones are the first visit's tabs, and a link replaces the
 * active tab's text.
 *
 * Subscriptions run from the page too: GraphiQL's fetcher sends them with
 * graphql-sse's browser client (served from the installed package) as an
 * event stream on the same endpoint, with the same headers, and shows each
 * event as it comes; everything else goes by POST as before, accepting
 * `@defer`'s multipart answers (GraphiQL shows each part as it arrives).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ServerResponse } from 'node:http';
import type { OfficialOperation } from '../operations/officialOperations';

const ASSETS: Record<string, { pkg: string; file: string; type: string }> = {
  '/static/react.js': { pkg: 'react', file: 'umd/react.production.min.js', type: 'text/javascript' },
  '/static/react-dom.js': { pkg: 'react-dom', file: 'umd/react-dom.production.min.js', type: 'text/javascript' },
  '/static/graphiql.js': { pkg: 'graphiql', file: 'graphiql.min.js', type: 'text/javascript' },
  '/static/graphiql.css': { pkg: 'graphiql', file: 'graphiql.min.css', type: 'text/css' },
  '/static/graphql-sse.js': { pkg: 'graphql-sse', file: 'umd/graphql-sse.min.js', type: 'text/javascript' },
};

export const EXAMPLE_QUERY = `# One endpoint over every domain's data product.
# Late deliveries by zone, with the orders and customers affected
# (logistics + sales + customers), and the campaign that brought each order (marketing).
query LateDeliveries {
  deliveryPerformance(from: "2026-09-01T00:00:00Z", to: "2026-10-31T00:00:00Z") {
    zone { name country }
    shipments
    late
    onTimeRate
  }
  lateDeliveries(first: 5) {
    edges {
      node {
        delayHours
        zone { name }
        order {
          id
          total
          customer { segment country }
          campaign { name channel }
        }
      }
    }
  }
}
`;

/** A principal the role picker offers and its development token. */
export type PickerRole = { label: string; token: string };

/** A ready-made tab: an operation's text (its description in comments first). */
export type QueryPageTab = { query: string };

/** The official operations as tabs: each one's description and owner as comments above its document. */
export const officialOperationTabs = (operations: readonly OfficialOperation[]): QueryPageTab[] =>
  operations.map((operation) => ({ query: `${operation.description.replace(/^/gm, '# ')}\n# Official operation of ${operation.owner} (${operation.file})\n${operation.document}` }));

const operationNameOf = (query: string) => /^\s*(?:query|mutation|subscription)\s+([_A-Za-z]\w*)/m.exec(query)?.[1];

function page(endpoint: string, roles: readonly PickerRole[], officialTabs: readonly QueryPageTab[]): string {
  // The example first (it says what the page is), then the other official operations.
  const tabs = [{ query: EXAMPLE_QUERY }, ...officialTabs.filter((tab) => operationNameOf(tab.query) !== operationNameOf(EXAMPLE_QUERY))];
  const config = JSON.stringify({ endpoint, query: EXAMPLE_QUERY, roles, tabs }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <title>meshgate: query page</title>
  <link rel="stylesheet" href="/static/graphiql.css" />
  <style>
    body { margin: 0; height: 100vh; display: flex; flex-direction: column; }
    #graphiql { flex: 1; min-height: 0; }
    #role-picker { padding: 4px 12px; font: 14px sans-serif; border-bottom: 1px solid #ddd; }
  </style>
</head>
<body>
  <div id="role-picker" hidden><label>Run as (development tokens): <select id="role"></select></label></div>
  <div id="graphiql">Loading the query page...</div>
  <script src="/static/react.js"></script>
  <script src="/static/react-dom.js"></script>
  <script src="/static/graphiql.js"></script>
  <script src="/static/graphql-sse.js"></script>
  <script>
    const config = ${config};
    const root = ReactDOM.createRoot(document.getElementById('graphiql'));
    const select = document.getElementById('role');
        // An operation linked to (/?query=...&operationName=...&variables=...), from the catalog for example.
    const params = new URLSearchParams(location.search);
    const linked = params.has('query') ? { query: params.get('query'), operationName: params.get('operationName') || undefined, variables: params.get('variables') || undefined } : {};
    /** Whether the operation that runs is a subscription (the named one, or the document's only one). */
    function isSubscription(query, operationName) {
      const text = query.replace(/#[^\\n]*/g, '');
      const operations = [...text.matchAll(/(?:^|[}\\s])(query|mutation|subscription)\\b\\s*([_A-Za-z][_0-9A-Za-z]*)?/g)];
      const chosen = operationName ? operations.find((match) => match[2] === operationName) : operations.length === 1 ? operations[0] : undefined;
      return !!chosen && chosen[1] === 'subscription';
    }
    function render(label) {
      const role = config.roles.find((candidate) => candidate.label === label);
      const headers = role ? { authorization: 'Bearer ' + role.token } : {};
      // @defer answers come as multipart/mixed in the 2022-08-24 format, which GraphiQL reads; other answers stay JSON.
      const post = GraphiQL.createFetcher({ url: config.endpoint, headers: { accept: 'multipart/mixed;deferSpec=20220824, application/json', ...headers } });
      // Subscriptions: an event stream (graphql-sse) on the same endpoint, each event shown as it arrives.
      const fetcher = (params, options) => {
        if (!isSubscription(params.query || '', params.operationName)) return post(params, options);
        const client = graphqlSse.createClient({ url: config.endpoint, headers: { ...headers, ...(options && options.headers) }, retryAttempts: 0 });
        return client.iterate({ query: params.query, variables: params.variables, operationName: params.operationName || undefined });
      };
      // A new key per role: GraphiQL loads the schema again, as that principal.
      root.render(React.createElement(GraphiQL, { key: label, fetcher, defaultQuery: config.query, defaultTabs: config.tabs, shouldPersistHeaders: true, ...linked }));
    }
    if (config.roles.length) {
      for (const label of ['anonymous', ...config.roles.map((role) => role.label)]) select.append(new Option(label, label));
      const saved = localStorage.getItem('meshgate:role');
      if (saved && [...select.options].some((option) => option.value === saved)) select.value = saved;
      select.addEventListener('change', () => { localStorage.setItem('meshgate:role', select.value); render(select.value); });
      document.getElementById('role-picker').hidden = false;
    }
    render(select.value || 'anonymous');
  </script>
</body>
</html>`;
}

const cache = new Map<string, Buffer>();

function asset(pkg: string, file: string): Buffer {
  const key = `${pkg}/${file}`;
  let content = cache.get(key);
  if (!content) {
    // Resolved from the package root: react's `exports` map does not list its UMD builds.
    content = readFileSync(join(dirname(require.resolve(`${pkg}/package.json`)), file));
    cache.set(key, content);
  }
  return content;
}

/** Answers `/` and its static assets; returns false for any other path. `developmentTokens` only in development; `tabs` open first. */
export async function serveQueryPage(path: string, res: ServerResponse, endpoint: string, developmentTokens?: () => Promise<PickerRole[]>, tabs: readonly QueryPageTab[] = []): Promise<boolean> {
  if (path === '/') {
    const html = page(endpoint, developmentTokens ? await developmentTokens() : [], tabs);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(html);
    return true;
  }
  const found = ASSETS[path];
  if (!found) return false;
  const content = asset(found.pkg, found.file);
  res.writeHead(200, { 'content-type': `${found.type}; charset=utf-8`, 'content-length': content.length, 'cache-control': 'public, max-age=86400' });
  res.end(content);
  return true;
}
