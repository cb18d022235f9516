// The jest configuration of a child jest run over the fixtures in test/helpers/fixtures, for tests of the test setup.
import { PROJECT_ROOT } from './prerequisites';

/** Runs the fixtures matching `testMatch` from the project root, compiled as the suite compiles its tests. */
export function fixtureJestConfig(testMatch: string, extra: Record<string, string> = {}): Record<string, unknown> {
  return {
    rootDir: PROJECT_ROOT,
    roots: ['<rootDir>/test/helpers/fixtures'],
    testMatch: [testMatch],
    transform: { '^.+\\.ts$': ['@swc/jest'] },
    ...extra,
  };
}
