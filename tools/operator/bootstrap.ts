// `npm run bootstrap -- [--dry-run] [--config FILE]`: prepare every configured account for the pipeline.
// For each account: install the permissions boundary and a least-privilege CloudFormation execution policy, then
// `cdk bootstrap` it so that the tooling account may deploy (--trust) and look up (--trust-for-lookup) there.
// Every account runs CDK's own bootstrap template, unchanged: the stacks resolve nothing with the deploy role
// (the service stack reads the network stack's outputs with Fn::GetStackOutput, as its execution role).
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  DeletePolicyVersionCommand,
  IAMClient,
  ListPolicyVersionsCommand,
} from '@aws-sdk/client-iam';
import { fromIni } from '@aws-sdk/credential-providers';
import { DEFAULT_CONFIG_PATH, loadConfig, type DeployConfig } from '../../config/load';
import { executionPolicyName, permissionsBoundaryArn, permissionsBoundaryName, policyArn } from '../../config/names';
import { awsBoundsText, awsCall, boundedClient, boundedClientConfig, describeAwsFailure } from '../cli/aws';
import { CommandError, parseCommandLine, runCommand } from '../cli/command';
import { configFlag } from '../cli/config-flag';
import { refusePlaceholders } from '../cli/placeholder-lookups';
import type { AccountRole, PolicyDocument, PolicyScope } from './bootstrap-policies';
import { runCdkCli } from './cdk-cli';
import { boundaryPolicy } from './boundary-policy';
import { executionPolicy } from './execution-policy';

const SPEC = {
  name: 'bootstrap',
  usage: `
usage: npm run bootstrap -- [--dry-run] [--config FILE]

Prepares every configured account: the permissions boundary and CloudFormation execution policy, then
cdk bootstrap (CDK's own template) with trust for the tooling account and that execution policy.

  --dry-run       print the commands and write what they install to cdk.out/bootstrap/, changing nothing
  --config FILE   the deployment configuration (default ${DEFAULT_CONFIG_PATH}), the same file synth uses
  --help          print this and do nothing

${awsBoundsText()}
`,
  options: { 'dry-run': { type: 'boolean' }, config: { type: 'string' } },
} as const;

/** One account to bootstrap, with everything the commands need. */
export interface BootstrapTarget {
  readonly account: string;
  readonly roles: readonly AccountRole[];
  readonly profile?: string;
  readonly policyName: string;
  readonly policyArn: string;
  readonly policy: PolicyDocument;
  readonly boundaryName: string;
  readonly boundaryArn: string;
  readonly boundary: PolicyDocument;
  /** `npx` arguments of the bootstrap command. */
  readonly command: readonly string[];
}

/** Where the bootstrap tool writes the policies it installs, for review. */
export const BOOTSTRAP_OUTPUT_DIR = path.join('cdk.out', 'bootstrap');
/** Every configured account once, tooling first, with the roles it plays and its bootstrap command. */
export function bootstrapTargets(config: DeployConfig): BootstrapTarget[] {
  const roles = new Map<string, AccountRole[]>();
  const add = (account: string, role: AccountRole) => roles.set(account, [...(roles.get(account) ?? []), role]);
  add(config.toolingAccount, 'tooling');
  add(config.registry.account, 'registry');
  for (const env of config.environments)
    if (!roles.get(env.account)?.includes('workload')) add(env.account, 'workload');

  const { partition } = config;
  const policyName = executionPolicyName(config.projectName);
  return [...roles.entries()].map(([account, accountRoles]) => {
    const profile = config.profiles[account];
    const executionPolicyArn = policyArn(partition, account, policyName);
    const scope: PolicyScope = {
      partition,
      account,
      region: config.region,
      projectName: config.projectName,
      repositoryName: config.registry.repositoryName,
      githubOidc: config.github !== undefined,
      logKeys: config.logEncryption === 'customer-key',
      hostedZoneIds: [
        ...new Set(
          config.environments.filter((e) => e.account === account).flatMap((e) => e.network.hostedZone?.id ?? []),
        ),
      ],
    };
    const trust =
      account === config.toolingAccount
        ? []
        : ['--trust', config.toolingAccount, '--trust-for-lookup', config.toolingAccount];
    return {
      account,
      roles: accountRoles,
      profile,
      policyName,
      policyArn: executionPolicyArn,
      policy: executionPolicy(scope, accountRoles),
      boundaryName: permissionsBoundaryName(config.projectName),
      boundaryArn: permissionsBoundaryArn(partition, account, config.projectName),
      boundary: boundaryPolicy(scope, accountRoles),
      command: [
        'cdk',
        'bootstrap',
        `aws://${account}/${config.region}`,
        ...(profile ? ['--profile', profile] : []),
        ...trust,
        '--cloudformation-execution-policies',
        executionPolicyArn,
      ],
    };
  });
}

interface ManagedPolicy {
  readonly name: string;
  readonly arn: string;
  readonly document: PolicyDocument;
  readonly description: string;
}

