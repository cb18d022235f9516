// The GitHub workflows as files: linted, pinned, least-privilege, and running the checks the README names.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { DRIFT_ENVIRONMENT } from '../config/names';
import { EXIT_DRIFTED } from '../tools/operator/drift';
import { PROJECT_ROOT } from './helpers/cdk';
import { all, checks, deploy, drift, pr, readWorkflow, runs, steps } from './workflows/files';

/**
 * Runs the workflow linter as npm run lint:workflows does, through tsx, but as Node's --import rather than through npx
 * and tsx's command (the same loader, 0.6 s less CPU each); returns its JSON report and exit code.
 */
async function lint(args: string[] = []) {
  const linter = ['--import', 'tsx', 'tools/local/lint-workflows.ts', '--json', ...args];
  const result = await promisify(execFile)(process.execPath, linter, {
    cwd: PROJECT_ROOT,
  }).catch((e: { stdout: string; code: number }) => e);
  const code = 'code' in result ? result.code : 0;
  return { code, ...JSON.parse(result.stdout) } as {
    code: number;
    files: string[];
    findings: Array<{ tool: string; message: string }>;
  };
}

/**
 * Whether a shell runs with pipefail. GitHub runs `shell: bash` as `bash --noprofile --norc -eo pipefail {0}` but a
 * step with no shell as `bash -e {0}` (workflow syntax, jobs.<job_id>.steps[*].shell); a custom template counts
 * when it sets pipefail itself.
 */
function hasPipefail(shell: string | undefined): boolean {
  if (shell === 'bash') return true;
  return !!shell && /^bash\b/.test(shell) && /(^|\s)-[a-z]*o pipefail\b/.test(shell);
}

