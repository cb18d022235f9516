import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { acknowledge } from '../nag';
import { IMAGE_PORT, IMAGE_USER } from './image-port';
import { ROLLOUT_TUNING, type ServiceSettings } from './service-settings';

export type WebTaskProps = Pick<
  ServiceSettings,
  'repositoryArn' | 'imageTag' | 'cpu' | 'memoryMiB' | 'cpuArchitecture' | 'logRetentionDays'
>;

/**
 * The Fargate task: one nginx container from Account A's repository, read-only but for the paths nginx writes, its
 * logs in a group of its own. Built in the stack's own scope (see ServiceStack).
 */
export class WebTask {
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly container: ecs.ContainerDefinition;

  constructor(scope: Construct, props: WebTaskProps) {
    this.taskDefinition = new ecs.FargateTaskDefinition(scope, 'Task', {
      cpu: props.cpu,
      memoryLimitMiB: props.memoryMiB,
      runtimePlatform: {
        cpuArchitecture: props.cpuArchitecture === 'ARM64' ? ecs.CpuArchitecture.ARM64 : ecs.CpuArchitecture.X86_64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });
    const repository = ecr.Repository.fromRepositoryArn(scope, 'Repository', props.repositoryArn);
    const logGroup = new logs.LogGroup(scope, 'Logs', { retention: props.logRetentionDays });
    this.container = this.taskDefinition.addContainer('Web', {
      image: ecs.ContainerImage.fromEcrRepository(repository, props.imageTag),
      portMappings: [{ containerPort: IMAGE_PORT, name: 'http' }],
      readonlyRootFilesystem: true,
      // The image's own user, named again so a Control Tower hook (CT.ECS.PR.3) sees it is not root.
      user: IMAGE_USER,
      // The whole task's memory as the container's hard limit (CT.ECS.PR.7): one container, nothing to share with.
      memoryLimitMiB: props.memoryMiB,
      stopTimeout: ROLLOUT_TUNING.stopTimeout,
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'web' }),
    });
    // nginx writes its pid, temp files and cache; only these paths are writable.
    for (const [volume, path] of [
      ['tmp', '/tmp'],
      ['nginx-cache', '/var/cache/nginx'],
    ]) {
      this.taskDefinition.addVolume({ name: volume });
      this.container.addMountPoints({ sourceVolume: volume, containerPath: path, readOnly: false });
    }
    acknowledge(this.taskDefinition, {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ecr:GetAuthorizationToken has no resource-level permissions; the pull actions are scoped to the repository',
    });
  }
}
