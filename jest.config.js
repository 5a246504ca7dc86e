// Two projects: unit specs next to the code (no disk beyond temp dirs, process layer stubbed where
// needed) and e2e specs that run real nx, python and pip in temporary workspaces.
const tsJest = ['ts-jest', { tsconfig: '<rootDir>/tsconfig.base.json', diagnostics: { warnOnly: false, ignoreCodes: [151002] } }];
module.exports = {
  // Jest reads testTimeout globally (a project's own is ignored): 10 min for e2e hooks and tests; unit
  // specs that need less say so themselves.
  testTimeout: 600000,
  reporters: ['default', '<rootDir>/tools/jest/summary-reporter.js'],
  projects: [
    {
      displayName: 'unit',
      rootDir: __dirname,
      testEnvironment: 'node',
      testMatch: ['<rootDir>/packages/*/src/**/*.spec.ts'],
      transform: { '^.+\\.ts$': tsJest },
    },
    {
      displayName: 'e2e',
      rootDir: __dirname,
      testEnvironment: 'node',
      testMatch: ['<rootDir>/e2e/**/*.e2e.ts'],
      transform: { '^.+\\.ts$': tsJest },
      testTimeout: 600000,
    },
  ],
};
