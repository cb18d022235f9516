// Placeholder lookups: made up to try an account offline, clearly marked, and refused by whatever deploys.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  PLACEHOLDER_KEY,
  PLACEHOLDER_PREFIX_LIST,
  dropPlaceholders,
  lookupKeys,
  placeholderAccounts,
  refusePlaceholders,
  writePlaceholders,
} from '../../../tools/cli/placeholder-lookups';
import { PROJECT_ROOT, configWith, defaultConfigJson } from '../../helpers/cdk';
import { PRODUCTION_ACCOUNT, REGION, STAGING_ACCOUNT } from '../../helpers/constants';
import { runTool } from '../../helpers/run-tool';

const dir = mkdtempSync(path.join(tmpdir(), 'placeholders-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The committed cdk.context.json, copied, with a config whose workload account has no lookups in it. */
function newAccount() {
  const file = path.join(dir, `context-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, readFileSync(path.join(PROJECT_ROOT, 'cdk.context.json')));
  const config = configWith((j) => (j.environments[0].account = STAGING_ACCOUNT));
  return { file, config, read: () => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown> };
}

describe('placeholder lookups', () => {
  test('are written only for accounts without lookups, marked, and keep the real ones', () => {
    const { file, config, read } = newAccount();
    const before = read();
    // WHEN they are written
    expect(writePlaceholders(config, file)).toEqual([STAGING_ACCOUNT]);
    // THEN the new account has made-up zones and prefix list, marked; the recorded accounts are untouched
    const after = read();
    const keys = lookupKeys(STAGING_ACCOUNT, REGION);
    expect(after[keys.zones]).toEqual([`${REGION}a`, `${REGION}b`, `${REGION}c`]);
    expect(after[keys.prefixList]).toEqual([{ PrefixListId: PLACEHOLDER_PREFIX_LIST }]);
    expect(Object.keys(after[PLACEHOLDER_KEY] as object)).toEqual([STAGING_ACCOUNT]);
    for (const [key, value] of Object.entries(before)) expect([key, after[key]]).toEqual([key, value]);
    expect(placeholderAccounts(config, file)).toEqual([STAGING_ACCOUNT]);
    // AND a second write changes nothing
    expect(writePlaceholders(config, file)).toEqual([]);
  });

  test('the keys are the ones the app looks up for the accounts cdk.context.json already holds', () => {
    const context = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'cdk.context.json'), 'utf8'));
    const keys = lookupKeys(PRODUCTION_ACCOUNT, REGION);
    expect([keys.zones in context, keys.prefixList in context]).toEqual([true, true]);
  });

  test('bootstrap and deploy refuse them, naming the account and the way back', () => {
    const { file, config } = newAccount();
    writePlaceholders(config, file);
    expect(() => refusePlaceholders(config, 'deploy', file)).toThrow(
      `${file} holds placeholder lookups for account ${STAGING_ACCOUNT}, made up by synth --placeholder-lookups; deploy ` +
        'acts on real ones only: run npm run synth -- --drop-placeholder-lookups, then record them with ' +
        "credentials: npx cdk synth '**' --profile <profile>",
    );
  });

  test('drop removes them and their mark, and nothing else', () => {
    const { file, config, read } = newAccount();
    const before = read();
    writePlaceholders(config, file);
    expect(dropPlaceholders(config, file)).toEqual([STAGING_ACCOUNT]);
    expect(read()).toEqual(before);
    expect(() => refusePlaceholders(config, 'deploy', file)).not.toThrow();
  });

  test("the pipeline's synth (in CodeBuild) refuses them before synthesizing", async () => {
    // GIVEN a checkout whose cdk.context.json holds placeholders for the workload account
    const checkout = mkdtempSync(path.join(dir, 'checkout-'));
    writeFileSync(path.join(checkout, 'deploy.json'), JSON.stringify(defaultConfigJson()));
    writeFileSync(
      path.join(checkout, 'cdk.context.json'),
      JSON.stringify({ [PLACEHOLDER_KEY]: { [PRODUCTION_ACCOUNT]: 'made up' } }),
    );
    // WHEN synth runs there as CodeBuild runs it
    const run = await runTool(
      'tools/build/synth.ts',
      ['--config', 'deploy.json', '--output', path.join(checkout, 'out')],
      { CODEBUILD_BUILD_ID: 'project:build-1' },
      checkout,
    );
    // THEN it stops with one line, and wrote no assembly
    expect(run.code).toBe(1);
    expect(run.stderr.split('\n').filter((l) => l.startsWith('synth:'))).toEqual([
      expect.stringMatching(
        new RegExp(
          `^synth: cdk\\.context\\.json holds placeholder lookups for account ${PRODUCTION_ACCOUNT}, .* the pipeline acts on real ones only`,
        ),
      ),
    ]);
  });
});
