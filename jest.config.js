/** @type {import('jest').Config} */
module.exports = {
  // Node's environment, plus a check that each test file leaves no process running.
  testEnvironment: '<rootDir>/test/helpers/environment.ts',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // swc strips types without type-checking: `npm run build` typechecks, tests stay fast.
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testTimeout: 60000,
  // Finds or installs nginx, checks cfn-lint and moto, and gives the run one temporary folder that the teardown
  // removes. No forceExit: a suite that leaves a server open must be fixed, not hidden.
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
};
