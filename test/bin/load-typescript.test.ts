import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runProcessSync } from '../../tools/cli/process';

const PROJECT_ROOT = path.join(__dirname, '..', '..');
const TRANSFORMS = path.join(PROJECT_ROOT, 'node_modules', '.cache', 'ts-transform');
const listTransforms = () => {
  try {
    return readdirSync(TRANSFORMS);
  } catch {
    return [];
  }
};

describe("cdk synth's TypeScript loader (bin/load-typescript.cjs)", () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'load-typescript-'));
  const before = new Set(listTransforms());
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    // The entries this test made: a project file's entry is only ever missed, never wrong.
    for (const name of listTransforms().filter((n) => !before.has(n))) rmSync(path.join(TRANSFORMS, name));
  });

  /** Runs a TypeScript file as cdk.json runs the app: what it prints, and whether esbuild was loaded. */
  function run(source: string): { printed: string; esbuildLoaded: boolean } {
    const file = path.join(dir, 'entry.ts');
    writeFileSync(
      file,
      `${source}\nprocess.on('exit', () => console.log(Object.keys(require.cache).some((m) => m.includes('/esbuild/'))));\n`,
    );
    const result = runProcessSync(process.execPath, ['--require', './bin/load-typescript.cjs', file], {
      cwd: PROJECT_ROOT,
      timeoutMs: 30_000,
    });
    // It ran, and printed nothing but its lines: no warning, no stack trace.
    expect({ code: result.code, output: result.output }).toEqual({ code: 0, output: result.stdout });
    const [printed, loaded] = result.stdout.trim().split('\n');
    return { printed, esbuildLoaded: loaded === 'true' };
  }

  test('transforms a file once, and again when its text changes', () => {
    const first = "const answer: string = 'first';\nconsole.log(answer);";
    expect(run(first)).toEqual({ printed: 'first', esbuildLoaded: true });
    // WHEN the same text runs again THEN esbuild is not even loaded
    expect(run(first)).toEqual({ printed: 'first', esbuildLoaded: false });
    // WHEN the text changes THEN it is transformed again
    expect(run("const answer: string = 'second';\nconsole.log(answer);")).toEqual({
      printed: 'second',
      esbuildLoaded: true,
    });
  });
});
