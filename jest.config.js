/** Tests start real subgraphs, a real gateway and real databases, so they get generous timeouts. */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  testMatch: ['<rootDir>/{gateway,subgraphs,schema,policies,tests}/**/*.test.ts'],
  testTimeout: 60000,
  maxWorkers: 2,
};
