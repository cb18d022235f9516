// `npm run synth [-- --config FILE] [--output DIR]`: synthesize every stage with the CDK CLI, then print the plan.
import { DEFAULT_CONFIG_PATH, loadConfig } from '../../config/load';
import { CommandError, parseCommandLine, runCommand } from '../cli/command';
import { configFlag } from '../cli/config-flag';
import {
  CONTEXT_FILE,
  PLACEHOLDER_KEY,
  dropPlaceholders,
  placeholderAccounts,
  refusePlaceholders,
  writePlaceholders,
} from '../cli/placeholder-lookups';
import * as path from 'node:path';
import { bundleSteps } from './bundle-steps';
import { controlTowerStatus, controlTowerSummary, readValidationReport } from '../report/control-tower';
import { formatPlan, readPlan } from '../report/plan';
import { runProcess } from '../cli/process';
import { Progress } from '../cli/progress';

const SPEC = {
  name: 'synth',
  usage: `
usage: npm run synth -- [--config FILE] [--output DIR] [--placeholder-lookups | --drop-placeholder-lookups]

Synthesizes the pipeline and every stage (cdk synth '**', with cdk-nag in every stage) and prints the plan.
Needs no AWS credentials: cdk.context.json holds the lookups.

  --config FILE                 the deployment configuration (default ${DEFAULT_CONFIG_PATH}); every command takes it
  --output DIR                  where the cloud assembly goes (default cdk.out)
  --placeholder-lookups         to try an account offline: write made-up lookups (availability zones, the S3 prefix
                                list) into cdk.context.json for each workload account that has none, marked under
                                "${PLACEHOLDER_KEY}"; bootstrap, deploy and the pipeline's synth refuse them
  --drop-placeholder-lookups    remove them again, before recording the real ones with credentials
  --help                        print this and do nothing
`,
  options: {
    config: { type: 'string' },
    output: { type: 'string' },
    'placeholder-lookups': { type: 'boolean' },
    'drop-placeholder-lookups': { type: 'boolean' },
  },
} as const;

/** cdk synth gets this long; a synth takes seconds, a cold one under a minute. */
const SYNTH_TIMEOUT_MS = 10 * 60 * 1000;

/**
 * Runs `cdk synth '**'`. The glob matters: a plain `cdk synth` skips validation findings (cdk-nag) in
 * stacks nested in Stages and exits 0, and every workload stack of this app lives in a Stage.
 */
async function runCdkSynth(args: string[]): Promise<{ code: number; output: string }> {
  const run = await runProcess('npx', ['cdk', 'synth', '**', '--quiet', '--no-notices', ...args], {
    timeoutMs: SYNTH_TIMEOUT_MS,
  });
  if (run.startError) return { code: 127, output: `cannot run the CDK CLI: ${run.startError.message}` };
  return { code: run.code ?? 1, output: run.signal ? `${run.output}\ncdk synth stopped by ${run.signal}` : run.output };
}

/**
 * When an account's lookups (availability zones, the S3 prefix list) are not in cdk.context.json and there are no
 * credentials, the CLI reports it once per stack with a generic annotation. This says it once, with the command that
 * records them for good.
 */
export function missingLookups(output: string, configPath: string): string | undefined {
  const accounts = [
    ...new Set([...output.matchAll(/Need to perform AWS calls for account (\d{12})/g)].map((m) => m[1])),
  ];
  if (accounts.length === 0) return undefined;
  let region = '<region>';
  let profiles: Readonly<Record<string, string>> = {};
  try {
    ({ region, profiles } = loadConfig(configPath));
  } catch {
    // The config loaded in the app, or synth would have said so; the message still names the accounts.
  }
  const config = configPath === DEFAULT_CONFIG_PATH ? '' : ` -c config=${configPath}`;
  const commands = accounts.map(
    (a) => `npx cdk synth '**'${config} --profile ${profiles[a] ?? '<profile of ' + a + '>'}`,
  );
  const flag = configPath === DEFAULT_CONFIG_PATH ? '' : ` --config ${configPath}`;
  return (
    `cdk.context.json has no lookups for account ${accounts.join(', ')} in ${region}; ` +
    `record them once with credentials, then commit cdk.context.json: ${commands.join('; ')}; ` +
    `or try it offline with made-up ones, which nothing deploys: npm run synth --${flag} --placeholder-lookups`
  );
}

