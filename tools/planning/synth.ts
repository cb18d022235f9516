// `npm run synth [-- --config FILE] [--output DIR]`: synthesize every stage with the CDK CLI, then print the plan.
import { spawn } from 'node:child_process';
import { DEFAULT_CONFIG_PATH } from '../../config/load';
import { CommandError, parseCommandLine, runCommand } from '../cli/command';
import { formatPlan, readPlan } from './plan';
import { Progress } from '../cli/progress';

const SPEC = {
  name: 'synth',
  usage: `
usage: npm run synth -- [--config FILE] [--output DIR]

Synthesizes the pipeline and every stage (cdk synth '**', with cdk-nag in every stage) and prints the plan.
Needs no AWS credentials: cdk.context.json holds the lookups.

  --config FILE   the deployment configuration (default ${DEFAULT_CONFIG_PATH}); every command takes the same flag
  --output DIR    where the cloud assembly goes (default cdk.out)
  --help          print this and do nothing
`,
  options: { config: { type: 'string' }, output: { type: 'string' } },
} as const;

/** cdk synth gets this long; a synth takes seconds, a cold one under a minute. */
const SYNTH_TIMEOUT_MS = 10 * 60 * 1000;

/**
 * Runs `cdk synth '**'`. The glob matters: a plain `cdk synth` skips validation findings (cdk-nag) in
 * stacks nested in Stages and exits 0, and every workload stack of this app lives in a Stage.
 */
function runCdkSynth(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('npx', ['cdk', 'synth', '**', '--quiet', '--no-notices', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: SYNTH_TIMEOUT_MS,
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (e) => resolve({ code: 127, output: `cannot run the CDK CLI: ${e.message}` }));
    child.on('close', (code, signal) =>
      resolve({ code: code ?? 1, output: signal ? `${output}\ncdk synth stopped by ${signal}` : output }),
    );
  });
}

async function main(): Promise<number> {
  const parsed = parseCommandLine(SPEC, process.argv.slice(2));
  if (!parsed) return 0;
  const outdir = parsed.values.output ?? 'cdk.out';
  const config = parsed.values.config;
  const progress = new Progress("Synthesizing every stage (cdk synth '**')");
  const { code, output } = await runCdkSynth([...(config ? ['-c', `config=${config}`] : []), '--output', outdir]);
  progress.done(code === 0);
  if (code !== 0) {
    // A config error is one line already; anything else needs the CLI's own report.
    const configProblem = /Invalid configuration: .*/.exec(output)?.[0];
    if (!configProblem) process.stderr.write(output);
    throw new CommandError(configProblem ?? 'cdk synth failed; its report is above');
  }
  console.log(`\nPlan (${outdir}):\n${formatPlan(readPlan(outdir))}`);
  return 0;
}

runCommand(SPEC.name, main);
