/** The mesh's policies: the global rules and one file per domain. */
import type { DomainPolicy, GlobalPolicy } from '../gateway/src/authorization/policy';
import global from './global';
import customers from './customers';
import products from './products';
import sales from './sales';
import marketing from './marketing';
import finance from './finance';
import logistics from './logistics';

export type PolicySet = { global: GlobalPolicy; domains: DomainPolicy[] };

const policies: PolicySet = { global, domains: [customers, products, sales, marketing, finance, logistics] };

export default policies;
