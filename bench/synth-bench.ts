// `npm run bench`: synth time of the full app against an empty CDK app, and the wall time of `npm test`.
// Both apps run through the same CLI command in alternation, so machine noise hits both alike.
import { median, tempDir, timeCommand } from './run';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
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

if (process.argv.includes('--skip-tests')) process.exit(0);
process.stderr.write('… npm test, once\n');
const testSeconds = timeCommand('npm', ['test', '--silent']);
console.log(`npm test wall time: ${testSeconds.toFixed(1)} s (target <= 120 s)`);
