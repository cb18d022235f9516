import { Annotations, CfnOutput, Duration, Fn, Lazy, Stack, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import {
  TRAFFIC_SHIFT_STRATEGIES,
  type CanaryConfig,
  type DeploymentStrategy,
  type LinearConfig,
} from '../../config/load';
import { TEST_LISTENER_PORT } from '../network/load-balancer';
import { NETWORK_OUTPUTS, type NetworkOutput } from '../network/handoff';
import { acknowledge } from '../nag';
import { IMAGE_PORT, IMAGE_USER } from './image-port';
import { HOOK_DEADLINE_SECONDS, type HookDetails } from '../../runtime/lambda/deployment-hook';
import { HookRelay } from './hook-relay';
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
 * Deployment alarm thresholds, for a small service. 1-minute periods and 2 of 2 datapoints: one stray error or one
 * slow health check never rolls back a good version, while a version that keeps failing trips within about 3
 * minutes, inside the default bake time. A good version has no target 5XX at all (nginx serves static files), and
 * an old task being drained is "draining", not unhealthy, so neither alarm moves during a good rollout.
 *
 * Each alarm watches one target group, so it judges one version: during a deployment the old version serves from one
 * group and the new one from the other, and neither version's errors count against the other. A rate, not a count:
 * a canary's 20% share of a small service's traffic may bring 2 requests a minute, all failing, which no count
 * threshold fit for full traffic would catch; 3 requests a minute at least, so one failed request alone is not 100%.
 * An old version that already fails keeps its own group's alarm in ALARM from before the deployment; ECS fails a
 * deployment when an alarm "moves to the ALARM state" (ECS API reference, ServiceDeploymentAlarms), so the fix is not
 * rolled back for the old version's errors.
 */
export const DEPLOYMENT_ALARMS = {
  periodSeconds: 60,
  datapoints: 2,
  target5xxPercent: 10,
  minimumRequestsPerMinute: 3,
  unhealthyTasks: 1,
} as const;

export interface ServiceStackProps extends StackProps, ServiceSettings {}

/** ECS's own strategy for each configured one (ECS developer guide, "Deploy Amazon ECS services"). */
const ECS_STRATEGIES: Record<DeploymentStrategy, ecs.DeploymentStrategy> = {
  'blue-green': ecs.DeploymentStrategy.BLUE_GREEN,
  canary: ecs.DeploymentStrategy.CANARY,
  linear: ecs.DeploymentStrategy.LINEAR,
  rolling: ecs.DeploymentStrategy.ROLLING,
};

/** Account B's service: cluster, Fargate task pulling from Account A, and its place behind the ALB. */
export class ServiceStack extends Stack {
  readonly service: ecs.FargateService;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly targetGroup: elbv2.ApplicationTargetGroup;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    const names = NETWORK_OUTPUTS;
    // Resolved by CloudFormation when it creates or updates this stack (stages/network/handoff.ts).
    const fromNetwork = (output: NetworkOutput) => Fn.getStackOutput(props.networkStackName, output);

    const vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
      vpcId: fromNetwork(names.vpcId),
      availabilityZones: this.availabilityZones.slice(0, 2),
      isolatedSubnetIds: names.privateSubnetIds.map(fromNetwork),
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
      fromNetwork(names.endpointSecurityGroupId),
      { allowAllOutbound: false, mutable: false },
    );
    const albSecurityGroup = ec2.SecurityGroup.fromSecurityGroupId(
      this,
      'LoadBalancerSecurityGroup',
      fromNetwork(names.loadBalancerSecurityGroupId),
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

    // blue-green, canary and linear all run the new tasks beside the old ones behind the second target group, send
    // them test traffic, run the pre-traffic check, and move production traffic: at once, a share first, or in steps.
    const shiftsTraffic = TRAFFIC_SHIFT_STRATEGIES.includes(props.deploymentStrategy);
    this.service = new ecs.FargateService(this, 'Service', {
      cluster,
      taskDefinition: this.taskDefinition,
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
      // A change of strategy changes only this: the load balancer configuration below is the same for both, and ECS
      // keeps it when a service moves between them ("identifies the active service revision that's serving traffic"
      // and "maintains the existing load balancer configuration", ECS developer guide, "Updating the deployment
      // strategy from Amazon ECS blue/green to rolling update").
      deploymentStrategy: ECS_STRATEGIES[props.deploymentStrategy],
      ...(shiftsTraffic && { bakeTime: Duration.minutes(props.bakeTimeMinutes) }),
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

    const newTargetGroup = (id: string) =>
      new elbv2.ApplicationTargetGroup(this, id, {
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
    const importListener = (id: string, output: NetworkOutput) =>
      elbv2.ApplicationListener.fromApplicationListenerAttributes(this, id, {
        listenerArn: fromNetwork(output),
        securityGroup: albSecurityGroup,
      });
    const forwardAll = (id: string, listener: elbv2.IApplicationListener, targetGroup: elbv2.IApplicationTargetGroup) =>
      new elbv2.ApplicationListenerRule(this, id, {
        listener,
        priority: 10,
        conditions: [elbv2.ListenerCondition.pathPatterns(['/*'])],
        action: elbv2.ListenerAction.forward([targetGroup]),
      });

    this.targetGroup = newTargetGroup('TargetGroup');
    const productionRule = forwardAll('ListenerRule', importListener('Listener', names.listenerArn), this.targetGroup);
    const targetGroups: elbv2.ApplicationTargetGroup[] = [this.targetGroup];
    const loadBalancerFullName = fromNetwork(names.loadBalancerFullName);

    // Both target groups, both rules and the role that moves them, whatever the strategy: once a blue/green deployment
    // has run, ECS owns the production rule's weights and either group may hold the production tasks
    // (aws/aws-cdk#36649), so a strategy change must neither delete a group nor rewrite the rule (test/day2).
    // In blue/green, ECS registers the new tasks in whichever group is idle, sends the test listener there, runs the
    // hook, then moves the production rule over (ECS developer guide, "Amazon ECS blue/green deployments").
    const alternateTargetGroup = newTargetGroup('AlternateTargetGroup');
    targetGroups.push(alternateTargetGroup);
    const testListener = importListener('TestListener', names.testListenerArn);
    const testRule = forwardAll('TestListenerRule', testListener, this.targetGroup);
    this.service
      .loadBalancerTarget({
        containerName: container.containerName,
        containerPort: IMAGE_PORT,
        alternateTarget: new ecs.AlternateTarget('BlueGreen', {
          alternateTargetGroup,
          productionListener: ecs.ListenerRuleConfiguration.applicationListenerRule(productionRule),
          testListener: ecs.ListenerRuleConfiguration.applicationListenerRule(testRule),
          role: this.loadBalancerRole(targetGroups, [productionRule, testRule]),
        }),
      })
      .attachToApplicationTargetGroup(this.targetGroup);

    const verifier =
      shiftsTraffic || props.pipelineCheck
        ? new InVpcVerifier(this, 'Verifier', {
            vpc,
            functionName: props.verifierFunctionName,
            loadBalancerSecurityGroup: albSecurityGroup,
            logRetentionDays: props.logRetentionDays,
            pipelineCheck: props.pipelineCheck && {
              ...props.pipelineCheck,
              serviceUrl: fromNetwork(names.serviceUrl),
            },
            deploymentHook: shiftsTraffic
              ? { testUrl: fromNetwork(names.testUrl), testListenerPort: TEST_LISTENER_PORT }
              : undefined,
          })
        : undefined;
    if (shiftsTraffic && verifier) {
      // An internet-facing load balancer's name resolves to public addresses only, which the isolated subnets cannot
      // reach ("resolvable to the public IP addresses of the nodes", ELB API reference, CreateLoadBalancer): the
      // relay outside the VPC looks up its private ones and hands them to the verifier.
      const hookTarget = props.internetFacing
        ? new HookRelay(this, 'HookRelay', {
            verifier: verifier.function,
            loadBalancerFullName,
            logRetentionDays: props.logRetentionDays,
          }).function
        : verifier.function;
      this.addDeploymentHook(hookTarget, props.imageTag);
    }
    this.addDeploymentAlarms(targetGroups, loadBalancerFullName, props.alarmTopicArn);

    if (props.maxCount > props.desiredCount) {
      this.service
        .autoScaleTaskCount({ minCapacity: props.desiredCount, maxCapacity: props.maxCount })
        .scaleOnCpuUtilization('CpuTarget', { targetUtilizationPercent: 60 });
    }

    new CfnOutput(this, 'ImageTag', { value: props.imageTag });
    new CfnOutput(this, 'ServiceName', { value: this.service.serviceName });
  }

  /** A role only ECS may assume, with these statements as its one inline policy. */
  private ecsRole(id: string, description: string, statements: iam.PolicyStatement[]): iam.Role {
    return new iam.Role(this, id, {
      assumedBy: new iam.ServicePrincipal('ecs.amazonaws.com'),
      description,
      inlinePolicies: { Ecs: new iam.PolicyDocument({ statements }) },
    });
  }

  /**
   * The role ECS uses to move the listener rules and register tasks: the calls of the AWS managed policy
   * AmazonECSInfrastructureRolePolicyForLoadBalancers (v6), on this service's rules, listeners and target groups only.
   * Describe* calls have no resource-level permissions in Elastic Load Balancing.
   */
  private loadBalancerRole(
    targetGroups: readonly elbv2.ApplicationTargetGroup[],
    rules: readonly elbv2.ApplicationListenerRule[],
  ): iam.Role {
    const role = this.ecsRole('LoadBalancerRole', 'ECS blue/green: moves this service between its target groups', [
      new iam.PolicyStatement({
        actions: [
          'elasticloadbalancing:DescribeListeners',
          'elasticloadbalancing:DescribeRules',
          'elasticloadbalancing:DescribeTargetGroups',
          'elasticloadbalancing:DescribeTargetHealth',
        ],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        actions: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'],
        resources: targetGroups.map((g) => g.targetGroupArn),
      }),
      new iam.PolicyStatement({
        actions: ['elasticloadbalancing:ModifyRule'],
        resources: rules.map((r) => r.listenerRuleArn),
      }),
    ]);
    acknowledge(role, {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Elastic Load Balancing Describe calls have no resource-level permissions; the changes are scoped',
    });
    return role;
  }

  /**
   * The pre-traffic check: after test traffic reaches the new tasks, ECS invokes the verifier (through the relay, for
   * an internet-facing load balancer), which checks them through the test listener and answers SUCCEEDED, IN_PROGRESS or FAILED (a rollback). The version to expect
   * travels in the hook's details, so a deployment checks exactly the image it is deploying.
   */
  private addDeploymentHook(target: lambda.IFunction, imageTag: string): void {
    const role = this.ecsRole('DeploymentHookRole', 'ECS blue/green: invokes the pre-traffic check', [
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [target.functionArn] }),
    ]);
    this.service.addLifecycleHook(
      new ecs.DeploymentLifecycleLambdaTarget(target, 'PreTrafficCheck', {
        role,
        lifecycleStages: [ecs.DeploymentLifecycleStage.POST_TEST_TRAFFIC_SHIFT],
      }),
    );
    const details: HookDetails = { expectVersion: imageTag, deadlineSeconds: HOOK_DEADLINE_SECONDS };
    addHookDetails(this.service, target, details);
  }

  /** Rollback when the tasks answer 5XX or fail health checks while a deployment runs (bake time included). */
  private addDeploymentAlarms(
    targetGroups: readonly elbv2.ApplicationTargetGroup[],
    loadBalancerFullName: string,
    alarmTopicArn: string | undefined,
  ) {
    const period = Duration.seconds(DEPLOYMENT_ALARMS.periodSeconds);
    const metric = (group: elbv2.ApplicationTargetGroup, metricName: string, statistic: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/ApplicationELB',
        metricName,
        statistic,
        period,
        dimensionsMap: { LoadBalancer: loadBalancerFullName, TargetGroup: group.targetGroupFullName },
      });
    const alarm = (id: string, alarmMetric: cloudwatch.IMetric, threshold: number, description: string) =>
      new cloudwatch.Alarm(this, id, {
        metric: alarmMetric,
        threshold,
        evaluationPeriods: DEPLOYMENT_ALARMS.datapoints,
        datapointsToAlarm: DEPLOYMENT_ALARMS.datapoints,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // No requests means no errors, not an unknown state that would hold a deployment.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
    const alarms = targetGroups.flatMap((group, i) => {
      const which = i === 0 ? 'Primary' : 'Alternate';
      const errorRate = new cloudwatch.MathExpression({
        expression: `IF(r >= ${DEPLOYMENT_ALARMS.minimumRequestsPerMinute}, 100 * e / r, 0)`,
        label: `Target 5XX % (${which.toLowerCase()} group)`,
        period,
        usingMetrics: {
          e: metric(group, 'HTTPCode_Target_5XX_Count', 'Sum'),
          r: metric(group, 'RequestCount', 'Sum'),
        },
      });
      return [
        alarm(
          `Target5xxRate${which}`,
          errorRate,
          DEPLOYMENT_ALARMS.target5xxPercent,
          `The version in the ${which.toLowerCase()} target group answers 5XX: rolls a deployment back`,
        ),
        alarm(
          `UnhealthyTasks${which}`,
          metric(group, 'UnHealthyHostCount', 'Maximum'),
          DEPLOYMENT_ALARMS.unhealthyTasks,
          `A task in the ${which.toLowerCase()} target group fails its health check: rolls a deployment back`,
        ),
      ];
    });
    // ECS reads the alarms itself to roll back; a topic, when config names one, also tells people (CT.CLOUDWATCH.PR.1).
    if (alarmTopicArn) {
      const topic = sns.Topic.fromTopicArn(this, 'AlarmTopic', alarmTopicArn);
      for (const a of alarms) {
        a.addAlarmAction(new cloudwatchActions.SnsAction(topic));
        a.addOkAction(new cloudwatchActions.SnsAction(topic));
      }
    }
    this.service.enableDeploymentAlarms(
      alarms.map((a) => a.alarmName),
      { behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM },
    );
  }
}

/**
 * Gives the lifecycle hook that invokes `target` its HookDetails, which CDK's addLifecycleHook has no option for. The
 * hook is found by its target ARN in the list CDK renders, wherever it stands; synth fails if none invokes `target`.
 */
function addHookDetails(service: ecs.FargateService, target: lambda.IFunction, details: HookDetails): void {
  const cfnService = service.node.defaultChild as ecs.CfnService;
  const configuration = cfnService.deploymentConfiguration as ecs.CfnService.DeploymentConfigurationProperty;
  const cdkHooks = configuration.lifecycleHooks;
  cfnService.deploymentConfiguration = {
    ...configuration,
    lifecycleHooks: Lazy.any({
      produce: () => {
        const stack = Stack.of(service);
        const hooks = (stack.resolve(cdkHooks) ?? []) as ecs.CfnService.DeploymentLifecycleHookProperty[];
        const targetArn = JSON.stringify(stack.resolve(target.functionArn));
        const index = hooks.findIndex((hook) => JSON.stringify(hook.hookTargetArn) === targetArn);
        if (index < 0) throw new Error(`${service.node.path}: no lifecycle hook invokes ${target.node.path}`);
        return hooks.map((hook, i) => (i === index ? { ...hook, hookDetails: details } : hook));
      },
    }),
  };
}
