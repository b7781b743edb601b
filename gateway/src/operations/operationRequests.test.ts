import { createHash } from 'node:crypto';
import { ANONYMOUS, type Principal } from '../identity/principal';
import { createOperationRequests, type NotOfficialRefusal } from './operationRequests';
import type { OfficialOperation } from './officialOperations';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const document = 'query Orders {\n  orders {\n    totalCount\n  }\n}';
const ORDERS: OfficialOperation = { id: sha256(document), name: 'Orders', document, owner: 'sales', description: 'd', file: 'sales/Orders.graphql', type: 'query', roles: ['service'], folderDescription: 'f' };
const who = (roles: string[]) => ({ principal: { ...ANONYMOUS, id: roles.join('-'), kind: 'user', roles } as Principal, requestId: 'r1', client: {} });
const config = { officialOnlyRoles: ['service'], sandboxRoles: ['analyst'], otherPrincipals: 'ad-hoc' as const, registration: { enabled: false, ttlSeconds: 300 } };

function setup() {
  const refused: NotOfficialRefusal[] = [];
  const requests = createOperationRequests({ operations: [ORDERS], config, onNotOfficial: (refusal) => void refused.push(refusal) });
  const post = (body: unknown, roles = ['service']) => requests.resolve({ method: 'POST', contentType: 'application/json', search: '', body: Buffer.from(JSON.stringify(body)) }, who(roles));
  return { requests, refused, post };
}

describe('createOperationRequests', () => {
  it('rewrites an id into the official document, keeping variables and other extensions', async () => {
    const { post } = setup();
    const resolved = await post({ documentId: `sha256:${ORDERS.id}`, variables: { a: 1 }, extensions: { persistedQuery: { version: 1, sha256Hash: ORDERS.id }, trace: true } });
    expect(JSON.parse(resolved.body.toString())).toEqual({ query: document, variables: { a: 1 }, extensions: { trace: true } });
    expect(resolved.official?.name).toBe('Orders');
  });

  it('leaves an ad-hoc request of a sandbox principal byte for byte as it came, when it names no id', async () => {
    const { requests } = setup();
    const body = Buffer.from('{ "query" : "{ orders { totalCount } }" }');
    const resolved = await requests.resolve({ method: 'POST', contentType: 'application/json', search: '', body }, who(['analyst']));
    expect(resolved.body).toBe(body);
    expect(resolved.official).toBeUndefined();
  });

  it('refuses an ad-hoc query of an official-only role and reports it once, with its name and hash', async () => {
    const { post, refused } = setup();
    await expect(post({ query: '{ orders { totalCount } }', operationName: 'X' })).rejects.toMatchObject({ status: 403, code: 'OPERATION_NOT_OFFICIAL' });
    expect(refused).toEqual([{ context: expect.objectContaining({ requestId: 'r1' }), operationName: 'X', operationHash: sha256('{ orders { totalCount } }'), reason: expect.stringContaining('your role (service)') }]);
  });

  it('GET: the id in the query string becomes the query parameter', async () => {
    const { requests } = setup();
    const resolved = await requests.resolve({ method: 'GET', search: `?documentId=${ORDERS.id}&variables=%7B%7D`, body: Buffer.alloc(0) }, who(['service']));
    const params = new URLSearchParams(resolved.search);
    expect([params.get('query'), params.get('documentId'), params.get('variables')]).toEqual([document, null, '{}']);
  });

  it('resolveFields applies the same rules to a request that is already an object (a graphql-ws payload)', async () => {
    const { requests, refused } = setup();
    expect(await requests.resolveFields({ extensions: { persistedQuery: { version: 1, sha256Hash: ORDERS.id } }, variables: {} }, who(['service']))).toEqual({
      fields: { query: document, documentId: undefined, extensions: undefined, variables: {} },
      official: ORDERS,
    });
    await expect(requests.resolveFields({ query: 'subscription { orderPlaced { id } }' }, who(['service']))).rejects.toMatchObject({ status: 403 });
    expect(refused).toHaveLength(1);
    expect((await requests.resolveFields({ query: '{ x }' }, who(['analyst']))).fields.query).toBe('{ x }');
  });

  it('answers malformed extensions and GET parameters with a 400', async () => {
    const { requests, post } = setup();
    await expect(requests.resolve({ method: 'GET', search: '?documentId=x&extensions=%7B', body: Buffer.alloc(0) }, who(['analyst']))).rejects.toMatchObject({ status: 400 });
    await expect(post({ query: 1, extensions: { persistedQuery: { version: 1, sha256Hash: ORDERS.id } } })).rejects.toMatchObject({ status: 400, message: 'query must be a string' });
  });
});
