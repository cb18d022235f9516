// day2-check against a real git history: a repository whose committed config is the deployed one, and a working
// config with the next change. It refuses what one deploy cannot make safely, in one line naming the procedure.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../helpers/cdk';
import { runTool } from '../../helpers/run-tool';

const TOOL = 'tools/report/day2-check.ts';
const deployed = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'config/deploy.json'), 'utf8'));
delete deployed.$schema;

describe('day2-check', () => {
  // GIVEN a repository whose last commit deployed the default config (blue/green, internet-facing, HTTP)
  let repo = '';
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'ignore' });
  const working = (change: (json: any) => void) => {
    const json = structuredClone(deployed);
    change(json);
    writeFileSync(path.join(repo, 'config/deploy.json'), JSON.stringify(json));
  };
  beforeAll(() => {
    repo = mkdtempSync(path.join(tmpdir(), 'day2-'));
    mkdirSync(path.join(repo, 'config'));
    git('init', '-q');
    working(() => {});
    git('add', '.');
    git(
      '-c',
      'user.name=t',
      '-c',
      'user.email=t@example.com',
      '-c',
      'commit.gpgsign=false',
      'commit',
      '-q',
      '-m',
      'deployed',
    );
  });
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  test('refuses HTTPS added to a running environment, in one line naming the procedure', async () => {
    working((json) => {
      json.network.domainName = 'www.example.com';
      json.network.hostedZone = { id: 'Z0123456789ABCDEFGHIJ', name: 'example.com' };
    });
    const run = await runTool(TOOL, ['--since', 'HEAD'], {}, repo);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^day2-check: production: adding HTTPS moves the production rule .* cannot be made safely in one deploy; add a new environment .*Changing a running environment/,
      ),
    ]);
  });

  test('refuses a change of load balancer scheme', async () => {
    working((json) => (json.network.albScheme = 'internal'));
    const run = await runTool(TOOL, ['--since', 'HEAD'], {}, repo);
    expect([run.code, run.stderr]).toEqual([
      1,
      expect.stringMatching(/network\.albScheme internet-facing to internal/),
    ]);
  });

  test('lets a change of strategy, size or bake time through', async () => {
    working((json) => Object.assign(json.service, { deploymentStrategy: 'rolling', cpu: 512, memoryMiB: 1024 }));
    const run = await runTool(TOOL, ['--since', 'HEAD'], {}, repo);
    expect([run.code, run.stdout.trim()]).toEqual([
      0,
      'day2-check: every change since HEAD deploys safely onto what it left live',
    ]);
  });

  test('names a revision that is not a commit, and needs --since', async () => {
    const unknown = await runTool(TOOL, ['--since', 'no-such-ref'], {}, repo);
    expect([unknown.code, unknown.stderr.trim()]).toEqual([
      1,
      'day2-check: --since no-such-ref: not a commit of this repository (fetch it, or give a hash)',
    ]);
    const missing = await runTool(TOOL, [], {}, repo);
    expect([missing.code, missing.stderr.trim()]).toEqual([
      1,
      expect.stringMatching(/^day2-check: --since needs a value/),
    ]);
  });
});
