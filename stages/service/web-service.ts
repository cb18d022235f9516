import { Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type { Construct } from 'constructs';
import type { DeploymentStrategy } from '../../config/load';
import { IMAGE_PORT } from './image-port';
import type { ImportedNetwork } from './imported-network';
import type { ServiceSettings } from './service-settings';
import type { WebTask } from './web-task';

export interface WebServiceProps extends Pick<
  ServiceSettings,
  'desiredCount' | 'maxCount' | 'deploymentStrategy' | 'bakeTimeMinutes' | 'canary' | 'linear'
> {
  readonly network: ImportedNetwork;
  readonly cluster: ecs.ICluster;
  readonly task: WebTask;
  /** blue-green, canary or linear: the new tasks run beside the old ones and traffic moves to them. */
  readonly shiftsTraffic: boolean;
}

/** ECS's own strategy for each configured one (ECS developer guide, "Deploy Amazon ECS services"). */
const ECS_STRATEGIES: Record<DeploymentStrategy, ecs.DeploymentStrategy> = {
  'blue-green': ecs.DeploymentStrategy.BLUE_GREEN,
  canary: ecs.DeploymentStrategy.CANARY,
  linear: ecs.DeploymentStrategy.LINEAR,
  rolling: ecs.DeploymentStrategy.ROLLING,
};

/**
 * The Fargate service that runs the task in the isolated subnets: its security group, its deployment strategy and its
 * scaling on CPU. Built in the stack's own scope (see ServiceStack).
 */
export class WebService {
  readonly service: ecs.FargateService;

  constructor(scope: Construct, props: WebServiceProps) {
    const { network } = props;
    const securityGroup = new ec2.SecurityGroup(scope, 'SecurityGroup', {
      vpc: network.vpc,
      description: 'Service tasks: the container port from the load balancer; HTTPS to the endpoints and S3',
      allowAllOutbound: false,
    });
    securityGroup.connections.allowFrom(network.loadBalancerSecurityGroup, ec2.Port.tcp(IMAGE_PORT), 'Load balancer');
    securityGroup.addEgressRule(
      network.endpointSecurityGroup,
      ec2.Port.tcp(443),
      'ECR API, ECR registry and logs endpoints',
    );
    // The region's S3 prefix list, recorded in cdk.context.json: image layers come through the gateway endpoint.
    const s3PrefixList = ec2.PrefixList.fromLookup(scope, 'S3PrefixList', {
      prefixListName: `com.amazonaws.${Stack.of(scope).region}.s3`,
    });
    securityGroup.addEgressRule(ec2.Peer.prefixList(s3PrefixList.prefixListId), ec2.Port.tcp(443), 'Image layers');

    this.service = new ecs.FargateService(scope, 'Service', {
      cluster: props.cluster,
      taskDefinition: props.task.taskDefinition,
      desiredCount: props.desiredCount,
      assignPublicIp: false,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [securityGroup],
      // ECS stops a deployment whose tasks keep failing to start, with either strategy ("Both methods only support
      // rolling update deployment and blue/green deployment types", ECS developer guide, deployment failure detection).
      circuitBreaker: { enable: true, rollback: true },
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      healthCheckGracePeriod: Duration.seconds(10),
      // A change of strategy changes only this: the load balancer configuration (ServiceRouting) is the same for all,
      // and ECS keeps it when a service moves between them ("identifies the active service revision that's serving
      // traffic" and "maintains the existing load balancer configuration", ECS developer guide, "Updating the
      // deployment strategy from Amazon ECS blue/green to rolling update").
      deploymentStrategy: ECS_STRATEGIES[props.deploymentStrategy],
      ...(props.shiftsTraffic && { bakeTime: Duration.minutes(props.bakeTimeMinutes) }),
      ...(props.deploymentStrategy === 'canary' && {
        canaryConfiguration: {
          stepPercent: props.canary.percent,
          stepBakeTime: Duration.minutes(props.canary.bakeMinutes),
        },
      }),
      ...(props.deploymentStrategy === 'linear' && {
        linearConfiguration: {
          stepPercent: props.linear.stepPercent,
          stepBakeTime: Duration.minutes(props.linear.intervalMinutes),
        },
      }),
    });

    if (props.maxCount > props.desiredCount) {
      this.service
        .autoScaleTaskCount({ minCapacity: props.desiredCount, maxCapacity: props.maxCount })
        .scaleOnCpuUtilization('CpuTarget', { targetUtilizationPercent: 60 });
    }
  }
}
