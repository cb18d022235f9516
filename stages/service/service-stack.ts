import { Annotations, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import type { NetworkParameterNames } from '../network/parameters';
import { acknowledge } from '../nag';
import { IMAGE_PORT } from './image-port';
import { InVpcVerifier } from './in-vpc-verifier';

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
  /** Where the network stage left the VPC, subnets, security groups, listener and URL. */
  readonly parameterNames: NetworkParameterNames;
  /** A Lambda in the VPC that checks the service for the pipeline, when only the VPC can reach it. @default - none */
  readonly verifier?: VerifierSettings;
}

export interface VerifierSettings {
  readonly functionName: string;
  /** The tooling account role the pipeline's check runs as. */
  readonly invokerRoleArn: string;
  /** 443 with HTTPS, else 80. */
  readonly listenerPort: number;
}

export interface ServiceStackProps extends StackProps, ServiceSettings {}

/** Account B's service: cluster, Fargate task pulling from Account A, and its place behind the ALB. */
export class ServiceStack extends Stack {
  readonly service: ecs.FargateService;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly targetGroup: elbv2.ApplicationTargetGroup;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    const names = props.parameterNames;
    const fromParameter = (name: string) => ssm.StringParameter.valueForStringParameter(this, name);

    const vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
      vpcId: fromParameter(names.vpcId),
      availabilityZones: this.availabilityZones.slice(0, 2),
      isolatedSubnetIds: names.privateSubnetIds.map(fromParameter),
    });
    for (const subnet of vpc.isolatedSubnets) {
      Annotations.of(subnet).acknowledgeWarning(
        '@aws-cdk/aws-ec2:noSubnetRouteTableId',
        'The service only places tasks in these subnets; routes belong to the network stage',
      );
    }
    const endpointSecurityGroup = ec2.SecurityGroup.fromSecurityGroupId(
      this,
      'EndpointSecurityGroup',
      fromParameter(names.endpointSecurityGroupId),
      { allowAllOutbound: false, mutable: false },
    );
    const albSecurityGroup = ec2.SecurityGroup.fromSecurityGroupId(
      this,
      'LoadBalancerSecurityGroup',
      fromParameter(names.loadBalancerSecurityGroupId),
      { allowAllOutbound: false },
    );

    const cluster = new ecs.Cluster(this, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: props.cpu,
      memoryLimitMiB: props.memoryMiB,
      runtimePlatform: {
        cpuArchitecture: props.cpuArchitecture === 'ARM64' ? ecs.CpuArchitecture.ARM64 : ecs.CpuArchitecture.X86_64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });
    const repository = ecr.Repository.fromRepositoryArn(this, 'Repository', props.repositoryArn);
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetentionDays });
    const container = this.taskDefinition.addContainer('Web', {
      image: ecs.ContainerImage.fromEcrRepository(repository, props.imageTag),
      portMappings: [{ containerPort: IMAGE_PORT, name: 'http' }],
      readonlyRootFilesystem: true,
      stopTimeout: ROLLOUT_TUNING.stopTimeout,
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'web' }),
    });
    // nginx writes its pid, temp files and cache; only these paths are writable.
    for (const [volume, path] of [
      ['tmp', '/tmp'],
      ['nginx-cache', '/var/cache/nginx'],
    ]) {
      this.taskDefinition.addVolume({ name: volume });
      container.addMountPoints({ sourceVolume: volume, containerPath: path, readOnly: false });
    }
    acknowledge(this.taskDefinition, {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ecr:GetAuthorizationToken has no resource-level permissions; the pull actions are scoped to the repository',
    });

    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: 'Service tasks: the container port from the load balancer; HTTPS to the endpoints and S3',
      allowAllOutbound: false,
    });
    securityGroup.connections.allowFrom(albSecurityGroup, ec2.Port.tcp(IMAGE_PORT), 'Load balancer');
    securityGroup.addEgressRule(endpointSecurityGroup, ec2.Port.tcp(443), 'ECR API, ECR registry and logs endpoints');
    // The region's S3 prefix list, recorded in cdk.context.json: image layers come through the gateway endpoint.
    const s3PrefixList = ec2.PrefixList.fromLookup(this, 'S3PrefixList', {
      prefixListName: `com.amazonaws.${this.region}.s3`,
    });
    securityGroup.addEgressRule(ec2.Peer.prefixList(s3PrefixList.prefixListId), ec2.Port.tcp(443), 'Image layers');

    this.service = new ecs.FargateService(this, 'Service', {
      cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: props.desiredCount,
      assignPublicIp: false,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [securityGroup],
      circuitBreaker: { enable: true, rollback: true },
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      healthCheckGracePeriod: Duration.seconds(10),
    });

    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'TargetGroup', {
      vpc,
      port: IMAGE_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
      deregistrationDelay: ROLLOUT_TUNING.deregistrationDelay,
      healthCheck: {
        path: '/healthz',
        interval: ROLLOUT_TUNING.healthCheckInterval,
        timeout: ROLLOUT_TUNING.healthCheckTimeout,
        healthyThresholdCount: ROLLOUT_TUNING.healthyThreshold,
        unhealthyThresholdCount: ROLLOUT_TUNING.unhealthyThreshold,
        healthyHttpCodes: '200',
      },
    });
    this.targetGroup.addTarget(this.service);

    const listener = elbv2.ApplicationListener.fromApplicationListenerAttributes(this, 'Listener', {
      listenerArn: fromParameter(names.listenerArn),
      securityGroup: albSecurityGroup,
    });
    const rule = new elbv2.ApplicationListenerRule(this, 'ListenerRule', {
      listener,
      priority: 10,
      conditions: [elbv2.ListenerCondition.pathPatterns(['/*'])],
      action: elbv2.ListenerAction.forward([this.targetGroup]),
    });
    // ECS refuses a target group that no listener uses yet.
    this.service.node.addDependency(rule);

    if (props.maxCount > props.desiredCount) {
      this.service
        .autoScaleTaskCount({ minCapacity: props.desiredCount, maxCapacity: props.maxCount })
        .scaleOnCpuUtilization('CpuTarget', { targetUtilizationPercent: 60 });
    }

    if (props.verifier) {
      new InVpcVerifier(this, 'Verifier', {
        ...props.verifier,
        vpc,
        loadBalancerSecurityGroup: albSecurityGroup,
        serviceUrl: fromParameter(names.serviceUrl),
        logRetentionDays: props.logRetentionDays,
      });
    }

    new CfnOutput(this, 'ImageTag', { value: props.imageTag });
    new CfnOutput(this, 'ServiceName', { value: this.service.serviceName });
  }
}
