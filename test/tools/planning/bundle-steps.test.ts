// The bundles the pipeline's steps run, built as synth builds them and run from a folder with no node_modules:
// the smoke-test bundle against the real nginx, the publish bundle against moto. A bundling mistake fails here.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { stepBundle } from '../../../pipeline/steps';
import { publisherRoleArn } from '../../../stages/registry/names';
import { startLocalNginx, type LocalNginx } from '../../../tools/local/local-nginx';
import { bundleSteps } from '../../../tools/planning/bundle-steps';
import { PROJECT_ROOT, defaultConfigJson } from '../../helpers/cdk';
import { motoCredentials, startMoto, type Moto } from '../../helpers/moto';

/** Runs a bundle with plain node, as the CodeBuild step does; resolves with the exit code and output. */
function runBundle(file: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [file, ...args],
      { cwd: PROJECT_ROOT, env: { ...process.env, NODE_OPTIONS: '', ...env }, timeout: 120_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('the bundled pipeline steps', () => {
  // GIVEN the bundles, written where no node_modules can be found from them
  const assembly = mkdtempSync(path.join(tmpdir(), 'assembly-'));
  const bundles = bundleSteps(assembly, PROJECT_ROOT);
  const bundle = (name: 'publish-image' | 'smoke-test') => path.join(assembly, stepBundle(name));
  let nginx: LocalNginx | undefined;
  let moto: Moto | undefined;

  beforeAll(async () => {
    moto = await startMoto();
    nginx = await startLocalNginx({ dockerDir: path.join(PROJECT_ROOT, 'docker') });
  });
  afterAll(async () => {
    await Promise.all([nginx?.stop(), moto?.stop()]);
    rmSync(assembly, { recursive: true, force: true });
  });

  test('are single files, the smoke test a few KiB', () => {
    expect(bundles.map((b) => path.basename(b.file))).toEqual(['publish-image.js', 'smoke-test.js']);
    expect(bundles[1].bytes).toBeLessThan(64 * 1024);
  });

  test('the smoke-test bundle passes against the real nginx and fails on the wrong version', async () => {
    const pass = await runBundle(bundle('smoke-test'), [nginx!.url, '--expect-version', 'dev', '--timeout', '10']);
    expect([pass.code, pass.stdout]).toEqual([0, expect.stringContaining('smoke-test: PASSED')]);
    const fail = await runBundle(bundle('smoke-test'), [nginx!.url, '--expect-version', 'sha-other', '--timeout', '2']);
    expect(fail.code).toBe(1);
    expect(fail.stderr).toContain('smoke-test: FAILED: /version: version mismatch: expected sha-other, got dev');
  });

  test('the publish-image bundle pushes to the registry account on moto and passes the scan gate', async () => {
    const config = defaultConfigJson() as Record<string, any>;
    const registry = config.registry.account as string;
    const region = config.region as string;
    await new ECRClient({
      region,
      endpoint: moto!.endpoint,
      credentials: await motoCredentials(moto!.endpoint, `arn:aws:iam::${registry}:role/admin`),
    }).send(
      new CreateRepositoryCommand({
        repositoryName: config.registry.repositoryName,
        imageScanningConfiguration: { scanOnPush: true },
      }),
    );
    const codebuild = await motoCredentials(moto!.endpoint, `arn:aws:iam::${config.toolingAccount}:role/codebuild`);
    const run = await runBundle(bundle('publish-image'), ['--scan-timeout', '30'], {
      AWS_ENDPOINT_URL: moto!.endpoint,
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: codebuild.accessKeyId,
      AWS_SECRET_ACCESS_KEY: codebuild.secretAccessKey,
      AWS_SESSION_TOKEN: codebuild.sessionToken,
      AWS_PROFILE: '',
      PATH: `${path.join(PROJECT_ROOT, 'test/helpers/fake-docker')}${path.delimiter}${process.env.PATH}`,
      FAKE_DOCKER_ROLE_ARN: publisherRoleArn('aws', registry, config.projectName),
    });
    expect([run.code, run.stderr.split('\n').filter((l) => l.startsWith('publish-image:'))]).toEqual([0, []]);
    expect(run.stdout).toMatch(/^image digest sha256:[0-9a-f]{64}$/m);
  });
});
