// `npm run bench`: synth time of the full app against an empty CDK app, and the wall time of `npm test`.
// Both apps run through the same CLI command in alternation, so machine noise hits both alike.
import { CommandError, parseCommandLine, runCommand } from '../tools/cli/command';
import { copyFileSync, rmSync, symlinkSync } from 'node:fs';
import * as path from 'node:path';
import { stepBundle } from '../pipeline/steps';
import { bundleSteps } from '../tools/planning/bundle-steps';
import { median, tempDir, timeCommand } from './run';

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
  symlinkSync(path.resolve('tools'), path.join(checkout, 'tools'));
  symlinkSync(path.resolve('config'), path.join(checkout, 'config'));
  symlinkSync(path.resolve('pipeline'), path.join(checkout, 'pipeline'));
  symlinkSync(path.resolve('stages'), path.join(checkout, 'stages'));
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
usage: npm run bench -- [--runs N] [--skip-tests]

Times whole-process synth of the app against an empty CDK app, alternating, and then one npm test.

  --runs N        runs of each app (default 3)
  --skip-steps    do not time a step's install-and-start (npm ci + tsx against node bundle.js)
  --skip-tests    do not time npm test
  --help          print this and do nothing
`,
  options: { runs: { type: 'string' }, 'skip-tests': { type: 'boolean' }, 'skip-steps': { type: 'boolean' } },
} as const;

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

runCommand(SPEC.name, async () => {
  const parsed = parseCommandLine(SPEC, process.argv.slice(2));
  if (!parsed) return 0;
  const RUNS = Number(parsed.values.runs ?? 3);
  if (!Number.isInteger(RUNS) || RUNS < 1 || RUNS > 50) {
    throw new CommandError(`--runs is "${parsed.values.runs}"; expected a whole number from 1 to 50`);
  }
  const full: number[] = [];
  const empty: number[] = [];
  process.stderr.write(`… synth: ${RUNS} runs each of the full app and an empty app\n`);
  for (let i = 0; i < RUNS; i++) {
    empty.push(timeCommand('npx', cdkSynth('node --import tsx bench/empty-app.ts')));
    full.push(timeCommand('npx', cdkSynth()));
    process.stderr.write(`  run ${i + 1}: empty ${empty[i].toFixed(2)} s, full ${full[i].toFixed(2)} s\n`);
  }
  const ratio = median(full) / median(empty);
  console.log(
    `synth, whole process (median of ${RUNS}): full ${median(full).toFixed(2)} s, empty ${median(empty).toFixed(2)} s`,
  );
  console.log(`synth ratio full/empty: ${ratio.toFixed(2)} (target <= 1.5)`);

  if (!parsed.values['skip-steps']) timeStepStarts();
  if (parsed.values['skip-tests']) return 0;
  process.stderr.write('… npm test, once\n');
  const testSeconds = timeCommand('npm', ['test', '--silent']);
  console.log(`npm test wall time: ${testSeconds.toFixed(1)} s (target <= 120 s)`);
  return 0;
});
