import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { parseConfig, type DeployConfig } from '../../config/load';

export const PROJECT_ROOT = path.resolve(__dirname, '../..');

/** The context the CDK CLI would pass: feature flags from cdk.json plus the committed lookups. */
export function projectContext(): Record<string, unknown> {
  const read = (file: string) => JSON.parse(readFileSync(path.join(PROJECT_ROOT, file), 'utf8'));
  return {
    ...read('cdk.json').context,
    ...read('cdk.context.json'),
    // What the CLI adds to every synth: templates then carry the same metadata as `cdk synth` output.
    'aws:cdk:enable-path-metadata': true,
    'aws:cdk:enable-asset-metadata': true,
    'aws:cdk:version-reporting': true,
  };
}

/**
 * A fresh App configured like the real entry point but for creation stacks, writing to its own temporary folder.
 * That lies in the run's TMPDIR, which the global teardown removes with everything in it.
 */
export function newProjectApp(): App {
  return new App({
    // No creation stack on each CfnElement: a manifest entry no test reads, and under jest (which source-maps every
    // call site of a captured stack) 11% of a synth-heavy file's CPU. The templates are the same.
    context: { ...projectContext(), 'aws:cdk:disable-creation-stack-traces': true },
    outdir: mkdtempSync(path.join(tmpdir(), 'cdk-test-')),
    builtinCloudFormationValidation: false,
  });
}

/** A public hosted zone for the domain tests: example.com, by a made-up zone id. */
export const EXAMPLE_ZONE = { id: 'Z0123456789ABCDEFGHIJ', name: 'example.com' } as const;

/** The committed default configuration as parsed JSON, for tests to copy and change. */
export function defaultConfigJson(): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'config/deploy.json'), 'utf8'));
}

/** The default configuration with a change applied to a deep copy. */
export function configWith(change: (json: Record<string, any>) => void = () => {}): DeployConfig {
  const json = structuredClone(defaultConfigJson());
  change(json);
  return parseConfig(json, 'config/deploy.json');
}
