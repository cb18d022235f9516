// `npm run synth`: synthesize every stage with the CDK CLI, then print the plan.
import { spawn } from 'node:child_process';
import { formatPlan, readPlan } from './plan';
import { Progress } from './progress';

const DEFAULT_OUTDIR = 'cdk.out';

/**
 * Runs `cdk synth '**'`. The glob matters: a plain `cdk synth` skips validation findings (cdk-nag) in
 * stacks nested in Stages and exits 0, and every workload stack of this app lives in a Stage.
 */
function runCdkSynth(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('npx', ['cdk', 'synth', '**', '--quiet', '--no-notices', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

async function main(): Promise<number> {
  const progress = new Progress("Synthesizing every stage (cdk synth '**')");
  // Extra arguments go to `cdk synth`, such as `-c config=config/staging.json` or `--output dir`.
  const args = process.argv.slice(2);
  const outputAt = args.indexOf('--output');
  const outdir = outputAt >= 0 ? args[outputAt + 1] : DEFAULT_OUTDIR;
  const { code, output } = await runCdkSynth(outputAt >= 0 ? args : [...args, '--output', outdir]);
  progress.done(code === 0);
  if (code !== 0) {
    // A config error is one line already; anything else needs the CLI's own report.
    const configProblem = /Invalid configuration: .*/.exec(output)?.[0];
    if (!configProblem) process.stderr.write(output);
    console.error(`synth: ${configProblem ?? 'cdk synth failed; its report is above'}`);
    return 1;
  }
  console.log(`\nPlan (${outdir}):\n${formatPlan(readPlan(outdir))}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: Error) => {
    console.error(`synth: ${e.message}`);
    process.exit(1);
  },
);