/** Steps (as `job/step`) whose script pipes output and whose effective shell has no pipefail. */
function pipedStepsWithoutPipefail(workflow: any): string[] {
  return Object.entries(workflow.jobs ?? {}).flatMap(([jobId, job]: [string, any]) =>
    (job.steps ?? [])
      .filter((step: any) => typeof step.run === 'string' && step.run.replace(/\|\|/g, '').includes('|'))
      // The most specific setting wins: step, then job defaults, then workflow defaults.
      .filter((step: any) => !hasPipefail(step.shell ?? job.defaults?.run?.shell ?? workflow.defaults?.run?.shell))
      .map((step: any) => `${jobId}/${step.name ?? step.run}`),
  );
}

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
    expect(files.map((f) => path.basename(f))).toEqual(['checks.yml', 'deploy.yml', 'drift.yml', 'pr.yml']);
    expect(findings).toEqual([]);
    expect(code).toBe(0);
  });

  test('the linters are live: a broken workflow fails both', async () => {
    const { code, findings } = await brokenReport;
    expect(code).toBe(1);
    expect(findings.map((f) => f.tool)).toEqual(expect.arrayContaining(['actionlint', 'workflow-parser']));
  });

  test('run every piped step under bash with pipefail, so `| tee` cannot hide a failure', () => {
    // GIVEN every workflow file, not only the three this suite knows by name
    const files = readdirSync(path.join(PROJECT_ROOT, '.github/workflows')).filter((f) => /\.ya?ml$/.test(f));
    expect(files.length).toBeGreaterThanOrEqual(3);
    const workflows = files.map((file) => [file, readWorkflow(file)] as const);
    // WHEN their run steps are read THEN some pipe output, and none does so without pipefail
    const piped = workflows.flatMap(([, w]) =>
      Object.values(w.jobs).flatMap((job: any) => (job.steps ?? []).filter((s: any) => /[^|]\|[^|]/.test(s.run ?? ''))),
    );
    expect(piped.length).toBeGreaterThan(1);
    for (const [file, workflow] of workflows) expect([file, pipedStepsWithoutPipefail(workflow)]).toEqual([file, []]);
    for (const [, workflow] of workflows) expect(workflow.defaults).toEqual({ run: { shell: 'bash' } });
  });

  test('the pipefail check finds piped steps whose effective shell lacks it', () => {
    const workflow = parse(`
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - { name: default shell, run: npm run synth | tee synth.txt }
      - { name: or only, run: test -f x || exit 1 }
      - { name: bash, shell: bash, run: npm run synth | tee synth.txt }
      - { name: custom with pipefail, shell: 'bash -eo pipefail {0}', run: a | b }
      - { name: sh, shell: sh, run: a | b }
  b:
    runs-on: ubuntu-latest
    defaults: { run: { shell: bash } }
    steps:
      - { name: job default, run: a | b }
      - { name: step overrides, shell: 'bash -e {0}', run: a | b }
`);
    expect(pipedStepsWithoutPipefail(workflow)).toEqual(['a/default shell', 'a/sh', 'b/step overrides']);
    expect(pipedStepsWithoutPipefail({ ...workflow, defaults: { run: { shell: 'bash' } } })).toEqual([
      'a/sh',
      'b/step overrides',
    ]);
  });

  test('install cfn-lint and moto at pinned versions into a venv, and put it on PATH for later steps', () => {
    const commands = runs(checks, 'checks');
    expect(commands).toContain('python -m venv .venv');
    expect(commands).toContain('.venv/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt');
    expect(commands).toContain('echo "$PWD/.venv/bin" >> "$GITHUB_PATH"');
    const requirements = readFileSync(path.join(PROJECT_ROOT, 'requirements-dev.txt'), 'utf8')
      .split('\n')
      .filter((line) => line && !line.startsWith('#'));
    expect(requirements).toEqual([
      expect.stringMatching(/^cfn-lint==\d+\.\d+\.\d+$/),
      expect.stringMatching(/^moto\[server\]==\d+\.\d+\.\d+$/),
    ]);
    // The venv comes before the tests and the cfn-lint step, which need it.
    const names = steps(checks, 'checks').map((s) => s.run ?? '');
    const install = names.findIndex((r) => r.includes('requirements-dev.txt'));
    expect(install).toBeGreaterThan(-1);
    expect(install).toBeLessThan(names.indexOf('npm test'));
  });

  test('dependabot updates npm, the actions, the Dockerfile and the Python tools weekly, each where it lives', () => {
    const dependabot = parse(readFileSync(path.join(PROJECT_ROOT, '.github/dependabot.yml'), 'utf8'));
    expect(dependabot.version).toBe(2);
    const updates = dependabot.updates as Array<Record<string, any>>;
    expect(updates.map((u) => [u['package-ecosystem'], u.directory])).toEqual([
      ['npm', '/'],
      ['github-actions', '/'],
      ['docker', '/docker'],
      ['pip', '/'],
    ]);
    for (const update of updates) expect(update.schedule).toEqual({ interval: 'weekly' });
    // Each directory holds what its ecosystem reads.
    for (const file of ['package-lock.json', 'docker/Dockerfile', 'requirements-dev.txt']) {
      expect(existsSync(path.join(PROJECT_ROOT, file))).toBe(true);
    }
    expect(updates[0].groups['aws-cdk'].patterns).toEqual(expect.arrayContaining(['aws-cdk', 'aws-cdk-lib']));
  });

  test('trigger on pull requests, and on pushes to main and by hand, never pull_request_target', () => {
    expect(Object.keys(pr.on)).toEqual(['pull_request']);
    expect(deploy.on).toEqual({ push: { branches: ['main'] }, workflow_dispatch: null });
    expect(Object.keys(checks.on)).toEqual(['workflow_call']);
    expect(drift.on).toEqual({ schedule: [{ cron: '17 5 * * *' }], workflow_dispatch: null });
    for (const workflow of Object.values(all)) expect(JSON.stringify(workflow.on)).not.toContain('pull_request_target');
  });

  test('grant nothing by default and declare per job only what it needs', () => {
    for (const workflow of Object.values(all)) expect(workflow.permissions).toEqual({});
    expect(checks.jobs.checks.permissions).toEqual({ contents: 'read' });
    expect(pr.jobs.checks.permissions).toEqual({ contents: 'read' });
    expect(pr.jobs.diff.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    expect(deploy.jobs.checks.permissions).toEqual({ contents: 'read' });
    expect(deploy.jobs.deploy.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    // The brief's three permissions, split: the job with AWS credentials cannot write issues, and the one that can
    // holds no AWS token.
    expect(drift.jobs.drift.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    expect(drift.jobs.issue.permissions).toEqual({ issues: 'write' });
    expect(drift.jobs['drift-skipped'].permissions).toEqual({});
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
    expect(pr.jobs['diff-skipped']).toMatchObject({ if: "vars.DIFF_ROLE_ARN == ''" });
    expect(runs(pr, 'diff-skipped')).toContain('cdk diff skipped');
    expect(runs(pr, 'diff')).toContain("npx cdk diff '**'");
  });

  test('check the day-2 safety of the config against the deployed commit before anything deploys', () => {
    expect(pr.jobs.checks.with).toEqual({ 'deployed-commit': '${{ github.event.pull_request.base.sha }}' });
    expect(deploy.jobs.checks.with).toEqual({ 'deployed-commit': '${{ github.event.before }}' });
    const step = steps(checks, 'checks').find((s) => s.run?.includes('npm run day2-check'))!;
    expect(step.run).toBe('npm run day2-check -- --since "$DEPLOYED_COMMIT"');
    expect(step.env).toEqual({ DEPLOYED_COMMIT: '${{ inputs.deployed-commit }}' });
    expect(deploy.jobs.deploy.needs).toBe('checks');
  });

  test('no job waits for an environment it may skip: every job with an environment decides at job level', () => {
    // A job's environment is requested, and its reviewers asked, before any step runs; only a job-level `if` skips it.
    for (const workflow of [pr, deploy, drift]) {
      for (const [name, job] of Object.entries(workflow.jobs as Record<string, any>)) {
        if (!job.environment) continue;
        const stepConditions = (job.steps ?? []).map((s: { if?: string }) => s.if).filter(Boolean);
        expect([name, stepConditions]).toEqual([name, []]);
      }
    }
    expect(pr.jobs.diff).toMatchObject({ if: "vars.DIFF_ROLE_ARN != ''", environment: 'pull-request-diff' });
    expect(pr.jobs['diff-skipped'].environment).toBeUndefined();
    expect(drift.jobs.drift).toMatchObject({ if: "vars.DRIFT_ROLE_ARN != ''", environment: DRIFT_ENVIRONMENT });
    expect(drift.jobs['drift-skipped']).toMatchObject({ if: "vars.DRIFT_ROLE_ARN == ''" });
    expect(drift.jobs['drift-skipped'].environment).toBeUndefined();
  });

  test('deploy by assuming the deploy role and running npm run deploy', () => {
    const credentials = steps(deploy, 'deploy').find((s) =>
      s.uses?.startsWith('aws-actions/configure-aws-credentials'),
    )!;
    expect(credentials.with['role-to-assume']).toBe('${{ vars.DEPLOY_ROLE_ARN }}');
    expect(runs(deploy, 'deploy')).toContain('npm run deploy');
  });

  test('detect drift daily as the read-only drift role, never the deploy role, with no secrets', () => {
    const credentials = steps(drift, 'drift').find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials'))!;
    expect(credentials.with['role-to-assume']).toBe('${{ vars.DRIFT_ROLE_ARN }}');
    expect(runs(drift, 'drift')).toContain('npm run --silent drift > drift.txt');
    const scripts = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')).scripts;
    expect(scripts.drift).toBe('node --require ./bin/load-typescript.cjs tools/operator/drift.ts');
    const text = readFileSync(path.join(PROJECT_ROOT, '.github/workflows/drift.yml'), 'utf8');
    expect(text).not.toContain('secrets.');
    expect(text).not.toContain('DEPLOY_ROLE_ARN');
    expect(drift.concurrency).toEqual({ group: 'drift', 'cancel-in-progress': false });
    expect(drift.jobs.issue).toMatchObject({ needs: 'drift', if: `needs.drift.outputs.status == '${EXIT_DRIFTED}'` });
    expect(drift.jobs.issue.environment).toBeUndefined();
    expect(drift.jobs.drift.outputs).toEqual({
      status: '${{ steps.detect.outputs.status }}',
      report: '${{ steps.detect.outputs.report }}',
    });
    // The report reaches the script through the environment only, never spliced into its text.
    const issueStep = steps(drift, 'issue')[0];
    expect(issueStep.env.REPORT).toBe('${{ needs.drift.outputs.report }}');
    expect(issueStep.run).not.toContain('${{');
  });
});
