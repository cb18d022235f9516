// What `npm run status` reports, and how: the shape of its --json output, the reading of ECS's and CodePipeline's
// answers into it, and the one-screen rendering. No AWS call is made here; tools/operator/status.ts reads.
import type { StageState } from '@aws-sdk/client-codepipeline';
import type { ServiceDeployment, ServiceDeploymentBrief } from '@aws-sdk/client-ecs';
import { environmentStageIds } from '../../pipeline/names';
import { shorten } from '../cli/command';

/** A part of the report that could not be read, and why: the failed call, named, with AWS's own reason. */
export interface Unreadable {
  readonly unreadable: string;
}

/** A part of the report, or why it could not be read. */
export type Read<T> = T | Unreadable;

export function isUnreadable(value: unknown): value is Unreadable {
  return typeof value === 'object' && value !== null && 'unreadable' in value;
}

/** A CloudFormation stack of the environment. */
export interface StackState {
  readonly name: string;
  /** Its CloudFormation status, or NOT_DEPLOYED when the stack does not exist. */
  readonly status: string;
}

/** One task definition's image that the service runs tasks of. */
export interface RunningImage {
  /** The image tag, as the task definition names it (the digest, for an image pinned by digest). */
  readonly tag: string;
  readonly taskDefinition: string;
  /** PRIMARY for the deployment ECS moves towards, ACTIVE for one it moves away from. */
  readonly deployment: string;
  readonly runningTasks: number;
  readonly desiredTasks: number;
}

export interface ImageStatus {
  /** PRIMARY first; an ACTIVE one only while it still has tasks. */
  readonly running: readonly RunningImage[];
  /** The service stack's ImageTag output: what the last deploy of the stack asked for. */
  readonly stackOutput: string | null;
}

export type DeploymentState =
  | 'pending'
  | 'in progress'
  | 'completed'
  | 'rolling back'
  | 'rolled back'
  | 'rollback failed'
  | 'stopping'
  | 'stopped'
  | 'failed';

export interface DeploymentStatus {
  readonly state: DeploymentState;
  /** ECS's own status: a service deployment's (SUCCESSFUL, ROLLBACK_SUCCESSFUL, ...) or a rollout state. */
  readonly ecsStatus: string;
  /** Why it ended the way it did, or what it waits for, in ECS's words; absent when ECS gives none. */
  readonly reason?: string;
  /** The stage of an unfinished deployment, such as BAKE_TIME. */
  readonly lifecycleStage?: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  /** The service deployment's ARN; absent when only the service's rollout state was available. */
  readonly arn?: string;
}

export interface AlarmStatus {
  readonly name: string;
  /** The name without the stack's prefix, CDK's hash and CloudFormation's suffix, such as Target5xxAlarm. */
  readonly label: string;
  /** OK, ALARM or INSUFFICIENT_DATA; MISSING when CloudWatch has no alarm of that name. */
  readonly state: string;
  readonly reason?: string;
  readonly since?: string;
}

export interface PipelineActionStatus {
  readonly name: string;
  readonly status: string;
  readonly at?: string;
  /** The error or summary CodePipeline keeps for the action's latest run. */
  readonly detail?: string;
}

/** The environment's part of one pipeline stage: its network stage (or its actions in a wave) or its service stage. */
export interface PipelineStageStatus {
  /** The stage's name in CDK's terms, such as ProductionService. */
  readonly stage: string;
  /** The CodePipeline stage that holds it: itself, or the wave the first network deploys in. */
  readonly pipelineStage: string;
  /** Succeeded, InProgress, Failed, Stopped, ...; NeverRan when no execution reached it. */
  readonly status: string;
  readonly executionId?: string;
  /** The latest change of any of its actions. */
  readonly at?: string;
  readonly actions: readonly PipelineActionStatus[];
}

export interface PipelineExecutionStatus {
  readonly id: string;
  readonly status: string;
  readonly startedAt?: string;
  readonly updatedAt?: string;
  /** The source revision: the S3 object version or commit it ran on. */
  readonly revision?: string;
  readonly summary?: string;
}

export interface PipelineStatus {
  readonly name: string;
  readonly account: string;
  /** The role it was read as. */
  readonly role: string;
  readonly lastExecution: PipelineExecutionStatus | null;
}

export interface EnvironmentStatus {
  readonly name: string;
  readonly account: string;
  /** The role every read of this environment was made as. */
  readonly role: string;
  readonly deploymentStrategy: string;
  readonly stacks: Read<{ readonly network: StackState; readonly service: StackState }>;
  /** The network stack's ExternalUrl output; null when the stack is not deployed or has no such output. */
  readonly url: Read<string | null>;
  /** null when the service stack is not deployed. */
  readonly image: Read<ImageStatus | null>;
  /** The service's latest deployment; null when the service is not deployed or ECS has none to show. */
  readonly deployment: Read<DeploymentStatus | null>;
  readonly alarms: Read<readonly AlarmStatus[]>;
  readonly pipeline: Read<readonly PipelineStageStatus[]>;
}

