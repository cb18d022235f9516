import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readPlan } from '../../../tools/report/plan';
import { contentTag } from '../../../runtime/image-tag';
import { PROJECT_ROOT, defaultConfigJson } from '../../helpers/cdk';
import { PRODUCTION_ACCOUNT, REGION, REGISTRY_ACCOUNT, STAGING_ACCOUNT } from '../../helpers/constants';
import { TYPESCRIPT_LOADER, runToolsInOneProcess } from '../../helpers/run-tool';

/** Runs `npm run synth`'s program as a user would, with no AWS credentials or profile anywhere. */
function runSynth(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const home = mkdtempSync(path.join(tmpdir(), 'no-aws-home-'));
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_') && k !== 'NODE_ENV'),
  );
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...TYPESCRIPT_LOADER, 'tools/build/synth.ts', ...args], {
      cwd: PROJECT_ROOT,
      env: { ...env, HOME: home, AWS_EC2_METADATA_DISABLED: 'true' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/**
 * How long a test may wait for the synths below: two full synths run at once, each a CDK CLI, an app and a cfn-guard
 * process, beside another test file; on a busy 2-core machine a minute is not always enough.
 */
const SYNTH_WAIT_MS = 180_000;

describe('npm run synth', () => {
  // WHEN the main job runs twice at once: on the committed config, and on a missing config file
  const outdir = mkdtempSync(path.join(tmpdir(), 'synth-out-'));
  const good = runSynth(['--output', outdir]);
  const bad = runSynth(['--config', 'config/missing.json', '--output', mkdtempSync(path.join(tmpdir(), 'bad-'))]);
  // AND on a config naming an account whose lookups cdk.context.json does not hold
  // Inside the repository, where the pipeline's Synth step requires the config to be.
  mkdirSync(path.join(PROJECT_ROOT, 'cdk.out'), { recursive: true });
  const configDir = mkdtempSync(path.join(PROJECT_ROOT, 'cdk.out', 'test-config-'));
  afterAll(() => rmSync(configDir, { recursive: true, force: true }));
  const newAccountConfig = path.relative(PROJECT_ROOT, path.join(configDir, 'deploy.json'));
  const json = defaultConfigJson() as Record<string, any>;
  json.environments[0].account = STAGING_ACCOUNT;
  json.profiles[STAGING_ACCOUNT] = 'account-c';
  writeFileSync(path.join(PROJECT_ROOT, newAccountConfig), JSON.stringify(json));
  const unknownAccount = runSynth(['--config', newAccountConfig, '--output', mkdtempSync(path.join(tmpdir(), 'new-'))]);
  // AND, one after another in one process, since none of these is about the process (the attacks in
  // test/tools/cli/attacks.test.ts run synth's --help and a refusal as real processes): bad arguments, --help, and
  // publish-image's dry run
  const refusals: Array<[string[], string]> = [
    [['--confg', 'x.json'], 'synth: unknown option --confg; see --help'],
    [['--config'], 'synth: --config needs a value; see --help'],
    [['-c', 'config=x.json'], 'synth: unknown option -c; see --help'],
  ];
  const quick = runToolsInOneProcess([
    ...refusals.map(([args]) => ({ script: 'tools/build/synth.ts', args })),
    { script: 'tools/build/synth.ts', args: ['--help', '--output', '/nonexistent/should-not-be-made'] },
    { script: 'tools/pipeline-steps/publish-image.ts', args: ['--dry-run'] },
  ]);

  test(
    'names an account without recorded lookups once, with the command that records them',
    async () => {
      const { code, stderr } = await unknownAccount;
      expect(code).toBe(1);
      expect(stderr.split('\n').filter((l) => l.startsWith('synth:'))).toEqual([
        `synth: cdk.context.json has no lookups for account ${STAGING_ACCOUNT} in ${REGION}; record them once with credentials, then commit cdk.context.json: npx cdk synth '**' -c config=${newAccountConfig} --profile account-c; ` +
          `or try it offline with made-up ones, which nothing deploys: npm run synth -- --config ${newAccountConfig} --placeholder-lookups`,
      ]);
      expect(stderr).not.toContain('Annotation');
    },
    SYNTH_WAIT_MS,
  );

  test(
    'synthesizes every stage without credentials and prints the plan',
    async () => {
      const { code, stdout, stderr } = await good;
      expect(stderr).toContain("✓ Synthesizing every stage (cdk synth '**')");
      expect(code).toBe(0);
      for (const stage of [
        `Registry  ${REGISTRY_ACCOUNT} / ${REGION}`,
        `ProductionNetwork  ${PRODUCTION_ACCOUNT} / ${REGION}`,
        `ProductionService  ${PRODUCTION_ACCOUNT} / ${REGION}`,
      ]) {
        expect(stdout).toContain(stage);
      }
      expect(stdout).toMatch(/rollout of Service\w+ \(blue-green\): new version only after 10 s modelled/);
      expect(stdout).toMatch(/^Checks: cdk-nag AwsSolutions clean; AWS Control Tower: \d+ controls apply: \d+ passed/m);
    },
    SYNTH_WAIT_MS,
  );

  test(
    'lists the stages in the order the pipeline deploys them, not alphabetically',
    async () => {
      const { code } = await good;
      expect(code).toBe(0);
      expect(readPlan(outdir).map((p) => p.stage)).toEqual([
        '(app)',
        'Registry',
        'ProductionNetwork',
        'ProductionService',
      ]);
    },
    SYNTH_WAIT_MS,
  );

  test(
    'deploys the same image tag that publish-image pushes: both hash docker/ with one function',
    async () => {
      await good;
      const tag = contentTag(path.join(PROJECT_ROOT, 'docker'));
      const { CloudAssembly } = await import('@aws-cdk/cloud-assembly-api');
      const serviceStack = readPlan(outdir).find((p) => p.stage === 'ProductionService')!.stacks[0];
      const template = new CloudAssembly(path.join(outdir, 'assembly-ProductionService')).getStackByName(
        serviceStack.stackName,
      ).template;
      expect(template.Outputs.ImageTag.Value).toBe(tag);
      const { code, stdout } = (await quick)[refusals.length + 1];
      expect(code).toBe(0);
      expect(stdout).toContain(`--build-arg IMAGE_TAG=${tag} `);
    },
    SYNTH_WAIT_MS,
  );

  test.each(refusals.map(([args, line], i) => [args, line, i] as const))(
    'refuses %j with one line before synthesizing anything',
    async (_args, line, i) => {
      const { code, stderr, leftRunning } = (await quick)[i];
      expect([code, leftRunning]).toEqual([1, []]);
      expect(stderr.trim()).toBe(line);
    },
  );

  test('--help prints the usage and synthesizes nothing', async () => {
    const { code, stdout, stderr } = (await quick)[refusals.length];
    expect(code).toBe(0);
    expect(stdout).toMatch(/^usage: npm run synth/);
    expect(stderr).toBe('');
  });

  test('stops on a bad config with one line naming the file, and no stack trace', async () => {
    const { code, stderr } = await bad;
    expect(code).toBe(1);
    expect(stderr).toContain(
      'synth: Invalid configuration: config/missing.json: cannot read the config file (no such file); expected a JSON file',
    );
    expect(stderr).not.toMatch(/^\s+at /m);
  });
});
