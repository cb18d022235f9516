import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { PROJECT_ROOT } from './helpers/cdk';

const readWorkflow = (name: string) => parse(readFileSync(path.join(PROJECT_ROOT, '.github/workflows', name), 'utf8'));
const pr = readWorkflow('pr.yml');
const deploy = readWorkflow('deploy.yml');
const checks = readWorkflow('checks.yml');
const all = { 'pr.yml': pr, 'deploy.yml': deploy, 'checks.yml': checks };

/** Runs the workflow linter as npm run lint:workflows does; returns its JSON report and exit code. */
async function lint(args: string[] = []) {
  const result = await promisify(execFile)('npx', ['tsx', 'tools/lint-workflows.ts', '--json', ...args], {
    cwd: PROJECT_ROOT,
  }).catch((e: { stdout: string; code: number }) => e);
  const code = 'code' in result ? result.code : 0;
  return { code, ...JSON.parse(result.stdout) } as {
    code: number;
    files: string[];
    findings: Array<{ tool: string; message: string }>;
  };
}

const steps = (workflow: any, job: string) => workflow.jobs[job].steps as Array<Record<string, any>>;
const runs = (workflow: any, job: string) =>
  steps(workflow, job)
    .map((s) => s.run)
    .filter(Boolean)
    .join('\n');

describe('GitHub workflows', () => {
  const report = lint();
  // A copy with a broken expression and an unknown key, to prove the linters are live.
  const brokenDir = mkdtempSync(path.join(tmpdir(), 'workflows-'));
  writeFileSync(
    path.join(brokenDir, 'broken.yml'),
    'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz: []\n    steps:\n      - run: echo ${{ github.nope }}\n',
  );
  const brokenReport = lint(['--dir', brokenDir]);
  // Wait for both linters to finish, pass or fail, before the folder goes.
  afterAll(async () => {
    await Promise.allSettled([report, brokenReport]);
    rmSync(brokenDir, { recursive: true, force: true });
  });

  test('pass actionlint 1.7.7 and the workflow parser with 0 findings', async () => {
    const { code, files, findings } = await report;
    expect(files.map((f) => path.basename(f))).toEqual(['checks.yml', 'deploy.yml', 'pr.yml']);
    expect(findings).toEqual([]);
    expect(code).toBe(0);
  });

  test('the linters are live: a broken workflow fails both', async () => {
    const { code, findings } = await brokenReport;
    expect(code).toBe(1);
    expect(findings.map((f) => f.tool)).toEqual(expect.arrayContaining(['actionlint', 'workflow-parser']));
  });

  test('trigger on pull requests, and on pushes to main and by hand, never pull_request_target', () => {
    expect(Object.keys(pr.on)).toEqual(['pull_request']);
    expect(deploy.on).toEqual({ push: { branches: ['main'] }, workflow_dispatch: null });
    expect(Object.keys(checks.on)).toEqual(['workflow_call']);
    for (const workflow of Object.values(all)) expect(JSON.stringify(workflow.on)).not.toContain('pull_request_target');
  });

  test('grant nothing by default and declare per job only what it needs', () => {
    for (const workflow of Object.values(all)) expect(workflow.permissions).toEqual({});
    expect(checks.jobs.checks.permissions).toEqual({ contents: 'read' });
    expect(pr.jobs.checks.permissions).toEqual({ contents: 'read' });
    expect(pr.jobs.diff.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    expect(deploy.jobs.checks.permissions).toEqual({ contents: 'read' });
    expect(deploy.jobs.deploy.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
  });

  test('pin every action by a full commit SHA', () => {
    const uses = Object.values(all).flatMap((w: any) =>
      Object.values(w.jobs).flatMap((job: any) => (job.steps ?? []).map((s: any) => s.uses).filter(Boolean)),
    );
    expect(uses.length).toBeGreaterThan(5);
    for (const action of uses) expect(action).toMatch(/^[\w-]+\/[\w-]+@[0-9a-f]{40}$/);
    expect(uses).toContain('actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8');
    expect(uses).toContain('aws-actions/configure-aws-credentials@a03048d87541d1d9fcf2ecf528a4a65ba9bd7838');
  });

  test('deploy in the production environment, one at a time, never cancelled midway', () => {
    expect(deploy.jobs.deploy.environment).toBe('production');
    expect(deploy.jobs.deploy.needs).toBe('checks');
    expect(deploy.concurrency).toEqual({ group: 'deploy-production', 'cancel-in-progress': false });
  });

  test('cancel superseded pull-request runs', () => {
    expect(pr.concurrency).toEqual({ group: 'pr-${{ github.event.pull_request.number }}', 'cancel-in-progress': true });
  });

  test('run the README commands and the linters in the checks, with Node from .nvmrc', () => {
    const commands = runs(checks, 'checks');
    for (const command of [
      'npm ci',
      'npm run lint',
      'npm run build',
      'npm run lint:workflows',
      'npm test',
      'npm run synth',
      'cfn-lint',
    ]) {
      expect(commands).toContain(command);
    }
    expect(
      steps(checks, 'checks').find((s) => s.uses?.startsWith('actions/setup-node'))!.with['node-version-file'],
    ).toBe('.nvmrc');
    expect(commands).toContain('cat cdk.out/report.md');
    expect(commands).toContain('$GITHUB_STEP_SUMMARY');
    expect(steps(checks, 'checks').find((s) => s.uses?.startsWith('actions/upload-artifact'))!.with.path).toBe(
      'cdk.out',
    );
  });

  test('use no secrets in the pull-request workflow, and skip the diff with a note when no role is set', () => {
    expect(readFileSync(path.join(PROJECT_ROOT, '.github/workflows/pr.yml'), 'utf8')).not.toContain('secrets.');
    const diffSteps = steps(pr, 'diff');
    expect(diffSteps[0]).toMatchObject({ if: "vars.DIFF_ROLE_ARN == ''" });
    expect(diffSteps[0].run).toContain('cdk diff skipped');
    for (const step of diffSteps.slice(1)) expect(step.if).toBe("vars.DIFF_ROLE_ARN != ''");
    expect(runs(pr, 'diff')).toContain("npx cdk diff '**'");
  });

  test('deploy by assuming the deploy role and running npm run deploy', () => {
    const credentials = steps(deploy, 'deploy').find((s) =>
      s.uses?.startsWith('aws-actions/configure-aws-credentials'),
    )!;
    expect(credentials.with['role-to-assume']).toBe('${{ vars.DEPLOY_ROLE_ARN }}');
    expect(runs(deploy, 'deploy')).toContain('npm run deploy');
  });
});
