/** Tests start real subgraphs, a real gateway and real databases, so they get generous timeouts. */
module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }],
    // jose is ESM-only; jest loads our CommonJS tests, so jose is compiled to CommonJS for them.
    '/node_modules/jose/.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  testMatch: ['<rootDir>/{gateway,subgraphs,schema,policies,tests}/**/*.test.ts'],
  testTimeout: 60000,
  maxWorkers: 2,
  // Each test file starts meshes (PGlite's WebAssembly memory, Apollo's planners); a worker that kept every file's
  // leftovers grew to 3-4 GB and spent its time in garbage collection. Past this, jest starts a fresh worker.
  workerIdleMemoryLimit: '1.5GB',
};