/** Creates the policy, or makes the document its new default version (IAM keeps at most 5). */
async function upsertPolicy(iam: IAMClient, policy: ManagedPolicy): Promise<'created' | 'updated'> {
  const document = JSON.stringify(policy.document);
  try {
    await iam.send(
      new CreatePolicyCommand({ PolicyName: policy.name, PolicyDocument: document, Description: policy.description }),
    );
    return 'created';
  } catch (error) {
    if ((error as Error).name !== 'EntityAlreadyExistsException') {
      throw new CommandError(describeAwsFailure('IAM CreatePolicy', error));
    }
  }
  const versions =
    (await awsCall('IAM ListPolicyVersions', () => iam.send(new ListPolicyVersionsCommand({ PolicyArn: policy.arn }))))
      .Versions ?? [];
  if (versions.length >= 5) {
    const oldest = versions.filter((v) => !v.IsDefaultVersion).sort((a, b) => +a.CreateDate! - +b.CreateDate!)[0];
    await awsCall('IAM DeletePolicyVersion', () =>
      iam.send(new DeletePolicyVersionCommand({ PolicyArn: policy.arn, VersionId: oldest.VersionId })),
    );
  }
  await awsCall('IAM CreatePolicyVersion', () =>
    iam.send(new CreatePolicyVersionCommand({ PolicyArn: policy.arn, PolicyDocument: document, SetAsDefault: true })),
  );
  return 'updated';
}

/** The two managed policies bootstrap installs in an account, the boundary first: the execution policy names it. */
function managedPolicies(target: BootstrapTarget): ManagedPolicy[] {
  return [
    {
      name: target.boundaryName,
      arn: target.boundaryArn,
      document: target.boundary,
      description: 'Permissions boundary of every role the project creates',
    },
    {
      name: target.policyName,
      arn: target.policyArn,
      document: target.policy,
      description: 'CDK CloudFormation execution policy',
    },
  ];
}

export function describeTarget(target: BootstrapTarget, files: { boundary: string; policy: string }): string {
  return [
    `# ${target.account} (${target.roles.join(', ')})${target.profile ? `, profile ${target.profile}` : ''}`,
    `#   permissions boundary ${target.boundaryArn}: create or update from ${files.boundary}`,
    `#   execution policy ${target.policyArn}: create or update from ${files.policy}`,
    `#   bootstrap template: the CDK CLI's own, unchanged (a later stock cdk bootstrap takes nothing away)`,
    `npx ${target.command.join(' ')}`,
  ].join('\n');
}

async function main(): Promise<number> {
  const parsed = parseCommandLine(SPEC, process.argv.slice(2));
  if (!parsed) return 0;
  const dryRun = parsed.values['dry-run'] === true;
  const config = loadConfig(configFlag(parsed.values.config));
  if (!dryRun) refusePlaceholders(config, 'bootstrap');

  const targets = bootstrapTargets(config);
  mkdirSync(BOOTSTRAP_OUTPUT_DIR, { recursive: true });
  console.log(`${dryRun ? 'Would bootstrap' : 'Bootstrapping'} ${targets.length} account(s) in ${config.region}:\n`);
  const done: string[] = [];
  for (const target of targets) {
    const files = {
      boundary: path.join(BOOTSTRAP_OUTPUT_DIR, `${target.account}-permissions-boundary.json`),
      policy: path.join(BOOTSTRAP_OUTPUT_DIR, `${target.account}-execution-policy.json`),
    };
    writeFileSync(files.boundary, `${JSON.stringify(target.boundary, null, 2)}\n`);
    writeFileSync(files.policy, `${JSON.stringify(target.policy, null, 2)}\n`);
    console.log(describeTarget(target, files));
    if (dryRun) continue;
    const left = targets.filter((t) => t !== target && !done.includes(t.account)).map((t) => t.account);
    // A failure's one line says which accounts are done and which are not.
    const stop = (why: string) => {
      const state = done.length ? `bootstrapped: ${done.join(', ')}` : 'nothing was bootstrapped';
      throw new CommandError(`${target.account}: ${why}; ${state}; not yet: ${[target.account, ...left].join(', ')}`);
    };
    const iam = boundedClient(IAMClient, {
      region: config.region,
      // A profile that assumes a role calls STS through a client of the provider's own: bounded too.
      credentials: target.profile
        ? fromIni({ profile: target.profile, clientConfig: boundedClientConfig({ region: config.region }) })
        : undefined,
    });
    for (const policy of managedPolicies(target)) {
      const outcome = await upsertPolicy(iam, policy).catch((e: Error) => stop(`policy ${policy.name}: ${e.message}`));
      console.log(`  ${policy.name} ${outcome}`);
    }
    // A bootstrap stack deploys in a few minutes; half an hour bounds it.
    const code = await runCdkCli(target.command, 30 * 60 * 1000);
    if (code !== 0) stop(`cdk bootstrap exited ${code}`);
    done.push(target.account);
  }
  console.log(
    dryRun
      ? `\nDry run: nothing was changed. The policies for review are in ${BOOTSTRAP_OUTPUT_DIR}/.`
      : '\nAll accounts bootstrapped.',
  );
  return 0;
}

if (require.main === module) runCommand(SPEC.name, main);
