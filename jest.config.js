const { availableParallelism } = require('node:os');

/** @type {import('jest').Config} */
module.exports = {
  // One test file more than there are cores (jest's default is one fewer): many files spend much of their time
  // waiting on a process they started (a synth, nginx, moto, cfn-lint, a command against a silent endpoint), and
  // another file uses that core meanwhile. On 2 cores, npm test took 209 s with 2 workers, 182 s with 3, 174 s with 4
  // (one run each); 3 keeps the timed attacks well inside their bounds.
  maxWorkers: availableParallelism() + 1,
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
