// `npm run bootstrap [-- --dry-run] [-- --config FILE]`: prepare every configured account for the pipeline.
// For each account: install a least-privilege CloudFormation execution policy, then `cdk bootstrap` it so
// that the tooling account may deploy (--trust) and look up (--trust-for-lookup) there.
import { spawn } from 'node:child_process';
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
import { ConfigError, DEFAULT_CONFIG_PATH, loadConfig, type DeployConfig } from '../config/load';
import { executionPolicy, type AccountRole, type PolicyDocument } from './bootstrap-policies';

/** A bootstrap failure, with a one-line reason that says which accounts are done and which are not. */
export class BootstrapError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BootstrapError';
  }
}

/** One account to bootstrap, with everything the commands need. */
export interface BootstrapTarget {
  readonly account: string;
  readonly roles: readonly AccountRole[];
  readonly profile?: string;
  readonly policyName: string;
  readonly policyArn: string;
  readonly policy: PolicyDocument;
  /** `npx` arguments of the bootstrap command. */
  readonly command: readonly string[];
}

/** Every configured account once, tooling first, with the roles it plays and its bootstrap command. */
export function bootstrapTargets(config: DeployConfig): BootstrapTarget[] {
  const roles = new Map<string, AccountRole[]>();
  const add = (account: string, role: AccountRole) => roles.set(account, [...(roles.get(account) ?? []), role]);
  add(config.toolingAccount, 'tooling');
  add(config.registry.account, 'registry');
  for (const env of config.environments)
    if (!roles.get(env.account)?.includes('workload')) add(env.account, 'workload');

  const { partition } = config;
  const policyName = `${config.projectName}-cdk-execution`;
  return [...roles.entries()].map(([account, accountRoles]) => {
    const profile = config.profiles[account];
    const policyArn = `arn:${partition}:iam::${account}:policy/${policyName}`;
    const trust =
      account === config.toolingAccount
        ? []
        : ['--trust', config.toolingAccount, '--trust-for-lookup', config.toolingAccount];
    return {
      account,
      roles: accountRoles,
      profile,
      policyName,
      policyArn,
      policy: executionPolicy(
        {
          partition,
          account,
          region: config.region,
          projectName: config.projectName,
          repositoryName: config.registry.repositoryName,
        },
        accountRoles,
      ),
      command: [
        'cdk',
        'bootstrap',
        `aws://${account}/${config.region}`,
        ...(profile ? ['--profile', profile] : []),
        ...trust,
        '--cloudformation-execution-policies',
        policyArn,
      ],
    };
  });
}

/** Creates the policy, or makes the document its new default version (IAM keeps at most 5). */
async function upsertPolicy(iam: IAMClient, target: BootstrapTarget): Promise<'created' | 'updated'> {
  const document = JSON.stringify(target.policy);
  try {
    await iam.send(
      new CreatePolicyCommand({
        PolicyName: target.policyName,
        PolicyDocument: document,
        Description: 'CDK CloudFormation execution policy',
      }),
    );
    return 'created';
  } catch (error) {
    if ((error as Error).name !== 'EntityAlreadyExistsException') throw error;
  }
  const versions = (await iam.send(new ListPolicyVersionsCommand({ PolicyArn: target.policyArn }))).Versions ?? [];
  if (versions.length >= 5) {
    const oldest = versions.filter((v) => !v.IsDefaultVersion).sort((a, b) => +a.CreateDate! - +b.CreateDate!)[0];
    await iam.send(new DeletePolicyVersionCommand({ PolicyArn: target.policyArn, VersionId: oldest.VersionId }));
  }
  await iam.send(
    new CreatePolicyVersionCommand({ PolicyArn: target.policyArn, PolicyDocument: document, SetAsDefault: true }),
  );
  return 'updated';
}

function run(args: readonly string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn('npx', [...args], { stdio: 'inherit' });
    child.on('error', () => resolve(127));
    child.on('close', (code) => resolve(code ?? 1));
  });
}

export function describeTarget(target: BootstrapTarget, policyFile: string): string {
  return [
    `# ${target.account} (${target.roles.join(', ')})${target.profile ? `, profile ${target.profile}` : ''}`,
    `#   execution policy ${target.policyArn}: create or update from ${policyFile}`,
    `npx ${target.command.join(' ')}`,
  ].join('\n');
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const dryRun = args.includes('--dry-run');
  const configAt = args.indexOf('--config');
  const config = loadConfig(configAt >= 0 ? args[configAt + 1] : DEFAULT_CONFIG_PATH);
  const unknown = args.filter((a, i) => a !== '--dry-run' && a !== '--config' && args[i - 1] !== '--config');
  if (unknown.length > 0)
    throw new ConfigError(`unknown argument ${unknown[0]}; usage: bootstrap [--dry-run] [--config FILE]`);

  const targets = bootstrapTargets(config);
  const policyDir = path.join('cdk.out', 'bootstrap');
  mkdirSync(policyDir, { recursive: true });
  console.log(`${dryRun ? 'Would bootstrap' : 'Bootstrapping'} ${targets.length} account(s) in ${config.region}:\n`);
  const done: string[] = [];
  for (const target of targets) {
    const policyFile = path.join(policyDir, `${target.account}-execution-policy.json`);
    writeFileSync(policyFile, `${JSON.stringify(target.policy, null, 2)}\n`);
    console.log(describeTarget(target, policyFile));
    if (dryRun) continue;
    const left = targets.filter((t) => t !== target && !done.includes(t.account)).map((t) => t.account);
    const stop = (why: string) => {
      const state = done.length ? `bootstrapped: ${done.join(', ')}` : 'nothing was bootstrapped';
      throw new BootstrapError(`${target.account}: ${why}; ${state}; not yet: ${[target.account, ...left].join(', ')}`);
    };
    const iam = new IAMClient({
      region: config.region,
      credentials: target.profile ? fromIni({ profile: target.profile }) : undefined,
    });
    const outcome = await upsertPolicy(iam, target).catch((e: Error) =>
      stop(`the execution policy failed: ${e.name}: ${e.message}`),
    );
    console.log(`  policy ${outcome}`);
    const code = await run(target.command);
    if (code !== 0) stop(`cdk bootstrap exited ${code}`);
    done.push(target.account);
  }
  console.log(
    dryRun
      ? '\nDry run: nothing was changed. Policies for review are in cdk.out/bootstrap/.'
      : '\nAll accounts bootstrapped.',
  );
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: Error) => {
      console.error(
        `bootstrap: ${error instanceof ConfigError || error instanceof BootstrapError ? error.message : `${error.name}: ${error.message}`}`,
      );
      process.exit(1);
    },
  );
}