async function main(): Promise<number> {
  const parsed = parseCommandLine(SPEC, process.argv.slice(2));
  if (!parsed) return 0;
  const outdir = parsed.values.output ?? 'cdk.out';
  const config = parsed.values.config === undefined ? undefined : configFlag(parsed.values.config);
  if (parsed.values['placeholder-lookups'] && parsed.values['drop-placeholder-lookups']) {
    throw new CommandError('--placeholder-lookups and --drop-placeholder-lookups contradict each other; give one');
  }
  // The config loads here too: its settings that change nothing are said once, and placeholders are checked.
  let loaded;
  try {
    loaded = loadConfig(config ?? DEFAULT_CONFIG_PATH);
  } catch (error) {
    throw new CommandError(`Invalid configuration: ${(error as Error).message}`);
  }
  for (const warning of loaded.warnings) process.stderr.write(`synth warning: ${warning}\n`);
  if (parsed.values['drop-placeholder-lookups']) {
    const dropped = dropPlaceholders(loaded);
    console.log(`${CONTEXT_FILE}: placeholder lookups removed for ${dropped.join(', ') || 'no account'}`);
  }
  if (parsed.values['placeholder-lookups']) {
    const written = writePlaceholders(loaded);
    console.log(
      written.length
        ? `${CONTEXT_FILE}: PLACEHOLDER lookups written for account ${written.join(', ')}; made up, to try it offline`
        : `${CONTEXT_FILE}: every configured account has lookups; no placeholder written`,
    );
  }
  // The pipeline's Synth step runs in CodeBuild: a made-up lookup must never reach a deployment.
  if (process.env.CODEBUILD_BUILD_ID) refusePlaceholders(loaded, 'the pipeline');
  const placeholders = placeholderAccounts(loaded);
  if (placeholders.length > 0) {
    process.stderr.write(
      `synth warning: the lookups of account ${placeholders.join(', ')} are PLACEHOLDERS; this plan is a try-out, ` +
        `and bootstrap, deploy and the pipeline refuse it\n`,
    );
  }
  const progress = new Progress("Synthesizing every stage (cdk synth '**')");
  const { code, output } = await runCdkSynth([...(config ? ['-c', `config=${config}`] : []), '--output', outdir]);
  progress.done(code === 0);
  if (code !== 0) {
    // A config error is one line already, and so is missing lookup context; anything else needs the CLI's report.
    const configProblem = /Invalid configuration: .*/.exec(output)?.[0];
    if (configProblem) throw new CommandError(configProblem);
    const missing = missingLookups(output, config ?? DEFAULT_CONFIG_PATH);
    if (missing) throw new CommandError(missing);
    process.stderr.write(output);
    throw new CommandError('cdk synth failed; its report is above');
  }
  const bundling = new Progress('Bundling the pipeline steps (esbuild)');
  const bundles = bundleSteps(outdir);
  bundling.done(true, bundles.map((b) => `${path.basename(b.file)} ${(b.bytes / 1024).toFixed(0)} KiB`).join(', '));
  const plan = readPlan(outdir);
  const controls = controlTowerStatus(
    plan.flatMap((stage) => stage.stacks.map((stack) => stack.template)),
    readValidationReport(outdir),
  );
  console.log(`\nPlan (${outdir}):\n${formatPlan(plan)}`);
  console.log(
    `\nChecks: cdk-nag AwsSolutions clean; AWS Control Tower: ${controlTowerSummary(controls)} (npm run report lists them)`,
  );
  return 0;
}

if (require.main === module) runCommand(SPEC.name, main);
