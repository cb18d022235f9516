// The command host runs a command as a real process would: its exit code, its output, an uncaught error, and what
// it leaves running are what a real run shows, or are reported.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runTool, runToolsInOneProcess } from './run-tool';

const FIXTURE = 'test/helpers/fixtures/command.fixture.ts';

describe('runToolsInOneProcess', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'command-host-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const cases = [
    { script: FIXTURE, args: ['exit', 'a', 'b'], env: { FIXTURE_VALUE: 'one' }, cwd: dir },
    { script: FIXTURE, args: ['main'] },
    { script: FIXTURE, args: ['throw'] },
    { script: FIXTURE, args: ['exit', 'c'], env: { FIXTURE_VALUE: 'two' } },
    { script: FIXTURE, args: ['timer'] },
    { script: FIXTURE, args: ['hang'], timeoutSeconds: 1 },
  ];
  // WHEN the cases run one after another in one process, and the first three each in a real process too
  const hosted = runToolsInOneProcess(cases);
  const real = Promise.all(cases.slice(0, 3).map((c) => runTool(c.script, c.args, c.env, c.cwd)));

  test('each run has its own arguments, environment and folder, and ends at its exit with its code', async () => {
    const [first, , , fourth] = await hosted;
    expect([first.code, first.stdout, first.stderr]).toEqual([3, 'out a b\n', `fixture: failed with one in ${dir}\n`]);
    expect([fourth.code, fourth.stdout, fourth.stderr]).toEqual([
      3,
      'out c\n',
      `fixture: failed with two in ${path.resolve(__dirname, '../..')}\n`,
    ]);
  });

  test('runs the command as the main module, each time anew', async () => {
    const [, main] = await hosted;
    expect([main.code, main.stdout]).toEqual([0, 'main true\n']);
  });

  test('gives what a real process gives: code, output, and the stack of an uncaught error', async () => {
    const runs = await hosted;
    const realRuns = await real;
    for (const [i, realRun] of realRuns.entries()) {
      const hostedRun = runs[i];
      const shape = (r: { code: number; stdout: string; stderr: string }) => ({
        code: r.code,
        stdout: r.stdout,
        stderr: r.stderr.includes('thrown, never caught') ? 'a stack' : r.stderr,
        trace: /^\s+at .+:\d+:\d+\)?$/m.test(r.stderr),
      });
      expect(shape(hostedRun)).toEqual(shape(realRun));
    }
    expect(runs[2]).toMatchObject({ code: 1, stderr: expect.stringMatching(/Error: thrown, never caught\n\s+at /) });
  });

  test('names what a run left running, and gives up on a run that does not end', async () => {
    const runs = await hosted;
    // The unreferenced interval keeps nothing alive, in a real process either; the other one is named.
    expect(runs[4]).toMatchObject({ code: 0, leftRunning: ['Timeout'] });
    expect(runs[0].leftRunning).toEqual([]);
    expect(runs[5]).toMatchObject({ code: -1 });
  });
});
