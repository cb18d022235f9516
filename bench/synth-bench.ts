// `npm run bench`: two ratios of wall times, each measured in one run, so that machine noise hits both sides alike:
// - synth: a full `cdk synth '**'` of the app against an empty CDK app with the same App options (bench/empty-app.ts),
//   both through the same CLI command, in alternation;
// - tests: `npm test` against one `npm run synth`.
// With --baseline REF, the same figures for a checkout of REF too, side by side in the same run: before and after.
import { copyFileSync, existsSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import * as path from 'node:path';
import { CommandError, parseCommandLine, runCommand, shorten } from '../tools/cli/command';
import { stepBundle } from '../config/names';
import { runProcessSync, succeeded } from '../tools/cli/process';
import { bundleSteps } from '../tools/build/bundle-steps';
import { median, runTimed, tempDir, timeCommand, type TimedRun } from './run';

const PROJECT_ROOT = path.resolve(__dirname, '..');

/**
 * What a pipeline step costs before it does anything: before the bundles, \`npm ci\` of the whole project and a
 * tsx start; now a plain node start of the bundle. Both run the smoke test's --help, side by side in one run.
 */
function timeStepStarts(): void {
  const assembly = tempDir('bench-steps-');
  const bundles = bundleSteps(assembly);
  for (const b of bundles) console.log(`bundle ${path.basename(b.file)}: ${(b.bytes / 1024).toFixed(0)} KiB`);
  const checkout = tempDir('bench-checkout-');
  for (const file of ['package.json', 'package-lock.json']) copyFileSync(file, path.join(checkout, file));
  // The step's sources and what they import.
  for (const folder of ['tools', 'runtime', 'config', 'pipeline', 'stages']) {
    symlinkSync(path.resolve(folder), path.join(checkout, folder));
  }
  process.stderr.write('… a step before: npm ci of the project, then tsx\n');
  const install = timeCommand('npm', ['ci', '--no-audit', '--no-fund', '--prefix', checkout]);
  const tsxStart = timeCommand(path.join(checkout, 'node_modules/.bin/tsx'), [
    path.join(checkout, 'tools/pipeline-steps/smoke-test.ts'),
    '--help',
  ]);
  const nodeStart = timeCommand(process.execPath, [path.join(assembly, stepBundle('smoke-test')), '--help']);
  for (const dir of [checkout, assembly]) rmSync(dir, { recursive: true, force: true });
  console.log(
    `step start, before: npm ci ${install.toFixed(1)} s + tsx ${tsxStart.toFixed(2)} s; after: node bundle ${nodeStart.toFixed(2)} s; ratio ${((install + tsxStart) / nodeStart).toFixed(0)}x`,
  );
}

const SPEC = {
  name: 'bench',
  usage: `
usage: npm run bench -- [--runs N] [--baseline REF] [--skip-steps] [--skip-tests]

Times whole-process synth of the app against an empty CDK app, alternating, then npm test against npm run synth.
Each figure is a ratio of wall times measured in one run; CPU seconds (the command and all it started) beside it.

  --runs N          synth runs of each app (default 3)
  --baseline REF    also measure a checkout of REF (a commit, a tag, HEAD~3), side by side: before and after
                    (it runs with this checkout's node_modules)
  --skip-steps      do not time a step's install-and-start (npm ci + tsx against node bundle.js)
  --skip-tests      do not time npm test
  --help            print this and do nothing
`,
  options: {
    runs: { type: 'string' },
    baseline: { type: 'string' },
    'skip-tests': { type: 'boolean' },
    'skip-steps': { type: 'boolean' },
  },
} as const;

/** A tree the figures are measured in: this checkout, or a checkout of the baseline. */
interface Tree {
  readonly label: string;
  readonly dir: string;
}

/** A checkout of REF in the run's temporary folder, with this checkout's node_modules (and .venv, if any). */
function checkoutOf(ref: string): Tree {
  const resolved = runProcessSync('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], {
    cwd: PROJECT_ROOT,
  });
  if (resolved.code !== 0)
    throw new CommandError(`--baseline is "${shorten(ref)}"; expected a commit of this repository`);
  const commit = resolved.stdout.trim();
  const dir = tempDir('bench-baseline-');
  succeeded('git clone', runProcessSync('git', ['clone', '--quiet', '--shared', '--no-checkout', PROJECT_ROOT, dir]));
  succeeded('git checkout', runProcessSync('git', ['checkout', '--quiet', '--detach', commit], { cwd: dir }));
  for (const shared of ['node_modules', '.venv']) {
    if (existsSync(path.join(PROJECT_ROOT, shared)))
      symlinkSync(path.join(PROJECT_ROOT, shared), path.join(dir, shared));
  }
  return { label: `before (${commit.slice(0, 7)})`, dir };
}

const cdkSynth = (app?: string) => [
  'cdk',
  'synth',
  '**',
  '--quiet',
  '--no-notices',
  '--output',
  tempDir('bench-synth-'),
  ...(app ? ['--app', app] : []),
];

/**
 * The empty app of this checkout, run as the tree runs its own app (cdk.json's command with the entry file
 * replaced): the same Node loader on both sides, so that the ratio is what the project's constructs cost.
 */
function emptyAppCommand(tree: Tree): string {
  const app = (JSON.parse(readFileSync(path.join(tree.dir, 'cdk.json'), 'utf8')) as { app: string }).app;
  const entry = /\S+\.ts$/.exec(app);
  if (!entry)
    throw new CommandError(`cdk.json's app in ${tree.label} is "${shorten(app)}"; expected it to end in a .ts entry`);
  return `${app.slice(0, entry.index)}${path.join(PROJECT_ROOT, 'bench/empty-app.ts')}`;
}

