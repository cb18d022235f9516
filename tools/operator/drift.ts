// `npm run drift [-- --config FILE] [--profile NAME] [--timeout S]`: CloudFormation drift detection on every stack the
// app deploys, each in its own account through that account's CDK lookup role (ReadOnlyAccess, which allows
// cloudformation:Detect*, Describe* and Get*), reporting real drift only: what ECS rewrites by design after a
// blue/green, canary or linear deployment (ecs-owned.ts) is not drift. Exit 0 in sync, 2 on drift, 1 when a stack
// could not be checked. The scheduled drift workflow opens or updates one issue on exit 2.
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DEFAULT_CONFIG_PATH, loadConfig, type DeployConfig } from '../../config/load';
import {
  cdkRoleName,
  environmentStackNames,
  githubOidcStackName,
  lookupRoleArn,
  pipelineStackName,
  registryStackName,
} from '../../config/names';
import { awsBoundsText, boundedClient, describeAwsFailure } from '../cli/aws';
import { parseCommandLine, runCommand, seconds } from '../cli/command';
import { configFlag } from '../cli/config-flag';
import { Progress } from '../cli/progress';
import { profileName } from './aws-profile';
import { detectAll } from './drift-detection';
import { EXIT_FAILED, formatReport, type DriftTarget } from './drift-report';
import { lookupRoleCredentials } from './lookup-role';

/** The exit codes, which the drift workflow tells apart. */
export { EXIT_DRIFTED, EXIT_FAILED, EXIT_IN_SYNC } from './drift-report';

/**
 * Every stack the app deploys, in deployment order: the registry, each environment's network and service, the
 * pipeline, and the GitHub OIDC stack when the config names a repository, by the names in config/names.ts;
 * drift.test.ts holds this list to the stacks of the app itself.
 */
export function driftTargets(config: DeployConfig): DriftTarget[] {
  return [
    { stackName: registryStackName(config), account: config.registry.account },
    ...config.environments.flatMap((environment) =>
      Object.values(environmentStackNames(config.projectName, environment.name)).map((stackName) => ({
        stackName,
        account: environment.account,
      })),
    ),
    { stackName: pipelineStackName(config), account: config.toolingAccount },
    ...(config.github ? [{ stackName: githubOidcStackName(config), account: config.toolingAccount }] : []),
  ];
}

const SPEC = {
  name: 'drift',
  usage: `
usage: npm run drift -- [--config FILE] [--profile NAME] [--timeout SECONDS]

Runs CloudFormation drift detection on every stack the app deploys (the registry, each environment's network
and service, the pipeline, the GitHub OIDC stack), each through the CDK lookup role of its account
(${cdkRoleName('lookup', '<account>', '<region>')}, ReadOnlyAccess), and prints one line per drifted resource
with each property path. What ECS rewrites by design after a blue/green, canary or linear deployment is left
out: the production and test listener rules' forwards while they stay within their two target groups, and the
registrations in both groups.

Exit status: 0 in sync, 2 drift found, 1 a stack could not be checked (or bad input).

  --config FILE      the deployment configuration (default ${DEFAULT_CONFIG_PATH}): stacks, accounts, region
  --profile NAME     the AWS CLI profile of the tooling account, whose principals the lookup roles trust
                     (default: the usual AWS credentials, as in the drift workflow)
  --timeout SECONDS  how long all detections may take together (default 900)
  --help             print this and do nothing

${awsBoundsText()} Each detection is polled every 5 s until the timeout.
`,
  options: {
    config: { type: 'string' },
    profile: { type: 'string' },
    timeout: { type: 'string' },
  },
} as const;

async function main(): Promise<number> {
  const parsed = parseCommandLine(SPEC, process.argv.slice(2));
  if (!parsed) return 0;
  const configPath = configFlag(parsed.values.config);
  const timeoutSeconds = seconds('--timeout', parsed.values.timeout, 900);
  const profile = profileName(parsed.values.profile);
  const config = loadConfig(configPath);
  for (const warning of config.warnings) process.stderr.write(`drift warning: ${warning}\n`);

  const { region, partition } = config;
  const credentialsOf = lookupRoleCredentials(config, { profile, sessionName: 'drift' });
  const clients = new Map<string, CloudFormationClient>();
  const clientFor = (account: string) => {
    if (!clients.has(account)) {
      clients.set(account, boundedClient(CloudFormationClient, { region, credentials: credentialsOf(account) }));
    }
    return clients.get(account)!;
  };
  const targets = driftTargets(config);
  const accounts = new Set(targets.map((t) => t.account)).size;
  const progress = new Progress(`detecting drift on ${targets.length} stacks in ${accounts} account(s)`);
  // One AssumeRole per account, bounded like every call: an account whose role refuses, or whose STS never answers,
  // costs one call, not one per stack.
  const refusal = async (account: string) => {
    try {
      await clientFor(account).config.credentials();
      return undefined;
    } catch (error) {
      return describeAwsFailure(`STS AssumeRole of ${lookupRoleArn(partition, account, region)}`, error);
    }
  };
  const reports = await detectAll(targets, clientFor, { deadline: Date.now() + timeoutSeconds * 1000 }, refusal);
  const { lines, code } = formatReport(reports);
  progress.done(code !== EXIT_FAILED);
  for (const line of lines) console.log(line);
  return code;
}

if (require.main === module) runCommand(SPEC.name, main);
