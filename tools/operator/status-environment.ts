// One environment's part of `npm run status`: its stacks, its URL and its service, read as its account's lookup role.
import {
  CloudFormationClient,
  DescribeStacksCommand,
  ListStackResourcesCommand,
  type DescribeStacksCommandOutput,
  type ListStackResourcesCommandOutput,
  type Stack,
  type StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { StageState } from '@aws-sdk/client-codepipeline';
import { DescribeServicesCommand, ECSClient, type DescribeServicesCommandOutput } from '@aws-sdk/client-ecs';
import type { DeployConfig, EnvironmentConfig } from '../../config/load';
import { environmentStackNames } from '../../config/names';
import { boundedClient } from '../cli/aws';
import { read, type Account, type Call } from './status-calls';
import { environmentStages } from './status-pipeline';
import { isUnreadable, type EnvironmentStatus, type ImageStatus, type Read, type StackState } from './status-report';
import { alarmStates, latestDeployment, runningImages } from './status-service';

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

/** Everything about one environment, read as its account's lookup role. */
export async function environmentStatus(
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
