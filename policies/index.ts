/** The mesh's policies: the global rules, one file per domain, and the gateway's catalog. */
import type { DomainPolicy, GlobalPolicy } from '../gateway/src/authorization/policy';
import global from './global';
import customers from './customers';
import products from './products';
import sales from './sales';
import marketing from './marketing';
import finance from './finance';
import logistics from './logistics';
import catalog from './catalog';

export type PolicySet = { global: GlobalPolicy; domains: DomainPolicy[] };

const policies: PolicySet = { global, domains: [customers, products, sales, marketing, finance, logistics, catalog] };

export default policies;