export interface StatusReport {
  readonly project: string;
  readonly region: string;
  readonly readAt: string;
  readonly pipeline: Read<PipelineStatus>;
  readonly environments: readonly EnvironmentStatus[];
}

/** A time as the screen shows it: to the minute, in UTC. */
export function screenTime(iso: string | undefined): string {
  return iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : 'unknown time';
}

export function isoTime(date: Date | undefined): string | undefined {
  return date && !Number.isNaN(date.getTime()) ? date.toISOString() : undefined;
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
      add(`lifecycle hook ${hook.targetArn?.split(':').pop() ?? hook.hookId ?? ''} ${hook.status}`.replace(/ +/g, ' '));
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

function actionStatus(action: NonNullable<StageState['actionStates']>[number]): PipelineActionStatus {
  const latest = action.latestExecution;
  const detail = latest?.errorDetails?.message ?? (latest?.status === 'Failed' ? latest.summary : undefined);
  return {
    name: action.actionName ?? '(unnamed)',
    status: latest?.status ?? 'NeverRan',
    ...(isoTime(latest?.lastStatusChange) ? { at: isoTime(latest?.lastStatusChange) } : {}),
    ...(detail ? { detail } : {}),
  };
}

/** One status for several actions: the worst of them, and NeverRan when none ran. */
function combinedStatus(actions: readonly PipelineActionStatus[]): string {
  const ran = actions.filter((a) => a.status !== 'NeverRan');
  if (ran.length === 0) return 'NeverRan';
  for (const status of ['Failed', 'Abandoned', 'InProgress', 'Stopped', 'Stopping', 'Cancelled']) {
    if (ran.some((a) => a.status === status)) return status;
  }
  return ran.every((a) => a.status === 'Succeeded') ? 'Succeeded' : ran[0].status;
}

/**
 * The environment's stages in the pipeline's state (CodePipeline GetPipelineState): its network stage, or, for the
 * first environment, its network's actions in the Foundation wave (CDK Pipelines prefixes a wave's actions with the
 * stage's id); and its service stage. A stage the pipeline does not hold yet is NotInPipeline.
 */
export function environmentStages(stageStates: readonly StageState[], environmentName: string): PipelineStageStatus[] {
  const ids = environmentStageIds(environmentName);
  return [ids.network, ids.service].map((stage) => {
    const own = stageStates.find((s) => s.stageName === stage);
    const holder = own ?? stageStates.find((s) => s.actionStates?.some((a) => a.actionName?.startsWith(`${stage}.`)));
    const actions = (holder?.actionStates ?? [])
      .filter((a) => own !== undefined || a.actionName?.startsWith(`${stage}.`))
      .map(actionStatus);
    const times = actions.flatMap((a) => (a.at ? [a.at] : [])).sort();
    const status = !holder
      ? 'NotInPipeline'
      : ((own ? own.latestExecution?.status : undefined) ?? combinedStatus(actions));
    const executionId = status === 'NeverRan' ? undefined : holder?.latestExecution?.pipelineExecutionId;
    return {
      stage,
      pipelineStage: holder?.stageName ?? stage,
      status,
      ...(executionId ? { executionId } : {}),
      ...(times.length > 0 ? { at: times[times.length - 1] } : {}),
      actions,
    };
  });
}

/** How many parts of the report could not be read, and the first reason. */
export function unreadableParts(report: StatusReport): { count: number; total: number; first?: string } {
  const parts: unknown[] = [
    report.pipeline,
    ...report.environments.flatMap((e) => [e.stacks, e.url, e.image, e.deployment, e.alarms, e.pipeline]),
  ];
  const failed = parts.filter(isUnreadable);
  return { count: failed.length, total: parts.length, first: failed[0]?.unreadable };
}

const LABEL_WIDTH = 12;
const line = (label: string, text: string) => `  ${label.padEnd(LABEL_WIDTH)}${text}`;
/** AWS's access-denied messages start with the caller's whole session ARN; the screen already names the role. */
const unreadableText = (u: Unreadable) =>
  `unreadable: ${shorten(u.unreadable.replace(/User: arn:[\w-]+:sts::\d{12}:assumed-role\/\S+ /, 'the role '), 200)}`;

function imageText(image: ImageStatus | null): string {
  if (image === null) return 'not deployed';
  const [primary, ...others] = image.running;
  const parts = primary
    ? [`${primary.tag}, ${primary.runningTasks} of ${primary.desiredTasks} tasks running`]
    : ['no task definition'];
  for (const other of others) parts.push(`also ${other.tag} on ${other.runningTasks} tasks (${other.deployment})`);
  if (image.stackOutput !== null && primary && image.stackOutput !== primary.tag) {
    parts.push(`the service stack's ImageTag is ${image.stackOutput}`);
  }
  return parts.join('; ');
}

function deploymentText(d: DeploymentStatus | null): string {
  if (d === null) return 'none';
  const when =
    d.finishedAt !== undefined
      ? `${screenTime(d.finishedAt)}`
      : d.startedAt !== undefined
        ? `since ${screenTime(d.startedAt)}`
        : '';
  const stage = d.lifecycleStage ? ` at ${d.lifecycleStage}` : '';
  const reason = d.reason ? `: ${shorten(d.reason, 200)}` : '';
  return `${d.state}${stage}${reason}${when ? ` (${when})` : ''}`;
}

function alarmText(alarms: readonly AlarmStatus[]): string {
  if (alarms.length === 0) return 'none found';
  return alarms
    .map((a) => `${a.label} ${a.state}${a.state === 'ALARM' && a.since ? ` since ${screenTime(a.since)}` : ''}`)
    .join(', ');
}

function stageText(s: PipelineStageStatus, width: number): string {
  const pending = s.actions.find((a) => a.status === 'Failed' || a.status === 'InProgress');
  const where = pending ? ` at ${pending.name}${pending.detail ? `: ${shorten(pending.detail, 100)}` : ''}` : '';
  const execution = s.executionId ? `, execution ${s.executionId.slice(0, 8)}` : '';
  const when = s.at ? `, ${screenTime(s.at)}` : '';
  return `${s.stage.padEnd(width)}  ${s.status}${where}${execution}${when}`;
}

/** The report as one screen: the pipeline's last execution, then a block of a few lines per environment. */
export function renderScreen(report: StatusReport): string {
  const out: string[] = [];
  const p = report.pipeline;
  out.push(
    `${report.project} in ${report.region}, read ${screenTime(report.readAt)} as each account's CDK lookup role`,
  );
  if (isUnreadable(p)) {
    out.push(`pipeline: ${unreadableText(p)}`);
  } else if (p.lastExecution === null) {
    out.push(`pipeline ${p.name} (${p.account}): no execution yet`);
  } else {
    const e = p.lastExecution;
    out.push(
      `pipeline ${p.name} (${p.account}): last execution ${e.id.slice(0, 8)} ${e.status}, started ${screenTime(e.startedAt)}` +
        (e.revision ? `, revision ${shorten(e.revision, 40)}` : ''),
    );
  }
  for (const env of report.environments) {
    out.push('', `${env.name} (${env.account}, ${env.deploymentStrategy})`);
    const stacks = env.stacks;
    const parts = [stacks, env.url, env.image, env.deployment, env.alarms];
    const oneReason = isUnreadable(stacks) && parts.every((p) => isUnreadable(p) && p.unreadable === stacks.unreadable);
    if (oneReason) {
      // One reason for every part, such as a role that could not be assumed: said once.
      out.push(line('reads', `${unreadableText(stacks)} (as ${env.role.split('/').pop()})`));
    } else if (isUnreadable(stacks)) {
      out.push(line('stacks', unreadableText(stacks)));
    } else if (stacks.network.status === 'NOT_DEPLOYED' && stacks.service.status === 'NOT_DEPLOYED') {
      out.push(line('stacks', `not deployed: no ${stacks.network.name} or ${stacks.service.name}`));
    } else {
      const odd = [stacks.network, stacks.service].filter((s) => !/^(CREATE|UPDATE)_COMPLETE$/.test(s.status));
      if (odd.length > 0) out.push(line('stacks', odd.map((s) => `${s.name} ${s.status}`).join(', ')));
    }
    const url = env.url;
    if (!oneReason && (isUnreadable(stacks) || stacks.network.status !== 'NOT_DEPLOYED')) {
      out.push(
        line('url', isUnreadable(url) ? unreadableText(url) : (url ?? 'none: the network stack has no ExternalUrl')),
      );
    }
    if (!oneReason && (isUnreadable(stacks) || stacks.service.status !== 'NOT_DEPLOYED')) {
      out.push(line('image', isUnreadable(env.image) ? unreadableText(env.image) : imageText(env.image)));
      out.push(
        line(
          'deployment',
          isUnreadable(env.deployment) ? unreadableText(env.deployment) : deploymentText(env.deployment),
        ),
      );
      out.push(line('alarms', isUnreadable(env.alarms) ? unreadableText(env.alarms) : alarmText(env.alarms)));
    }
    if (isUnreadable(env.pipeline)) {
      out.push(line('pipeline', unreadableText(env.pipeline)));
    } else {
      const width = Math.max(...env.pipeline.map((s) => s.stage.length));
      env.pipeline.forEach((s, i) => out.push(line(i === 0 ? 'pipeline' : '', stageText(s, width))));
    }
  }
  return out.join('\n');
}
