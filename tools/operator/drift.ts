// `npm run drift [-- --config FILE] [--profile NAME] [--timeout S]`: CloudFormation drift detection on every stack the
// app deploys, each in its own account through that account's CDK lookup role (ReadOnlyAccess, which allows
// cloudformation:Detect*, Describe* and Get*), reporting real drift only: what ECS rewrites by design after a
// blue/green, canary or linear deployment (ecs-owned.ts) is not drift. Exit 0 in sync, 2 on drift, 1 when a stack
// could not be checked. The scheduled drift workflow opens or updates one issue on exit 2.
import {
  CloudFormationClient,
  DescribeStackDriftDetectionStatusCommand,
  DescribeStackResourceDriftsCommand,
  DetectStackDriftCommand,
  GetTemplateCommand,
  type StackResourceDrift,
} from '@aws-sdk/client-cloudformation';
import { fromIni, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { DEFAULT_CONFIG_PATH, loadConfig, type DeployConfig } from '../../config/load';
import {
  CDK_QUALIFIER,
  environmentStackNames,
  githubOidcStackName,
  pipelineStackName,
  registryStackName,
} from '../../pipeline/names';
import { awsBoundsText, boundedClient, boundedClientConfig, describeAwsFailure } from '../cli/aws';
import { parseCommandLine, runCommand, seconds, shorten } from '../cli/command';
import { configFlag } from '../cli/config-flag';
import { Progress } from '../cli/progress';
import { profileName } from './deploy';
import { lookupRoleArn } from './lookup-role';
import { at, ecsOwnedResources, forwardTargets, type TemplateResources } from './ecs-owned';

/** Exit codes: the workflow tells drift (an issue) from a failure (a red run). */
export const EXIT_IN_SYNC = 0;
export const EXIT_FAILED = 1;
export const EXIT_DRIFTED = 2;

/** One stack the app deploys, where it lives. */
export interface DriftTarget {
  readonly stackName: string;
  readonly account: string;
}

/**
 * Every stack the app deploys, in deployment order: the registry, each environment's network and service, the
 * pipeline, and the GitHub OIDC stack when the config names a repository, by the names in pipeline/names.ts;
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

/** The part of CloudFormationClient drift detection uses; tests pass a fake. */
export interface CloudFormationApi {
  send: CloudFormationClient['send'];
}

/** One property that differs, as CloudFormation reports it. */
export interface PropertyDifference {
  readonly path: string;
  readonly type: string;
  readonly expected?: string;
  readonly actual?: string;
}

/** One resource with real drift. */
export interface DriftedResource {
  readonly logicalId: string;
  readonly type: string;
  readonly status: 'MODIFIED' | 'DELETED';
  readonly differences: readonly PropertyDifference[];
}

/** What drift detection found in one stack. */
export interface StackReport {
  readonly target: DriftTarget;
  /** The stack does not exist: nothing to compare. */
  readonly missing?: boolean;
  readonly drifted: readonly DriftedResource[];
  /** Differences ECS owns by design, left out. */
  readonly ignored: number;
  /** Why the stack, or part of it, could not be checked. */
  readonly failure?: string;
}

export interface DetectOptions {
  /** When every stack must be done. */
  readonly deadline: number;
  readonly pollMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The types of resource ECS may rewrite. */
const OWNABLE_TYPES = new Set([
  'AWS::ElasticLoadBalancingV2::ListenerRule',
  'AWS::ElasticLoadBalancingV2::TargetGroup',
]);

/** At most this many pages of resource drifts (100 each): far more resources than a CloudFormation stack may hold. */
const MAX_PAGES = 20;

/** Every call gives up by the deadline, whatever the endpoint does; a failure keeps the raw error for its name. */
function boundedSend(api: CloudFormationApi, options: DetectOptions) {
  const now = options.now ?? Date.now;
  return <T>(command: unknown): Promise<T> =>
    (api.send as (c: unknown, o: unknown) => Promise<T>)(command, {
      abortSignal: AbortSignal.timeout(Math.max(1000, options.deadline - now() + 1000)),
    });
}

const label = (command: string) => `CloudFormation ${command}`;

/** Drift detection on one stack: detect, wait for it, read the resource drifts, keep the real ones. */
export async function detectStackDrift(
  api: CloudFormationApi,
  target: DriftTarget,
  options: DetectOptions,
): Promise<StackReport> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const send = boundedSend(api, options);
  const { stackName: StackName } = target;
  const failed = (reason: string): StackReport => ({ target, drifted: [], ignored: 0, failure: reason });

  let detectionId: string | undefined;
  try {
    ({ StackDriftDetectionId: detectionId } = await send<{ StackDriftDetectionId?: string }>(
      new DetectStackDriftCommand({ StackName }),
    ));
  } catch (error) {
    if (/does not exist/.test((error as Error).message ?? ''))
      return { target, missing: true, drifted: [], ignored: 0 };
    return failed(describeAwsFailure(label('DetectStackDrift'), error));
  }
  if (!detectionId) return failed(`${label('DetectStackDrift')} returned no detection id`);

  let status: { DetectionStatus?: string; DetectionStatusReason?: string; StackDriftStatus?: string };
  for (;;) {
    try {
      status = await send(new DescribeStackDriftDetectionStatusCommand({ StackDriftDetectionId: detectionId }));
    } catch (error) {
      return failed(describeAwsFailure(label('DescribeStackDriftDetectionStatus'), error));
    }
    if (status.DetectionStatus !== 'DETECTION_IN_PROGRESS') break;
    if (now() >= options.deadline) {
      return failed(`detection ${detectionId} still in progress at the end of the time budget (--timeout)`);
    }
    await sleep(Math.max(0, Math.min(options.pollMs ?? 5000, options.deadline - now())));
  }
  // DETECTION_FAILED means detection failed for at least one resource (the reason names it); the resources it did
  // check are still reported, so they are read and the stack is also marked as not wholly checked.
  const partial =
    status.DetectionStatus === 'DETECTION_FAILED'
      ? `detection failed for part of the stack: ${shorten(status.DetectionStatusReason ?? 'no reason given', 200)}`
      : undefined;
  if (status.StackDriftStatus === 'IN_SYNC') return { target, drifted: [], ignored: 0, failure: partial };

  const records: StackResourceDrift[] = [];
  try {
    let NextToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const out = await send<{ StackResourceDrifts?: StackResourceDrift[]; NextToken?: string }>(
        new DescribeStackResourceDriftsCommand({ StackName, MaxResults: 100, NextToken }),
      );
      records.push(...(out.StackResourceDrifts ?? []));
      NextToken = out.NextToken;
      if (!NextToken) break;
    }
  } catch (error) {
    return failed(describeAwsFailure(label('DescribeStackResourceDrifts'), error));
  }

  const changed = records.filter(
    (r) => r.StackResourceDriftStatus === 'MODIFIED' || r.StackResourceDriftStatus === 'DELETED',
  );
  if (changed.length === 0) return { target, drifted: [], ignored: 0, failure: partial };
  // ECS owns only listener rules and target groups; the deployed template says which ones (those of its services).
  let template: TemplateResources = { Resources: {} };
  if (changed.some((r) => OWNABLE_TYPES.has(r.ResourceType ?? ''))) {
    try {
      const { TemplateBody } = await send<{ TemplateBody?: string }>(new GetTemplateCommand({ StackName }));
      template = parseTemplate(TemplateBody);
    } catch (error) {
      return failed(describeAwsFailure(label('GetTemplate'), error));
    }
  }
  const { drifted, ignored } = realDrift(records, template);
  return { target, drifted, ignored, failure: partial };
}

