// The benchmarks leave nothing in the temporary directory, whether they succeed or fail.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from '../helpers/cdk';
import { runTool } from '../helpers/run-tool';

const TSX = pathToFileURL(path.join(PROJECT_ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

/** A fresh TMPDIR for one run, and what the run left in it (tsx's own compile cache aside). */
function freshTmp() {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-tmp-'));
  chmodSync(dir, 0o755); // as the run's own folder: nginx's workers may run as nobody
  return {
    dir,
    left: () => readdirSync(dir).filter((f) => !f.startsWith('tsx-')),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

describe('benchmarks and the temporary directory', () => {
  test('bench:nginx leaves nothing behind', async () => {
    const tmp = freshTmp();
    try {
      const run = await runTool('bench/nginx-bench.ts', ['--seconds', '1'], { TMPDIR: tmp.dir });
      expect([run.code, run.stderr.split('\n').filter((l) => l.startsWith('bench:nginx:'))]).toEqual([0, []]);
      expect(run.stdout).toMatch(/ratio project \/ vs stock static: \d/);
      expect(tmp.left()).toEqual([]);
    } finally {
      tmp.remove();
    }
  });

  test.each([
    ['a failure', "throw new Error('broken')", 1],
    ['success', 'return 0', 0],
  ])('the folders a benchmark makes are gone after %s', (_, body, code) => {
    const tmp = freshTmp();
    try {
      // GIVEN a benchmark that makes two folders and then ends in success or failure, as the benchmarks end
      const script = [
        `const { tempDir } = require(${JSON.stringify(path.join(PROJECT_ROOT, 'bench/run.ts'))});`,
        `const { runCommand } = require(${JSON.stringify(path.join(PROJECT_ROOT, 'tools/cli/command.ts'))});`,
        "runCommand('bench', async () => { tempDir('bench-synth-'); tempDir('nginx-stock-');",
        `${body}; });`,
      ].join('\n');
      const run = spawnSync(process.execPath, ['--import', TSX, '-e', script], {
        cwd: PROJECT_ROOT,
        env: { ...process.env, TMPDIR: tmp.dir },
        encoding: 'utf8',
      });
      // THEN it ended as told, and the temporary directory is as empty as before
      expect(run.status).toBe(code);
      expect(tmp.left()).toEqual([]);
    } finally {
      tmp.remove();
    }
  });
});
