import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runProcessSync } from '../../tools/cli/process';

const PROJECT_ROOT = path.join(__dirname, '..', '..');
const CACHE = path.join(PROJECT_ROOT, 'node_modules', '.cache');
const TRANSFORMS = path.join(CACHE, 'ts-transform');
const RESOLUTIONS = path.join(CACHE, 'resolve');
const listTransforms = () => {
  try {
    return readdirSync(TRANSFORMS);
  } catch {
    return [];
  }
};

describe("cdk synth's TypeScript loader (bin/load-typescript.cjs)", () => {
  // Inside the project, so that its packages resolve from there; gone at the end. After `npm ci` the cache folder
  // does not exist until something writes to it, and this file may run first.
  mkdirSync(CACHE, { recursive: true });
  const dir = mkdtempSync(path.join(CACHE, 'load-typescript-test-'));
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

  test('keeps where a require() inside node_modules leads, and follows what it kept', () => {
    const source =
      "const found: unknown = require('constructs');\nconsole.log(typeof found === 'string' ? found : 'the package');";
    expect(run(source).printed).toBe('the package');
    // GIVEN the kept resolution from this folder pointed at another file
    const [kept] = readdirSync(RESOLUTIONS).filter(
      (name) => name.startsWith(process.version) && name.endsWith('.json'),
    );
    const file = path.join(RESOLUTIONS, kept);
    const known = JSON.parse(readFileSync(file, 'utf8')) as Record<string, { url: string }>;
    const fromHere = Object.keys(known).filter((key) => key.startsWith(`${pathToFileURL(dir).href}\0constructs\0`));
    expect(fromHere).toHaveLength(1);
    expect(known[fromHere[0]].url).toBe(pathToFileURL(require.resolve('constructs')).href);
    const marker = path.join(dir, 'marker.js');
    writeFileSync(marker, "module.exports = 'the kept file';\n");
    writeFileSync(file, JSON.stringify({ ...known, [fromHere[0]]: { url: pathToFileURL(marker).href } }));
    // THEN the next run loads what was kept, without resolving again
    expect(run(source).printed).toBe('the kept file');
  });

  test('on a Node older than .nvmrc names, says so in one line and exits 1', () => {
    // GIVEN the loader beside an .nvmrc that asks for a Node newer than any
    const copy = path.join(dir, 'newer');
    mkdirSync(path.join(copy, 'bin'), { recursive: true });
    copyFileSync(path.join(PROJECT_ROOT, 'bin/load-typescript.cjs'), path.join(copy, 'bin/load-typescript.cjs'));
    writeFileSync(path.join(copy, '.nvmrc'), '999\n');
    const result = runProcessSync(
      process.execPath,
      ['--require', path.join(copy, 'bin/load-typescript.cjs'), '-e', ''],
      {
        timeoutMs: 30_000,
      },
    );
    expect({ code: result.code, output: result.output }).toEqual({
      code: 1,
      output: `This project runs on Node 999 (.nvmrc); this is Node ${process.version}. See the README's prerequisites, or run bash .ci/run, which fetches it.\n`,
    });
  });
});
