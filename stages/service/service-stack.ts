import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { Construct } from 'constructs';
import { TRAFFIC_SHIFT_STRATEGIES } from '../../config/load';
import { NETWORK_OUTPUTS } from '../network/handoff';
import { TEST_LISTENER_PORT } from '../network/load-balancer';
import { DeploymentAlarms } from './deployment-alarms';
import { ImportedNetwork } from './imported-network';
import { InVpcVerifier } from './in-vpc-verifier';
import { PreTrafficHook } from './pre-traffic-hook';
import { ServiceRouting } from './service-routing';
import type { ServiceSettings } from './service-settings';
import { WebService } from './web-service';
import { WebTask } from './web-task';

export interface ServiceStackProps extends StackProps, ServiceSettings {}

/**
 * Account B's service: cluster, Fargate task pulling from Account A, and its place behind the ALB.
 *
 * Its parts build their resources in this stack's own scope, not under a construct each: CDK derives logical IDs
 * from construct paths, and a new path would replace the deployed ECS service, target groups and listener rules.
 */
export class ServiceStack extends Stack {
  readonly service: ecs.FargateService;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly targetGroup: elbv2.ApplicationTargetGroup;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    const network = new ImportedNetwork(this, props.networkStackName);
    const cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: network.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    const task = new WebTask(this, props);
    this.taskDefinition = task.taskDefinition;
    // blue-green, canary and linear all run the new tasks beside the old ones behind the second target group, send
    // them test traffic, run the pre-traffic check, and move production traffic: at once, a share first, or in steps.
    const shiftsTraffic = TRAFFIC_SHIFT_STRATEGIES.includes(props.deploymentStrategy);
    this.service = new WebService(this, { ...props, network, cluster, task, shiftsTraffic }).service;
    const routing = new ServiceRouting(this, { network, service: this.service, container: task.container });
    this.targetGroup = routing.targetGroups[0];
    const loadBalancerFullName = network.output(NETWORK_OUTPUTS.loadBalancerFullName);

    if (shiftsTraffic || props.pipelineCheck) {
      const verifier = new InVpcVerifier(this, 'Verifier', {
        vpc: network.vpc,
        functionName: props.verifierFunctionName,
        loadBalancerSecurityGroup: network.loadBalancerSecurityGroup,
        logRetentionDays: props.logRetentionDays,
        pipelineCheck: props.pipelineCheck && {
          ...props.pipelineCheck,
          serviceUrl: network.output(NETWORK_OUTPUTS.serviceUrl),
        },
        deploymentHook: shiftsTraffic
          ? { testUrl: network.output(NETWORK_OUTPUTS.testUrl), testListenerPort: TEST_LISTENER_PORT }
          : undefined,
      }).function;
      if (shiftsTraffic) {
        new PreTrafficHook(this, { ...props, service: this.service, verifier, loadBalancerFullName });
      }
    }
    new DeploymentAlarms(this, {
      service: this.service,
      targetGroups: routing.targetGroups,
      loadBalancerFullName,
      alarmTopicArn: props.alarmTopicArn,
    });
    new CfnOutput(this, 'ImageTag', { value: props.imageTag });
    new CfnOutput(this, 'ServiceName', { value: this.service.serviceName });
  }
}
