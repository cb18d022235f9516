// What `npm run status` reports: the shape of its --json output, every part of which is a value or why it could not
// be read. No AWS call is made here; status-environment.ts and status-pipeline.ts read, status-screen.ts renders.

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

export function isoTime(date: Date | undefined): string | undefined {
  return date && !Number.isNaN(date.getTime()) ? date.toISOString() : undefined;
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
