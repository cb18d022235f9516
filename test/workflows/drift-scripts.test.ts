// The drift workflow's run scripts, executed: what each step does with every exit of npm run drift, and how the
// issue step opens, updates or leaves the drift issue.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { EXIT_DRIFTED, EXIT_FAILED } from '../../tools/operator/drift';
import { drift, steps } from './files';

describe("the drift workflow's scripts, run by bash as GitHub runs them", () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'drift-workflow-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const step = (name: string) => [...steps(drift, 'drift'), ...steps(drift, 'issue')].find((s) => s.name === name)!;
  let runCount = 0;

  /**
   * Runs one step's script under `bash --noprofile --norc -eo pipefail` (what `shell: bash` means), in a fresh folder,
   * with `npm` and `gh` stand-ins first on PATH: npm prints a report and exits NPM_EXIT; gh logs its arguments and
   * answers `issue list` with ISSUE and `issue view` with BODY.
   */
  function runStep(name: string, env: Record<string, string>) {
    const work = path.join(dir, `run-${++runCount}`);
    const bin = path.join(work, 'bin');
    mkdirSync(bin, { recursive: true });
    const fake = (cmd: string, script: string) => {
      writeFileSync(path.join(bin, cmd), `#!/usr/bin/env bash\n${script}\n`);
      chmodSync(path.join(bin, cmd), 0o755);
    };
    fake('npm', 'echo "$*" >> "$CALLS"; printf "stack-a (1): in sync\\ndrift: report\\n"; exit "$NPM_EXIT"');
    fake(
      'gh',
      [
        'echo "gh $*" >> "$CALLS"',
        'case "$1 $2" in',
        '  "issue list") echo "$ISSUE" ;;',
        '  "issue view") printf "%s" "$BODY" ;;',
        'esac',
      ].join('\n'),
    );
    const script = path.join(work, 'step.sh');
    writeFileSync(script, step(name).run);
    const calls = path.join(work, 'calls');
    const result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
      cwd: work,
      encoding: 'utf8',
      env: {
        PATH: `${bin}${path.delimiter}${process.env.PATH}`,
        CALLS: calls,
        GITHUB_OUTPUT: path.join(work, 'output'),
        GITHUB_STEP_SUMMARY: path.join(work, 'summary'),
        TITLE: step(name).env?.TITLE ?? '',
        RUN_URL: 'https://github.com/my-org/hello-privatelink/actions/runs/1',
        ISSUE: '',
        BODY: '',
        NPM_EXIT: '0',
        ...env,
      },
    });
    const read = (file: string) =>
      existsSync(path.join(work, file)) ? readFileSync(path.join(work, file), 'utf8') : '';
    return { code: result.status, calls: read('calls').trim().split('\n').filter(Boolean), read };
  }

  test.each([
    [0, 0],
    [EXIT_DRIFTED, 0],
    [EXIT_FAILED, EXIT_FAILED],
  ])(
    'the detect step passes on npm run drift exit %i with its status, failing only on a failure',
    (npmExit, stepExit) => {
      const { code, calls, read } = runStep('Detect drift on every stack', { NPM_EXIT: String(npmExit) });
      expect(code).toBe(stepExit);
      expect(read('output')).toMatch(
        new RegExp(`^status=${npmExit}\nreport<<(DRIFT_REPORT_\\d+)\nstack-a \\(1\\): in sync\ndrift: report\n\\1\n$`),
      );
      expect(calls).toEqual(['run --silent drift']);
      expect(read('drift.txt')).toBe('stack-a (1): in sync\ndrift: report\n');
      expect(read('summary')).toContain('drift: report');
    },
  );

  test('opens the issue when none is open, with the report in it', () => {
    const { code, calls, read } = runStep('Open or update the drift issue', { REPORT: 'x/Y modified: /P' });
    expect(code).toBe(0);
    expect(calls).toEqual([
      'gh issue list --state open --search in:title "Drift in the deployed stacks" --json number,title --jq [.[] | select(.title == env.TITLE)][0].number // empty',
      'gh issue create --title Drift in the deployed stacks --body-file body.md',
    ]);
    expect(read('body.md')).toContain('```\nx/Y modified: /P\n```');
  });

  test('updates the open issue and tells its watchers only when the drift changed', () => {
    const first = runStep('Open or update the drift issue', { ISSUE: '7', REPORT: 'x/Y modified: /P' });
    expect(first.calls.slice(1)).toEqual([
      'gh issue view 7 --json body --jq .body',
      'gh issue edit 7 --body-file body.md',
      'gh issue comment 7 --body The drift changed; the description shows it as of https://github.com/my-org/hello-privatelink/actions/runs/1.',
    ]);
    // GIVEN the issue already shows this very report WHEN the next day finds the same drift THEN nothing is written
    const again = runStep('Open or update the drift issue', {
      ISSUE: '7',
      BODY: first.read('body.md'),
      REPORT: 'x/Y modified: /P',
    });
    expect([again.code, again.calls.slice(1)]).toEqual([0, ['gh issue view 7 --json body --jq .body']]);
  });
});
