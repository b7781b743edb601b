// graphql-ws publishes its `ws` adapter under the package's exports only ("graphql-ws/use/ws"), which this
// project's module resolution (node, for CommonJS) does not read; Node resolves the import at run time.
declare module 'graphql-ws/use/ws' {
  export * from 'graphql-ws/dist/use/ws';
}
