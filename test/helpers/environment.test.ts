// The test environment's check: a test file that leaves a process running fails, naming it, and the process and
// its own children are stopped, so that the run ends.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fixtureJestConfig } from './fixture-jest';
import { PROJECT_ROOT } from './prerequisites';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether a process has ended: gone, or a zombie waiting to be reaped. */
function ended(pid: number): boolean {
  if (!alive(pid)) return true;
  try {
    return /^Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1] ?? '');
  } catch {
    return true;
  }
}

describe('the test environment', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'leak-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('fails a test file that leaves a process running, names it, and stops it with its children', async () => {
    // GIVEN a test file that starts a process with a child of its own and never stops it
    const pidFile = path.join(dir, 'pid');
    const config = fixtureJestConfig('**/leaks-a-process.fixture.ts', {
      testEnvironment: '<rootDir>/test/helpers/environment.ts',
    });
    // WHEN jest runs it
    const started = Date.now();
    const child = spawn(
      process.execPath,
      [require.resolve('jest/bin/jest'), '--config', JSON.stringify(config), '--ci'],
      {
        cwd: PROJECT_ROOT,
        env: { ...process.env, FIXTURE_PID_FILE: pidFile },
      },
    );
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    // THEN the run ends on its own, failed, naming the process
    expect(code).toBe(1);
    expect(Date.now() - started).toBeLessThan(45_000);
    expect(stderr).toMatch(/the test file left 1 process\(es\) running, stopped now: sh -c sleep 300/);
    // AND neither the process nor its child is left
    const pids = [pidFile, `${pidFile}.grandchild`].map((f) => (existsSync(f) ? Number(readFileSync(f, 'utf8')) : 0));
    expect(pids.every((pid) => pid > 0)).toBe(true);
    expect(pids.map(ended)).toEqual([true, true]);
  });
});
