// `npm run status [-- --json] [--config FILE] [--profile NAME] [--timeout S]`: what runs where, read-only. For each
// configured environment: the image tag ECS runs, the service's latest deployment (in progress, completed, rolled
// back, and why), each alarm's state, the URL, and the pipeline's last execution of the environment's stages.
//
// Every read is made as the CDK lookup role of the account that holds the data (lookup-role.ts), never as a deploy
// role. Where an organisation's policy denies one anyway, that part of the report says it is unreadable and why, and
// the rest is still read.
import { DEFAULT_CONFIG_PATH, loadConfig, type DeployConfig } from '../../config/load';
import { cdkRoleName } from '../../config/names';
import { awsBoundsText } from '../cli/aws';
import { CommandError, parseCommandLine, runCommand, seconds } from '../cli/command';
import { configFlag } from '../cli/config-flag';
import { profileName } from './aws-profile';
import { accounts, caller } from './status-calls';
import { environmentStatus } from './status-environment';
import { readPipeline } from './status-pipeline';
import { unreadableParts, type StatusReport } from './status-report';
import { renderScreen } from './status-screen';

/** The whole command's budget, unless --timeout says otherwise: every environment is read side by side. */
const DEFAULT_TIMEOUT_SECONDS = 60;

const SPEC = {
  name: 'status',
  usage: `
usage: npm run status -- [--json] [--config FILE] [--profile NAME] [--timeout SECONDS]

Shows, for each configured environment, what runs there: the image tag of the tasks ECS runs, the service's latest
deployment (in progress, completed, rolled back, with the reason), each alarm's state, the URL, and the pipeline's
last execution of the environment's stages. It reads only, as each account's CDK lookup role
(${cdkRoleName('lookup', '<account>', '<region>')}, ReadOnlyAccess), never as a deploy role; what a role may not
read is shown as unreadable, with the reason, and the rest is still shown.

  --json             print the same report as JSON
  --config FILE      the deployment configuration (default ${DEFAULT_CONFIG_PATH}): accounts, region, pipeline
  --profile NAME     the AWS CLI profile, in the tooling account, that assumes the lookup roles (default: the usual
                     AWS credentials)
  --timeout SECONDS  the most the whole command takes (default ${DEFAULT_TIMEOUT_SECONDS})
  --help             print this and do nothing

${awsBoundsText()} Assuming a role is one such call.
`,
  options: {
    json: { type: 'boolean' },
    config: { type: 'string' },
    profile: { type: 'string' },
    timeout: { type: 'string' },
  },
} as const;

export interface StatusOptions {
  readonly profile?: string;
  /** The whole read's budget. */
  readonly timeoutSeconds: number;
}

/** Reads the whole report: every environment, and the pipeline, side by side. */
export async function readStatus(config: DeployConfig, options: StatusOptions): Promise<StatusReport> {
  const deadline = Date.now() + options.timeoutSeconds * 1000;
  const call = caller(deadline);
  const accountOf = accounts(config, options.profile, deadline);
  const pipeline = accountOf(config.toolingAccount).then((account) => readPipeline(config, account, call));
  const environments = await Promise.all(
    config.environments.map(async (environment) =>
      environmentStatus(
        config,
        environment,
        await accountOf(environment.account),
        call,
        pipeline.then((p) => p.state),
      ),
    ),
  );
  return {
    project: config.projectName,
    region: config.region,
    readAt: new Date().toISOString(),
    pipeline: (await pipeline).summary,
    environments,
  };
}

async function main(): Promise<number> {
  const parsed = parseCommandLine(SPEC, process.argv.slice(2));
  if (!parsed) return 0;
  const { values } = parsed;
  const configPath = configFlag(values.config);
  const profile = profileName(values.profile);
  const timeoutSeconds = seconds('--timeout', values.timeout, DEFAULT_TIMEOUT_SECONDS);
  const config = loadConfig(configPath);

  const report = await readStatus(config, { profile, timeoutSeconds });
  const { count, total, first } = unreadableParts(report);
  if (count === total) {
    // Not one part could be read: the first reason is the whole story (no credentials, no network, no role).
    throw new CommandError(`nothing could be read: ${first}`);
  }
  console.log(values.json ? JSON.stringify(report, null, 2) : renderScreen(report));
  if (count > 0) {
    process.stderr.write(`status warning: ${count} of ${total} parts could not be read; each says why\n`);
  }
  return 0;
}

if (require.main === module) runCommand(SPEC.name, main);
