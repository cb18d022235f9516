import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { PROJECT_ROOT } from './helpers/prerequisites';
import { loadConfig } from '../config/load';
import { CODEBUILD_NODE_VERSION } from '../pipeline/steps';

const read = (file: string) => readFileSync(path.join(PROJECT_ROOT, file), 'utf8');

/**
 * Node majors that CodeBuild's images used by the pipeline offer as `runtime-versions: nodejs`: Ubuntu standard:7.0
 * and Amazon Linux 2023 AArch64 standard:3.0 (runtimes.yml of aws/aws-codebuild-docker-images, which lists 24 for
 * both since early 2026; CodeBuild user guide, "Available runtimes"). Node 20 reached end of life in April 2026.
 */
const CODEBUILD_NODE_MAJORS = ['22', '24'];

describe('Node versions', () => {
  const nvmrc = read('.nvmrc').trim();
  const pkg = JSON.parse(read('package.json'));

  test('.nvmrc names a supported LTS major that CodeBuild offers', () => {
    expect(nvmrc).toMatch(/^\d+$/);
    expect(CODEBUILD_NODE_MAJORS).toContain(nvmrc);
  });

  test('package.json engines start at the .nvmrc major, and the lock file agrees', () => {
    expect(pkg.engines.node).toBe(`>=${nvmrc}`);
    expect(JSON.parse(read('package-lock.json')).packages[''].engines).toEqual(pkg.engines);
  });

  test('@types/node describes the same major', () => {
    expect(pkg.devDependencies['@types/node']).toMatch(new RegExp(`^\\^${nvmrc}\\.`));
  });

  test('the pipeline asks CodeBuild for the .nvmrc major', () => {
    expect(CODEBUILD_NODE_VERSION).toBe(nvmrc);
  });

  test('.ci/run puts the .nvmrc Node on PATH before its first npm', () => {
    const run = read('.ci/run');
    const switchToNvmrcNode = run.indexOf('\n. .ci/use-nvmrc-node.sh\n');
    expect(switchToNvmrcNode).toBeGreaterThan(0);
    expect(switchToNvmrcNode).toBeLessThan(run.indexOf('\nnpm '));
    expect(read('.ci/use-nvmrc-node.sh')).toContain('<.nvmrc');
  });

  test('every workflow sets up Node from .nvmrc', () => {
    const setups = readdirSync(path.join(PROJECT_ROOT, '.github/workflows'))
      .map((file) => parse(read(`.github/workflows/${file}`)))
      .flatMap((w: any) => Object.values(w.jobs).flatMap((job: any) => job.steps ?? []))
      .filter((step: any) => step.uses?.startsWith('actions/setup-node@'));
    expect(setups.length).toBeGreaterThanOrEqual(3);
    for (const step of setups) expect(step.with).toMatchObject({ 'node-version-file': '.nvmrc' });
    for (const step of setups) expect(step.with['node-version']).toBeUndefined();
  });
});

describe('CDK CLI versions', () => {
  // The pipeline installs this CLI for self-mutation; the Synth step runs the one in package-lock.json. A
  // difference would let the two synthesize differently, so they may never disagree silently.
  test('the pipeline pins exactly the CLI version package-lock.json installs', () => {
    const lock = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package-lock.json'), 'utf8'));
    const config = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'config/deploy.json'), 'utf8'));
    const installed = lock.packages['node_modules/aws-cdk'].version;
    expect(config.pipeline.cdkCliVersion).toBe(installed);
    expect(loadConfig(path.join(PROJECT_ROOT, 'config/deploy.json')).pipeline.cdkCliVersion).toBe(installed);
  });
});
