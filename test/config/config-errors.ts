// Shared by the config tests: the loader's one-line error for a changed default config, and the environment a
// change adds. Not a test file: jest runs only *.test.ts.
import { ConfigError, parseConfig } from '../../config/load';
import { defaultConfigJson } from '../helpers/cdk';
import { STAGING_ACCOUNT } from '../helpers/constants';

/** Applies a change to the default config JSON and returns the loader's error message, or fails. */
export function errorFor(change: (json: Record<string, any>) => void): string {
  const json = structuredClone(defaultConfigJson());
  change(json);
  try {
    parseConfig(json, 'deploy.json');
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    const message = (e as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected the config to be rejected');
}

/** Asserts that one bad value gives one line naming the field, the value and what is expected. */
export function expectFieldError(
  _case: string,
  change: (json: Record<string, any>) => void,
  field: string,
  value: string,
  expected: string,
): void {
  // GIVEN a config with one bad value WHEN it is parsed
  const message = errorFor(change);
  // THEN one line names the field, the value and what is expected
  expect(message).toContain(field);
  expect(message).toContain(value);
  expect(message).toContain(expected);
}

/**
 * A change that adds staging before production: its own account, 1 small task behind an internal load balancer,
 * while production keeps the shared settings. `change` edits staging first.
 */
export const withStaging =
  (change: (staging: Record<string, any>) => void = () => {}) =>
  (j: Record<string, any>) => {
    const staging = {
      name: 'staging',
      account: STAGING_ACCOUNT,
      requireApproval: false,
      service: { desiredCount: 1 },
      network: { albScheme: 'internal' },
    };
    change(staging);
    j.environments.unshift(staging);
  };
