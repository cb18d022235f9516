// `npm run bench`: synth time of the full app against an empty CDK app, and the wall time of `npm test`.
// Both apps run through the same CLI command in alternation, so machine noise hits both alike.
import { CommandError, parseCommandLine, runCommand } from '../tools/cli/command';
import { median, tempDir, timeCommand } from './run';

const SPEC = {
  name: 'bench',
  usage: `
usage: npm run bench -- [--runs N] [--skip-tests]

Times whole-process synth of the app against an empty CDK app, alternating, and then one npm test.

  --runs N        runs of each app (default 3)
  --skip-tests    do not time npm test
  --help          print this and do nothing
`,
  options: { runs: { type: 'string' }, 'skip-tests': { type: 'boolean' } },
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

  if (parsed.values['skip-tests']) return 0;
  process.stderr.write('… npm test, once\n');
  const testSeconds = timeCommand('npm', ['test', '--silent']);
  console.log(`npm test wall time: ${testSeconds.toFixed(1)} s (target <= 120 s)`);
  return 0;
});
