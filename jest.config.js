const { availableParallelism } = require('node:os');

/** @type {import('jest').Config} */
module.exports = {
  // Two test files at a time, also on a 2-core machine, where jest's default (cores - 1, so one) runs the files one
  // after another: many files spend much of their time waiting on a process they started (a synth, nginx, moto,
  // cfn-lint, a command against a silent endpoint), and the other file uses that core meanwhile.
  maxWorkers: Math.max(2, availableParallelism() - 1),
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
