import { Duration } from 'aws-cdk-lib';
import type { CanaryConfig, DeploymentStrategy, LinearConfig } from '../../config/load';

export interface ServiceSettings {
  /** Account A's repository, by ARN, since it lives in another account. */
  readonly repositoryArn: string;
  /** The image tag to run: the content hash of docker/. */
  readonly imageTag: string;
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly desiredCount: number;
  /** Auto scaling on CPU up to this many tasks, when above desiredCount. */
  readonly maxCount: number;
  readonly cpuArchitecture: 'ARM64' | 'X86_64';
  readonly logRetentionDays: number;
  /** The network stack of the same environment, whose outputs name the VPC, subnets, groups, listeners and URLs. */
  readonly networkStackName: string;
  /** blue-green: a new set of tasks, checked through the test listener before production traffic moves. */
  readonly deploymentStrategy: DeploymentStrategy;
  /** blue-green, canary, linear: minutes the old tasks stay after all production traffic has moved. */
  readonly bakeTimeMinutes: number;
  /** canary: the share of traffic and how long it is judged. */
  readonly canary: CanaryConfig;
  /** linear: the step and the time between steps. */
  readonly linear: LinearConfig;
  /** Whether the load balancer is internet-facing: the deployment hook then looks up its private addresses. */
  readonly internetFacing: boolean;
  /** The in-VPC verifier's name; it exists when a deployment hook or the pipeline's check needs it. */
  readonly verifierFunctionName: string;
  /** The pipeline's post-deploy check runs through the verifier, when only the VPC reaches the service. */
  readonly pipelineCheck?: PipelineCheckSettings;
  /** An SNS topic in this account the deployment alarms notify. @default - ECS alone acts on them */
  readonly alarmTopicArn?: string;
}

export interface PipelineCheckSettings {
  /** The tooling account role the pipeline's check runs as. */
  readonly invokerRoleArn: string;
  /** 443 with HTTPS, else 80. */
  readonly listenerPort: number;
}

/**
 * Health and drain settings, tuned for fast rollouts. The modelled rollout time of one task swap is
 * interval x healthy threshold + deregistration delay + stop timeout.
 */
export const ROLLOUT_TUNING = {
  healthCheckInterval: Duration.seconds(5),
  healthCheckTimeout: Duration.seconds(3),
  healthyThreshold: 2,
  unhealthyThreshold: 2,
  deregistrationDelay: Duration.seconds(15),
  // nginx drains on SIGQUIT; idle keep-alive connections close well within this.
  stopTimeout: Duration.seconds(10),
} as const;
