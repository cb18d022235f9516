// The bundles the pipeline's steps run, built as synth builds them and run from a folder with no node_modules:
// the smoke-test bundle against the real nginx, directly and through the in-VPC verifier behind a stand-in for the
// Lambda Invoke API, and the publish bundle against moto. A bundling mistake fails here.
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { publisherRoleArn } from '../../../config/names';
import { stepBundle } from '../../../config/names';
import { verifierCode } from '../../../stages/service/in-vpc-verifier';
import { startLocalNginx, type LocalNginx } from '../../../tools/local/local-nginx';
import { bundleSteps } from '../../../tools/build/bundle-steps';
import { PROJECT_ROOT, defaultConfigJson } from '../../helpers/cdk';
import { REGION, STAGING_ACCOUNT } from '../../helpers/constants';
import { lambdaContext, loadInlineHandler } from '../../helpers/inline-lambda';
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

  let lambda: Server | undefined;
  const invocations: string[] = [];
  /** How many more invocations answer as Lambda does for an Inactive VPC function. */
  let notReadyLeft = 0;
  let lambdaEndpoint = '';

  /**
   * Lambda's Invoke API (POST /2015-03-31/functions/{name}/invocations) answered by the verifier's inline code, run
   * here as the function would run in the VPC, with its SERVICE_URL set to the nginx.
   */
  function startFakeLambda(): Promise<string> {
    const handler = loadInlineHandler(verifierCode());
    lambda = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', async () => {
        invocations.push(decodeURIComponent(request.url ?? ''));
        if (notReadyLeft > 0) {
          notReadyLeft--;
          const type = { 'x-amzn-errortype': 'ResourceNotReadyException', 'content-type': 'application/json' };
          return void response.writeHead(502, type).end('{"Type":"Service","message":"The function is inactive"}');
        }
        process.env.SERVICE_URL = nginx!.url;
        const answer = await handler(JSON.parse(body), lambdaContext(60_000));
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      });
    });
    return new Promise((resolve) =>
      lambda!.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(lambda!.address() as AddressInfo).port}`)),
    );
  }

  beforeAll(async () => {
    moto = await startMoto();
    nginx = await startLocalNginx({ dockerDir: path.join(PROJECT_ROOT, 'docker') });
    lambdaEndpoint = await startFakeLambda();
  });
  afterAll(async () => {
    lambda?.close();
    await Promise.all([nginx?.stop(), moto?.stop()]);
    rmSync(assembly, { recursive: true, force: true });
  });

  test('are single files, the smoke test (with the Lambda client for the in-VPC check) under 2 MiB', () => {
    expect(bundles.map((b) => path.basename(b.file))).toEqual(['publish-image.js', 'smoke-test.js']);
    expect(bundles[1].bytes).toBeLessThan(2 * 1024 * 1024);
  });

  test('the smoke-test bundle passes against the real nginx and fails on the wrong version', async () => {
    const pass = await runBundle(bundle('smoke-test'), [nginx!.url, '--expect-version', 'dev', '--timeout', '10']);
    expect([pass.code, pass.stdout]).toEqual([0, expect.stringContaining('smoke-test: PASSED')]);
    const fail = await runBundle(bundle('smoke-test'), [nginx!.url, '--expect-version', 'sha-other', '--timeout', '2']);
    expect(fail.code).toBe(1);
    expect(fail.stderr).toContain('smoke-test: FAILED: /version: version mismatch: expected sha-other, got dev');
  });

  test('the smoke-test bundle checks an internal service through the verifier in its VPC', async () => {
    const functionArn = `arn:aws:lambda:${REGION}:${STAGING_ACCOUNT}:function:hello-privatelink-staging-verifier`;
    const env = {
      AWS_ENDPOINT_URL_LAMBDA: lambdaEndpoint,
      AWS_ACCESS_KEY_ID: 'step',
      AWS_SECRET_ACCESS_KEY: 'step',
      AWS_SESSION_TOKEN: '',
      AWS_PROFILE: '',
    };
    const args = (version: string, timeout: string) => [
      nginx!.url,
      '--expect-version',
      version,
      '--timeout',
      timeout,
      '--via-function',
      functionArn,
    ];
    const pass = await runBundle(bundle('smoke-test'), args('dev', '10'), env);
    expect([pass.code, pass.stderr.split('\n').filter((l) => l.startsWith('smoke-test:'))]).toEqual([0, []]);
    expect(pass.stdout).toContain(`from inside its VPC through ${functionArn}`);
    expect(pass.stdout).toMatch(/\[in VPC, round 1\] ✓ \/version/);
    expect(pass.stdout).toContain(`smoke-test: PASSED: ${nginx!.url} is healthy serving dev (in the VPC, 1 round)`);
    expect(invocations).toEqual([`/2015-03-31/functions/${functionArn}/invocations`]);
    const fail = await runBundle(bundle('smoke-test'), args('sha-other', '2'), env);
    expect(fail.code).toBe(1);
    expect(fail.stderr).toContain('FAILED: /version: version mismatch: expected sha-other, got dev');
  });

  test('the smoke-test bundle waits for an inactive verifier to come back, within its budget', async () => {
    // GIVEN a verifier whose next two invocations fail as an Inactive VPC function's do (the SDK retries once)
    notReadyLeft = 2;
    invocations.length = 0;
    const functionArn = `arn:aws:lambda:${REGION}:${STAGING_ACCOUNT}:function:hello-privatelink-staging-verifier`;
    const run = await runBundle(
      bundle('smoke-test'),
      [nginx!.url, '--expect-version', 'dev', '--timeout', '30', '--via-function', functionArn],
      {
        AWS_ENDPOINT_URL_LAMBDA: lambdaEndpoint,
        AWS_ACCESS_KEY_ID: 'step',
        AWS_SECRET_ACCESS_KEY: 'step',
        AWS_SESSION_TOKEN: '',
        AWS_PROFILE: '',
      },
    );
    // THEN the first round reports it, the second passes
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('[in VPC, round 1] … the verifier is not active yet (ResourceNotReadyException)');
    expect(run.stdout).toContain('is healthy serving dev (in the VPC, 2 rounds)');
    expect(invocations).toHaveLength(3);
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
