/** The products domain's rules: the catalog is public. */
import { allow } from 'graphql-shield';
import { defineDomainPolicy } from '../gateway/src/authorization/policy';

export default defineDomainPolicy('products', {
  Product: allow,
});