/** A deployed template as CDK writes it (JSON); anything else owns nothing, so every difference is reported. */
function parseTemplate(body: string | undefined): TemplateResources {
  try {
    const parsed = JSON.parse(body ?? '');
    return parsed && typeof parsed === 'object' && parsed.Resources ? parsed : { Resources: {} };
  } catch {
    return { Resources: {} };
  }
}

function json(text: string | undefined): unknown {
  try {
    return text === undefined ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The real drift among a stack's resource drifts: every MODIFIED or DELETED resource, less the differences ECS owns
 * by design (its template names them: ecs-owned.ts). A rule's actions count as ECS's only while every live action
 * forwards within the rule's own pair of target groups: a rule sent anywhere else is drift.
 */
export function realDrift(
  records: readonly StackResourceDrift[],
  template: TemplateResources,
): { drifted: DriftedResource[]; ignored: number } {
  const physical = new Map(records.map((r) => [r.LogicalResourceId, r.PhysicalResourceId]));
  const owned = new Map(ecsOwnedResources(template).map((o) => [o.id, o]));
  let ignored = 0;
  const drifted: DriftedResource[] = [];
  for (const record of records) {
    const status = record.StackResourceDriftStatus;
    if (status !== 'MODIFIED' && status !== 'DELETED') continue;
    const differences: PropertyDifference[] = (record.PropertyDifferences ?? []).map((d) => ({
      path: d.PropertyPath ?? '',
      type: d.DifferenceType ?? 'NOT_EQUAL',
      expected: d.ExpectedValue,
      actual: d.ActualValue,
    }));
    const ownership = owned.get(record.LogicalResourceId ?? '');
    const ownedPath = (path: string) =>
      path === `/${ownership?.property}` || path.startsWith(`/${ownership?.property}/`);
    let kept = differences;
    if (status === 'MODIFIED' && ownership) {
      const withinPair = () => {
        const pair = (ownership.targetGroups ?? []).map((id) => physical.get(id));
        const live = forwardTargets(at(json(record.ActualProperties), 'Actions'));
        return pair.every(Boolean) && live !== undefined && live.every((arn) => pair.includes(arn));
      };
      if (ownership.property === 'Targets' || withinPair()) kept = differences.filter((d) => !ownedPath(d.path));
    }
    ignored += differences.length - kept.length;
    if (status === 'MODIFIED' && kept.length === 0 && differences.length > 0) continue;
    drifted.push({
      logicalId: record.LogicalResourceId ?? '?',
      type: record.ResourceType ?? '?',
      status,
      differences: kept,
    });
  }
  return { drifted, ignored };
}

function value(text: string | undefined): string {
  return text === undefined ? 'nothing' : shorten(text, 80);
}

/** One line per drifted resource, with each property path and its expected and actual values. */
export function driftLine(stackName: string, resource: DriftedResource): string {
  const where = `${stackName}/${resource.logicalId} (${resource.type})`;
  if (resource.status === 'DELETED') return `${where} deleted`;
  const differences = resource.differences.map((d) => {
    if (d.type === 'ADD') return `${d.path} added: ${value(d.actual)}`;
    if (d.type === 'REMOVE') return `${d.path} removed: was ${value(d.expected)}`;
    return `${d.path} expected ${value(d.expected)}, actual ${value(d.actual)}`;
  });
  return `${where} modified: ${differences.join('; ') || 'no property named'}`;
}

/** The report: a line per stack, a line per drifted resource, and a summary; and the exit code. */
export function formatReport(reports: readonly StackReport[]): { lines: string[]; code: number } {
  const lines: string[] = [];
  for (const report of reports) {
    const { stackName, account } = report.target;
    const head = `${stackName} (${account})`;
    const ignored = report.ignored > 0 ? `; ${report.ignored} difference(s) ECS owns by design left out` : '';
    if (report.missing) lines.push(`${head}: not deployed, nothing to compare`);
    else if (report.drifted.length > 0) {
      lines.push(`${head}: ${report.drifted.length} drifted resource(s)${ignored}`);
      lines.push(...report.drifted.map((r) => `  ${driftLine(stackName, r)}`));
    } else if (!report.failure) lines.push(`${head}: in sync${ignored}`);
    if (report.failure) lines.push(`${head}: not checked: ${report.failure}`);
  }
  const drifted = reports.filter((r) => r.drifted.length > 0);
  const failed = reports.filter((r) => r.failure);
  const resources = drifted.reduce((n, r) => n + r.drifted.length, 0);
  const checked = reports.length - reports.filter((r) => r.missing).length;
  if (drifted.length > 0) {
    lines.push(`drift: ${resources} drifted resource(s) in ${drifted.length} of ${checked} deployed stack(s)`);
  } else if (failed.length > 0) {
    lines.push(`drift: ${failed.length} of ${checked} deployed stack(s) not checked; no drift in the rest`);
  } else {
    lines.push(`drift: ${checked} deployed stack(s) in sync`);
  }
  return { lines, code: drifted.length > 0 ? EXIT_DRIFTED : failed.length > 0 ? EXIT_FAILED : EXIT_IN_SYNC };
}

/** Runs `work` over `items`, at most `limit` at a time, keeping their order. */
async function pooled<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Drift detection on every target: the accounts at once, each first asked whether its lookup role can be assumed
 * (`refusal` says why not, for all its stacks at once), then its stacks a few at a time (CloudFormation throttles
 * drift detections per account). The report keeps the targets' order.
 */
export async function detectAll(
  targets: readonly DriftTarget[],
  clientFor: (account: string) => CloudFormationApi,
  options: DetectOptions,
  refusal: (account: string) => Promise<string | undefined> = async () => undefined,
): Promise<StackReport[]> {
  const reports = new Map<DriftTarget, StackReport>();
  const accounts = [...new Set(targets.map((t) => t.account))];
  await Promise.all(
    accounts.map(async (account) => {
      const stacks = targets.filter((t) => t.account === account);
      const refused = await refusal(account);
      const results = refused
        ? stacks.map((target) => ({ target, drifted: [], ignored: 0, failure: refused }))
        : await pooled(stacks, 4, (target) => detectStackDrift(clientFor(account), target, options));
      stacks.forEach((target, i) => reports.set(target, results[i]));
    }),
  );
  return targets.map((target) => reports.get(target)!);
}

const SPEC = {
  name: 'drift',
  usage: `
usage: npm run drift -- [--config FILE] [--profile NAME] [--timeout SECONDS]

Runs CloudFormation drift detection on every stack the app deploys (the registry, each environment's network
and service, the pipeline, the GitHub OIDC stack), each through the CDK lookup role of its account
(cdk-${CDK_QUALIFIER}-lookup-role-<account>-<region>, ReadOnlyAccess), and prints one line per drifted resource
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
  const masterCredentials = profile ? fromIni({ profile, clientConfig: boundedClientConfig({ region }) }) : undefined;
  const clients = new Map<string, CloudFormationClient>();
  const clientFor = (account: string) => {
    if (!clients.has(account)) {
      const credentials = fromTemporaryCredentials({
        masterCredentials,
        params: { RoleArn: lookupRoleArn(partition, account, region), RoleSessionName: 'drift' },
        clientConfig: boundedClientConfig({ region }),
      });
      clients.set(account, boundedClient(CloudFormationClient, { region, credentials }));
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
