// The service's part of `npm run status`: the image tags ECS runs, its latest deployment and why it ended as it did,
// and the state of its alarms; read as the account's lookup role, and ECS's answers read into the report.
import { CloudWatchClient, DescribeAlarmsCommand, type DescribeAlarmsCommandOutput } from '@aws-sdk/client-cloudwatch';
import {
  DescribeServiceDeploymentsCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  type DescribeServiceDeploymentsCommandOutput,
  type DescribeTaskDefinitionCommandOutput,
  type ListServiceDeploymentsCommandOutput,
  type Service,
  type ServiceDeployment,
  type ServiceDeploymentBrief,
} from '@aws-sdk/client-ecs';
import { parse as parseArn, validate as isArn } from '@aws-sdk/util-arn-parser';
import type { Call } from './status-calls';
import {
  isoTime,
  type AlarmStatus,
  type DeploymentState,
  type DeploymentStatus,
  type RunningImage,
} from './status-report';

/** The function a lifecycle hook invokes, by name: its target is a Lambda function ARN, `...:function:NAME`. */
function hookTarget(targetArn: string): string {
  return isArn(targetArn) ? parseArn(targetArn).resource.replace(/^function:/, '') : targetArn;
}

/**
 * The tag of an image reference: `repo:tag` gives tag, `repo@sha256:...` gives the digest. A registry's port is not
 * a tag: only a colon after the last slash separates one.
 */
export function imageTag(image: string): string {
  const at = image.indexOf('@');
  if (at >= 0) return image.slice(at + 1);
  const name = image.slice(image.lastIndexOf('/') + 1);
  const colon = name.lastIndexOf(':');
  return colon >= 0 ? name.slice(colon + 1) : 'latest';
}

/**
 * The short name of an alarm CloudFormation named: `<stack>-<logical id>-<suffix>`, and CDK's logical ids end in an
 * 8-character hash, so `hello-production-service-Target5xxAlarm1A2B3C4D-0BZVYF6YOEIS` is Target5xxAlarm. A name of
 * any other shape is shown whole.
 */
export function alarmLabel(name: string, stackName: string): string {
  if (!name.startsWith(`${stackName}-`)) return name;
  const match = /^(.+?)([0-9A-F]{8})?-[A-Za-z0-9]{6,}$/.exec(name.slice(stackName.length + 1));
  return match ? match[1] : name;
}

/** The newest of a service's deployments, by when ECS created them. */
export function newestDeployment(deployments: readonly ServiceDeploymentBrief[]): ServiceDeploymentBrief | undefined {
  const when = (d: ServiceDeploymentBrief) => (d.createdAt ?? d.startedAt)?.getTime() ?? 0;
  return [...deployments].sort((a, b) => when(b) - when(a))[0];
}

const STATES: Record<string, DeploymentState> = {
  PENDING: 'pending',
  IN_PROGRESS: 'in progress',
  SUCCESSFUL: 'completed',
  ROLLBACK_REQUESTED: 'rolling back',
  ROLLBACK_IN_PROGRESS: 'rolling back',
  ROLLBACK_SUCCESSFUL: 'rolled back',
  ROLLBACK_FAILED: 'rollback failed',
  STOP_REQUESTED: 'stopping',
  STOPPED: 'stopped',
};

/**
 * The state of a service deployment (ECS ListServiceDeployments, and DescribeServiceDeployments when it answers),
 * with every reason ECS gives: its status reason, the rollback's reason, the alarms that triggered, the circuit
 * breaker's count and a lifecycle hook that failed.
 */
export function deploymentStatus(
  brief: ServiceDeploymentBrief,
  detail?: ServiceDeployment,
  /** How an alarm is named in the reason, such as alarmLabel's short name. */
  label: (alarmName: string) => string = (name) => name,
): DeploymentStatus {
  const d = detail ?? brief;
  const ecsStatus = d.status ?? 'UNKNOWN';
  const reasons: string[] = [];
  const add = (reason: string | undefined) => {
    if (reason && !reasons.some((r) => r.includes(reason))) reasons.push(reason);
  };
  if (detail?.alarms?.status === 'TRIGGERED') {
    const names = (detail.alarms.triggeredAlarmNames ?? []).map(label);
    add(`alarm${names.length === 1 ? '' : 's'} ${names.join(', ') || '(unnamed)'} triggered`);
  }
  if (detail?.deploymentCircuitBreaker?.status === 'TRIGGERED') {
    const { failureCount, threshold } = detail.deploymentCircuitBreaker;
    add(`circuit breaker triggered: ${failureCount ?? '?'} failed tasks of ${threshold ?? '?'} allowed`);
  }
  for (const hook of detail?.lifecycleHookDetails ?? []) {
    if (hook.status === 'FAILED' || hook.status === 'TIMED_OUT') {
      const target = hook.targetArn === undefined ? hook.hookId : hookTarget(hook.targetArn);
      add(`lifecycle hook ${target ?? ''} ${hook.status}`.replace(/ +/g, ' '));
    }
  }
  add(detail?.rollback?.reason);
  add(d.statusReason);
  const state = STATES[ecsStatus] ?? 'in progress';
  const lifecycleStage = detail?.lifecycleStage;
  return {
    state,
    ecsStatus,
    ...(reasons.length > 0 ? { reason: reasons.join('; ') } : {}),
    ...(lifecycleStage && (state === 'in progress' || state === 'rolling back') ? { lifecycleStage } : {}),
    ...(isoTime(d.startedAt ?? d.createdAt) ? { startedAt: isoTime(d.startedAt ?? d.createdAt) } : {}),
    ...(isoTime(d.finishedAt) ? { finishedAt: isoTime(d.finishedAt) } : {}),
    ...(d.serviceDeploymentArn ? { arn: d.serviceDeploymentArn } : {}),
  };
}

/**
 * For a service ECS lists no service deployment for (one last deployed before ECS kept them, October 2024): the
 * primary deployment's rollout state (COMPLETED, IN_PROGRESS, FAILED) and its reason.
 */
export function rolloutStatus(rolloutState: string, reason: string | undefined, startedAt?: Date): DeploymentStatus {
  const state: DeploymentState =
    rolloutState === 'COMPLETED' ? 'completed' : rolloutState === 'FAILED' ? 'failed' : 'in progress';
  return {
    state,
    ecsStatus: rolloutState,
    ...(reason ? { reason } : {}),
    ...(isoTime(startedAt) ? { startedAt: isoTime(startedAt) } : {}),
  };
}

/**
 * The images the service runs: its task definition (the one ECS moves towards, or keeps), with the service's task
 * counts, and any other deployment's while it still has tasks (the old version during a deployment).
 */
export async function runningImages(call: Call, ecs: ECSClient, service: Service, repository: string) {
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
export async function latestDeployment(
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

export async function alarmStates(
  call: Call,
  cloudwatch: CloudWatchClient,
  names: readonly string[],
  stackName: string,
) {
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