const cpu = (runs: readonly TimedRun[]) =>
  runs.every((r) => r.cpuSeconds !== undefined) ? median(runs.map((r) => r.cpuSeconds!)) : undefined;
const ratioText = (wall: number, cpuRatio: number | undefined) =>
  `${wall.toFixed(2)}${cpuRatio === undefined ? '' : ` (CPU ${cpuRatio.toFixed(2)})`}`;

function benchSynth(trees: readonly Tree[], runs: number): void {
  const full = new Map(trees.map((t) => [t, [] as TimedRun[]]));
  const empty = new Map(trees.map((t) => [t, [] as TimedRun[]]));
  process.stderr.write(`… synth: ${runs} runs each of the full app and an empty app, in ${trees.length} tree(s)\n`);
  for (let i = 0; i < runs; i++) {
    for (const tree of trees) {
      const e = succeeded('the empty app', runTimed('npx', cdkSynth(emptyAppCommand(tree)), { cwd: tree.dir }));
      const f = succeeded(`synth in ${tree.label}`, runTimed('npx', cdkSynth(), { cwd: tree.dir }));
      empty.get(tree)!.push(e);
      full.get(tree)!.push(f);
      process.stderr.write(
        `  run ${i + 1}, ${tree.label}: empty ${e.seconds.toFixed(2)} s, full ${f.seconds.toFixed(2)} s\n`,
      );
    }
  }
  for (const tree of trees) {
    const [f, e] = [full.get(tree)!, empty.get(tree)!];
    const wall = median(f.map((r) => r.seconds)) / median(e.map((r) => r.seconds));
    const [fc, ec] = [cpu(f), cpu(e)];
    console.log(
      `synth, ${tree.label}, whole process (median of ${runs}): full ${median(f.map((r) => r.seconds)).toFixed(2)} s, ` +
        `empty ${median(e.map((r) => r.seconds)).toFixed(2)} s; ratio full/empty ${ratioText(wall, fc !== undefined && ec ? fc / ec : undefined)} (target <= 1.5)`,
    );
  }
}

/** jest's summary line, "Tests: 1 failed, 480 passed, 481 total". */
const testsLine = (output: string) => /^Tests:\s+(.*)$/m.exec(output)?.[1].trim() ?? 'no summary line';

function benchTests(trees: readonly Tree[]): void {
  const ratios = new Map<Tree, number>();
  const walls = new Map<Tree, { test: number; synth: number }>();
  for (const tree of trees) {
    process.stderr.write(`… ${tree.label}: npm test, then npm run synth\n`);
    const test = runTimed('npm', ['test', '--silent'], { cwd: tree.dir });
    const synth = succeeded(
      `npm run synth in ${tree.label}`,
      runTimed('npm', ['run', 'synth', '--silent', '--', '--output', tempDir('bench-npm-synth-')], { cwd: tree.dir }),
    );
    // A failed run still has a time, but say which files failed: on a busy machine a bound can be missed.
    for (const line of test.output.split('\n').filter((l) => l.startsWith('FAIL '))) console.log(`  ${line}`);
    const wall = test.seconds / synth.seconds;
    ratios.set(tree, wall);
    walls.set(tree, { test: test.seconds, synth: synth.seconds });
    const cpuRatio = test.cpuSeconds !== undefined && synth.cpuSeconds ? test.cpuSeconds / synth.cpuSeconds : undefined;
    console.log(
      `tests, ${tree.label}: npm test ${test.seconds.toFixed(1)} s (exit ${test.code}; ${testsLine(test.output)}), ` +
        `npm run synth ${synth.seconds.toFixed(1)} s; ratio test/synth ${ratioText(wall, cpuRatio)}`,
    );
  }
  if (trees.length === 2) {
    const [before, after] = trees.map((t) => ratios.get(t)!);
    console.log(`tests, ratio before/after: ${(before / after).toFixed(2)} (target >= 2)`);
    // Each tree's ratio divides by its own synth, which the synth work made faster too: say how far each side moved.
    const [b, a] = trees.map((t) => walls.get(t)!);
    console.log(
      `tests, each side alone, before/after: npm test ${(b.test / a.test).toFixed(2)}, npm run synth ${(b.synth / a.synth).toFixed(2)}`,
    );
  }
}

runCommand(SPEC.name, async () => {
  const parsed = parseCommandLine(SPEC, process.argv.slice(2));
  if (!parsed) return 0;
  const RUNS = Number(parsed.values.runs ?? 3);
  if (!Number.isInteger(RUNS) || RUNS < 1 || RUNS > 50) {
    throw new CommandError(`--runs is "${parsed.values.runs}"; expected a whole number from 1 to 50`);
  }
  const baseline = parsed.values.baseline;
  if (baseline !== undefined && baseline.trim() === '') {
    throw new CommandError('--baseline is ""; expected a commit of this repository');
  }
  const trees: Tree[] = [
    ...(baseline === undefined ? [] : [checkoutOf(baseline)]),
    { label: baseline === undefined ? 'this checkout' : 'after (this checkout)', dir: PROJECT_ROOT },
  ];
  benchSynth(trees, RUNS);
  if (!parsed.values['skip-steps']) timeStepStarts();
  if (!parsed.values['skip-tests']) benchTests(trees);
  return 0;
});
