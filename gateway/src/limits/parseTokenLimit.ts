/**
 * The parser's token limit, per request: the principal's own `maxTokens`, so
 * an anonymous body is never lexed further than anonymous may send (parsing
 * is the largest piece of work a rejected request costs).
 *
 * Why by hand: Apollo Server takes one `parseOptions` object for every request,
 * and graphql-js reads `maxTokens` from it on every token it lexes. A getter
 * backed by AsyncLocalStorage gives each request the limit its front door set
 * (`run`), and the most generous role's limit outside of one. No library
 * offers per-request parse options for Apollo Server.
 *
 * Guarantees: the limit seen by the parser is the one of the request being
 * parsed, never another request's (the store follows the async context).
 * It must never: raise a limit above `parseTimeMaxTokens` (the generous
 * fallback), since the operation limits assume no document is longer.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export class ParseTokenLimit {
  private readonly storage = new AsyncLocalStorage<number>();
  /** For Apollo Server's `parseOptions`: `maxTokens` is read per token, per request. */
  readonly parseOptions: { readonly maxTokens: number };

  constructor(private readonly mostGenerous: number) {
    const storage = this.storage;
    this.parseOptions = {
      get maxTokens() {
        return storage.getStore() ?? mostGenerous;
      },
    };
  }

  /** Runs `fn` (the request's way through Apollo Server) with the principal's token limit. */
  run<T>(maxTokens: number, fn: () => T): T {
    return this.storage.run(Math.min(maxTokens, this.mostGenerous), fn);
  }
}
