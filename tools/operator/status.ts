// `npm run status [-- --json] [--config FILE] [--profile NAME] [--timeout S]`: what runs where, read-only. For each
// configured environment: the image tag ECS runs, the service's latest deployment (in progress, completed, rolled
// back, and why), each alarm's state, the URL, and the pipeline's last execution of the environment's stages.
//
// Every read is made as the CDK lookup role of the account that holds the data, `cdk-hnb659fds-lookup-role-<account>-
// <region>`, assumed from the operator's own credentials in the tooling account; never as a deploy role. CDK's stock
// bootstrap template (node_modules/aws-cdk/lib/api/bootstrap/bootstrap-template.yaml, resource LookupRole) gives that
// role the AWS managed policy ReadOnlyAccess and one inline statement, DontReadSecrets, that denies kms:Decrypt; it
// trusts its own account and the accounts passed with --trust-for-lookup and --trust, which `npm run bootstrap`
// passes for the tooling account in every workload account. ReadOnlyAccess allows the Describe/List/Get calls made
// here (cloudformation, ecs, cloudwatch, codepipeline). Where an organisation's policy denies one anyway, that part of
// the report says it is unreadable and why, and the rest is still read.
import {
  CloudFormationClient,
  DescribeStacksCommand,
  ListStackResourcesCommand,
  type DescribeStacksCommandOutput,
  type ListStackResourcesCommandOutput,
  type Stack,
  type StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmsCommand, type DescribeAlarmsCommandOutput } from '@aws-sdk/client-cloudwatch';
import {
  CodePipelineClient,
  GetPipelineStateCommand,
  ListPipelineExecutionsCommand,
  type GetPipelineStateCommandOutput,
  type ListPipelineExecutionsCommandOutput,
  type StageState,
} from '@aws-sdk/client-codepipeline';
import {
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  type DescribeServiceDeploymentsCommandOutput,
  type DescribeServicesCommandOutput,
  type DescribeTaskDefinitionCommandOutput,
  type ListServiceDeploymentsCommandOutput,
  type Service,
} from '@aws-sdk/client-ecs';
import { fromIni, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { DEFAULT_CONFIG_PATH, loadConfig, type DeployConfig, type EnvironmentConfig } from '../../config/load';
import { awsBoundsText, awsCall, boundedClient, boundedClientConfig } from '../cli/aws';
import { CommandError, parseCommandLine, runCommand, seconds, shorten } from '../cli/command';
import { configFlag } from '../cli/config-flag';
import { CDK_QUALIFIER, cdkRoleArn, environmentStackNames } from '../../pipeline/names';
import {
  alarmLabel,
  deploymentStatus,
  environmentStages,
  imageTag,
  isoTime,
  isUnreadable,
  newestDeployment,
  renderScreen,
  rolloutStatus,
  unreadableParts,
  type AlarmStatus,
  type DeploymentStatus,
  type EnvironmentStatus,
  type ImageStatus,
  type PipelineStatus,
  type Read,
  type RunningImage,
  type StackState,
  type StatusReport,
  type Unreadable,
} from './status-report';

/** The whole command's budget, unless --timeout says otherwise: every environment is read side by side. */
const DEFAULT_TIMEOUT_SECONDS = 60;

/** The CDK lookup role of an account: read-only, and trusted by the tooling account (see the top of this file). */
export function lookupRoleArn(partition: string, account: string, region: string): string {
  return cdkRoleArn(partition, 'lookup', account, region);
}

const SPEC = {
  name: 'status',
  usage: `
usage: npm run status -- [--json] [--config FILE] [--profile NAME] [--timeout SECONDS]

Shows, for each configured environment, what runs there: the image tag of the tasks ECS runs, the service's latest
deployment (in progress, completed, rolled back, with the reason), each alarm's state, the URL, and the pipeline's
last execution of the environment's stages. It reads only, as each account's CDK lookup role
(cdk-${CDK_QUALIFIER}-lookup-role-<account>-<region>, ReadOnlyAccess), never as a deploy role; what a role may not
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

/** An AWS CLI profile name, as the CLI's config file allows it. */
function profileName(raw: string | undefined): string | undefined {
  if (raw !== undefined && !/^[\w.+@-]{1,64}$/.test(raw)) {
    throw new CommandError(`--profile is "${shorten(raw)}"; expected an AWS CLI profile name, such as tooling`);
  }
  return raw;
}

interface Sender {
  send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
}

/** Makes calls that end by the command's deadline and fail naming themselves, such as `ECS DescribeServices`. */
function caller(deadline: number) {
  return async <T>(service: string, client: Sender, command: { constructor: { name: string } }): Promise<T> =>
    awsCall(`${service} ${command.constructor.name.replace(/Command$/, '')}`, () =>
      client.send(command, { abortSignal: AbortSignal.timeout(Math.max(1, deadline - Date.now())) }),
    ) as Promise<T>;
}
type Call = ReturnType<typeof caller>;

/** The message of a failed read, for the report. */
const unreadable = (error: unknown): Unreadable => ({
  unreadable: error instanceof Error ? error.message.split('\n')[0] : String(error),
});

/** Runs a read; its failure becomes the part's "unreadable" reason instead of the command's. */
async function read<T>(reading: () => Promise<T>): Promise<Read<T>> {
  try {
    return await reading();
  } catch (error) {
    return unreadable(error);
  }
}

type Credentials = Awaited<ReturnType<ReturnType<typeof fromTemporaryCredentials>>>;

/** One account's lookup role, and its credentials or why they could not be had. */
interface Account {
  readonly role: string;
  readonly credentials: Read<Credentials>;
}

/**
 * A credential provider takes no abort signal: this ends its wait when the command's budget does, as an abort, and
 * clears its timer once the provider answers.
 */
async function withinBudget<T>(deadline: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const budget = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error('the command ran out of time'), { name: 'AbortError' })),
      Math.max(1, deadline - Date.now()),
    );
  });
  try {
    return await Promise.race([work, budget]);
  } finally {
    clearTimeout(timer);
  }
}

function accounts(config: DeployConfig, profile: string | undefined, deadline: number) {
  const region = config.region;
  const operator = profile ? fromIni({ profile, clientConfig: boundedClientConfig({ region }) }) : undefined;
  const cache = new Map<string, Promise<Account>>();
  return (account: string): Promise<Account> => {
    let found = cache.get(account);
    if (!found) {
      const role = lookupRoleArn(config.partition, account, region);
      const provider = fromTemporaryCredentials({
        params: { RoleArn: role, RoleSessionName: 'npm-run-status', DurationSeconds: 900 },
        ...(operator ? { masterCredentials: operator } : {}),
        // The inner STS client is bounded like every other.
        clientConfig: boundedClientConfig({ region }),
      });
      found = read(() => awsCall('STS AssumeRole', () => withinBudget(deadline, provider()))).then((credentials) => ({
        role,
        credentials,
      }));
      cache.set(account, found);
    }
    return found;
  };
}

function outputOf(stack: Stack | undefined, key: string): string | null {
  return stack?.Outputs?.find((o) => o.OutputKey === key)?.OutputValue ?? null;
}

/** A stack, or undefined when CloudFormation says it does not exist. */
async function describeStack(call: Call, cloudformation: CloudFormationClient, name: string) {
  try {
    const { Stacks = [] } = await call<DescribeStacksCommandOutput>(
      'CloudFormation',
      cloudformation,
      new DescribeStacksCommand({ StackName: name }),
    );
    return Stacks[0];
  } catch (error) {
    if (/does not exist/.test((error as Error).message)) return undefined;
    throw error;
  }
}

/** The service stack's resources, every page (a service stack holds a few dozen). */
async function stackResources(call: Call, cloudformation: CloudFormationClient, name: string) {
  const all: StackResourceSummary[] = [];
  let NextToken: string | undefined;
  for (let page = 0; page < 10; page++) {
    const out = await call<ListStackResourcesCommandOutput>(
      'CloudFormation',
      cloudformation,
      new ListStackResourcesCommand({ StackName: name, NextToken }),
    );
    all.push(...(out.StackResourceSummaries ?? []));
    NextToken = out.NextToken;
    if (!NextToken) break;
  }
  return all;
}

const stackState = (name: string, stack: Stack | undefined): StackState => ({
  name,
  status: stack?.StackStatus ?? 'NOT_DEPLOYED',
});

/**
 * The images the service runs: its task definition (the one ECS moves towards, or keeps), with the service's task
 * counts, and any other deployment's while it still has tasks (the old version during a deployment).
 */
async function runningImages(call: Call, ecs: ECSClient, service: Service, repository: string) {
  const shown = [
    ...(service.taskDefinition
      ? [
          {
            status: 'PRIMARY',
            taskDefinition: service.taskDefinition,
            runningCount: service.runningCount,
            desiredCount: service.desiredCount,
          },
        ]
      : []),
    ...(service.deployments ?? []).filter(
      (d) => d.status !== 'PRIMARY' && d.taskDefinition !== service.taskDefinition && (d.runningCount ?? 0) > 0,
    ),
  ];
  const tags = new Map<string, Promise<string>>();
  const tagOf = (arn: string) => {
    if (!tags.has(arn)) {
      tags.set(
        arn,
        call<DescribeTaskDefinitionCommandOutput>(
          'ECS',
          ecs,
          new DescribeTaskDefinitionCommand({ taskDefinition: arn }),
        ).then(({ taskDefinition }) => {
          const images = (taskDefinition?.containerDefinitions ?? []).flatMap((c) => (c.image ? [c.image] : []));
          const image = images.find((i) => i.includes(`/${repository}:`) || i.includes(`/${repository}@`)) ?? images[0];
          return image ? imageTag(image) : 'no image';
        }),
      );
    }
    return tags.get(arn)!;
  };
  return Promise.all(
    shown.map(async (d): Promise<RunningImage> => ({
      tag: await tagOf(d.taskDefinition!),
      taskDefinition: d.taskDefinition!,
      deployment: d.status ?? 'PRIMARY',
      runningTasks: d.runningCount ?? 0,
      desiredTasks: d.desiredCount ?? 0,
    })),
  );
}

/** The service's newest service deployment, described; or its rollout state when ECS lists none. */
async function latestDeployment(
  call: Call,
  ecs: ECSClient,
  cluster: string,
  service: Service,
  stackName: string,
): Promise<{ status: DeploymentStatus | null; alarmNames: string[] }> {
  const { serviceDeployments = [] } = await call<ListServiceDeploymentsCommandOutput>(
    'ECS',
    ecs,
    new ListServiceDeploymentsCommand({ cluster, service: service.serviceArn ?? service.serviceName }),
  );
  const newest = newestDeployment(serviceDeployments);
  if (!newest) {
    const primary = service.deployments?.find((d) => d.status === 'PRIMARY');
    return {
      status: primary?.rolloutState
        ? rolloutStatus(primary.rolloutState, primary.rolloutStateReason, primary.createdAt)
        : null,
      alarmNames: [],
    };
  }
  const { serviceDeployments: described = [] } = await call<DescribeServiceDeploymentsCommandOutput>(
    'ECS',
    ecs,
    new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [newest.serviceDeploymentArn!] }),
  );
  const detail = described.find((d) => d.serviceDeploymentArn === newest.serviceDeploymentArn);
  return {
    status: deploymentStatus(newest, detail, (name) => alarmLabel(name, stackName)),
    alarmNames: detail?.alarms?.alarmNames ?? [],
  };
}

async function alarmStates(call: Call, cloudwatch: CloudWatchClient, names: readonly string[], stackName: string) {
  if (names.length === 0) return [];
  const { MetricAlarms = [], CompositeAlarms = [] } = await call<DescribeAlarmsCommandOutput>(
    'CloudWatch',
    cloudwatch,
    new DescribeAlarmsCommand({ AlarmNames: [...names] }),
  );
  const found = [...MetricAlarms, ...CompositeAlarms];
  return names.map((name): AlarmStatus => {
    const alarm = found.find((a) => a.AlarmName === name);
    const since = isoTime(alarm?.StateUpdatedTimestamp);
    return {
      name,
      label: alarmLabel(name, stackName),
      state: alarm?.StateValue ?? 'MISSING',
      ...(alarm?.StateReason ? { reason: alarm.StateReason } : {}),
      ...(since ? { since } : {}),
    };
  });
}

/** Everything about one environment, read as its account's lookup role. */
async function environmentStatus(
  config: DeployConfig,
  environment: EnvironmentConfig,
  account: Account,
  call: Call,
  pipelineState: Promise<Read<StageState[]>>,
): Promise<EnvironmentStatus> {
  const names = environmentStackNames(config.projectName, environment.name);
  const base = {
    name: environment.name,
    account: environment.account,
    role: account.role,
    deploymentStrategy: environment.service.deploymentStrategy,
  };
  const pipeline = pipelineState.then((state) =>
    isUnreadable(state) ? state : environmentStages(state, environment.name),
  );
  if (isUnreadable(account.credentials)) {
    const why = account.credentials;
    return { ...base, stacks: why, url: why, image: why, deployment: why, alarms: why, pipeline: await pipeline };
  }
  const client = { region: config.region, credentials: account.credentials };
  const cloudformation = boundedClient(CloudFormationClient, client);
  const ecs = boundedClient(ECSClient, client);
  const cloudwatch = boundedClient(CloudWatchClient, client);

  const [network, service] = await Promise.all([
    read(() => describeStack(call, cloudformation, names.network)),
    read(() => describeStack(call, cloudformation, names.service)),
  ]);
  const stacks: EnvironmentStatus['stacks'] = isUnreadable(network)
    ? network
    : isUnreadable(service)
      ? service
      : { network: stackState(names.network, network), service: stackState(names.service, service) };
  const url: Read<string | null> = isUnreadable(network) ? network : outputOf(network, 'ExternalUrl');

  if (isUnreadable(service) || service === undefined) {
    const none = isUnreadable(service) ? service : null;
    return {
      ...base,
      stacks,
      url,
      image: none,
      deployment: none,
      alarms: isUnreadable(service) ? service : [],
      pipeline: await pipeline,
    };
  }

  // The service, its cluster and its alarms, by the physical ids CloudFormation gave them.
  const resources = await read(() => stackResources(call, cloudformation, names.service));
  const ecsService = isUnreadable(resources)
    ? resources
    : await read(async () => {
        const serviceArn = resources.find((r) => r.ResourceType === 'AWS::ECS::Service')?.PhysicalResourceId;
        if (!serviceArn) throw new Error(`stack ${names.service} holds no ECS service`);
        const cluster =
          resources.find((r) => r.ResourceType === 'AWS::ECS::Cluster')?.PhysicalResourceId ??
          /:service\/([^/]+)\//.exec(serviceArn)?.[1];
        const { services = [], failures = [] } = await call<DescribeServicesCommandOutput>(
          'ECS',
          ecs,
          new DescribeServicesCommand({ cluster, services: [serviceArn] }),
        );
        const found = services.find((s) => s.status !== 'INACTIVE');
        if (!found)
          throw new Error(`ECS has no service ${serviceArn}${failures[0]?.reason ? ` (${failures[0].reason})` : ''}`);
        return { service: found, cluster: cluster ?? found.clusterArn! };
      });

  const [image, deployment] = await Promise.all([
    isUnreadable(ecsService)
      ? ecsService
      : read(async (): Promise<ImageStatus> => ({
          running: await runningImages(call, ecs, ecsService.service, config.registry.repositoryName),
          stackOutput: outputOf(service, 'ImageTag'),
        })),
    isUnreadable(ecsService)
      ? ecsService
      : read(() => latestDeployment(call, ecs, ecsService.cluster, ecsService.service, names.service)),
  ]);

  // The stack's alarms, and those ECS watches for the service and for its latest deployment: the same two here.
  const alarmNames = new Set<string>([
    ...(isUnreadable(resources)
      ? []
      : resources.filter((r) => r.ResourceType === 'AWS::CloudWatch::Alarm').map((r) => r.PhysicalResourceId ?? '')),
    ...(isUnreadable(ecsService) ? [] : (ecsService.service.deploymentConfiguration?.alarms?.alarmNames ?? [])),
    ...(isUnreadable(deployment) ? [] : deployment.alarmNames),
  ]);
  alarmNames.delete('');
  const alarms =
    alarmNames.size === 0 && isUnreadable(resources)
      ? resources
      : await read(() => alarmStates(call, cloudwatch, [...alarmNames], names.service));

  return {
    ...base,
    stacks,
    url,
    image,
    deployment: isUnreadable(deployment) ? deployment : deployment.status,
    alarms,
    pipeline: await pipeline,
  };
}

/** The pipeline in the tooling account: its state (every stage's latest execution) and its newest executions. */
async function readPipeline(config: DeployConfig, account: Account, call: Call) {
  const name = config.projectName;
  if (isUnreadable(account.credentials)) return { summary: account.credentials, state: account.credentials };
  const codepipeline = boundedClient(CodePipelineClient, {
    region: config.region,
    credentials: account.credentials,
  });
  const [state, executions] = await Promise.all([
    read(async () => {
      const out = await call<GetPipelineStateCommandOutput>(
        'CodePipeline',
        codepipeline,
        new GetPipelineStateCommand({ name }),
      );
      return out.stageStates ?? [];
    }),
    read(() =>
      call<ListPipelineExecutionsCommandOutput>(
        'CodePipeline',
        codepipeline,
        new ListPipelineExecutionsCommand({ pipelineName: name, maxResults: 5 }),
      ),
    ),
  ]);
  const summary: Read<PipelineStatus> = isUnreadable(executions)
    ? executions
    : (() => {
        const last = executions.pipelineExecutionSummaries?.[0];
        const revision = last?.sourceRevisions?.[0];
        return {
          name,
          account: config.toolingAccount,
          role: account.role,
          lastExecution: last?.pipelineExecutionId
            ? {
                id: last.pipelineExecutionId,
                status: last.status ?? 'Unknown',
                ...(isoTime(last.startTime) ? { startedAt: isoTime(last.startTime) } : {}),
                ...(isoTime(last.lastUpdateTime) ? { updatedAt: isoTime(last.lastUpdateTime) } : {}),
                ...(revision?.revisionId ? { revision: revision.revisionId } : {}),
                ...(last.statusSummary ? { summary: last.statusSummary } : {}),
              }
            : null,
        };
      })();
  return { summary, state };
}

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
