import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { ECS_LOAD_BALANCER_ACTIONS } from '../../config/iam-actions';
import { NETWORK_OUTPUTS, type NetworkOutput } from '../network/handoff';
import { acknowledge } from '../nag';
import { ecsRole } from './ecs-role';
import { IMAGE_PORT } from './image-port';
import type { ImportedNetwork } from './imported-network';
import { ROLLOUT_TUNING } from './service-settings';

export interface ServiceRoutingProps {
  readonly network: ImportedNetwork;
  /** The service placed behind both listeners. */
  readonly service: ecs.FargateService;
  /** Its container that serves the image's port. */
  readonly container: ecs.ContainerDefinition;
}

/**
 * The service's place behind the load balancer: two target groups, a rule on the production listener and one on the
 * test listener, and the role ECS moves them with. Built in the stack's own scope (see ServiceStack).
 *
 * Both target groups, both rules and the role exist whatever the strategy: once a blue/green deployment has run, ECS
 * owns the production rule's weights and either group may hold the production tasks (aws/aws-cdk#36649), so a
 * strategy change must neither delete a group nor rewrite the rule (test/day2). In blue/green, ECS registers the new
 * tasks in whichever group is idle, sends the test listener there, runs the hook, then moves the production rule over
 * (ECS developer guide, "Amazon ECS blue/green deployments").
 */
export class ServiceRouting {
  /** The group the service starts in, and the one ECS moves it to and back: one per version during a deployment. */
  readonly targetGroups: readonly [elbv2.ApplicationTargetGroup, elbv2.ApplicationTargetGroup];

  constructor(
    private readonly scope: Construct,
    props: ServiceRoutingProps,
  ) {
    const { network } = props;
    const importListener = (id: string, output: NetworkOutput) =>
      elbv2.ApplicationListener.fromApplicationListenerAttributes(scope, id, {
        listenerArn: network.output(output),
        securityGroup: network.loadBalancerSecurityGroup,
      });
    const forwardAll = (id: string, listener: elbv2.IApplicationListener, targetGroup: elbv2.IApplicationTargetGroup) =>
      new elbv2.ApplicationListenerRule(scope, id, {
        listener,
        priority: 10,
        conditions: [elbv2.ListenerCondition.pathPatterns(['/*'])],
        action: elbv2.ListenerAction.forward([targetGroup]),
      });

    const primary = this.targetGroup('TargetGroup', network);
    const productionRule = forwardAll('ListenerRule', importListener('Listener', NETWORK_OUTPUTS.listenerArn), primary);
    const alternate = this.targetGroup('AlternateTargetGroup', network);
    this.targetGroups = [primary, alternate];
    const testListener = importListener('TestListener', NETWORK_OUTPUTS.testListenerArn);
    const testRule = forwardAll('TestListenerRule', testListener, primary);
    props.service
      .loadBalancerTarget({
        containerName: props.container.containerName,
        containerPort: IMAGE_PORT,
        alternateTarget: new ecs.AlternateTarget('BlueGreen', {
          alternateTargetGroup: alternate,
          productionListener: ecs.ListenerRuleConfiguration.applicationListenerRule(productionRule),
          testListener: ecs.ListenerRuleConfiguration.applicationListenerRule(testRule),
          role: this.loadBalancerRole([productionRule, testRule]),
        }),
      })
      .attachToApplicationTargetGroup(primary);
  }

  private targetGroup(id: string, network: ImportedNetwork): elbv2.ApplicationTargetGroup {
    return new elbv2.ApplicationTargetGroup(this.scope, id, {
      vpc: network.vpc,
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
  }

  /**
   * The role ECS uses to move the listener rules and register tasks: the calls of the AWS managed policy
   * AmazonECSInfrastructureRolePolicyForLoadBalancers (v6), on this service's rules, listeners and target groups only.
   * Describe* calls have no resource-level permissions in Elastic Load Balancing.
   */
  private loadBalancerRole(rules: readonly elbv2.ApplicationListenerRule[]): iam.Role {
    const role = ecsRole(
      this.scope,
      'LoadBalancerRole',
      'ECS blue/green: moves this service between its target groups',
      [
        new iam.PolicyStatement({ actions: [...ECS_LOAD_BALANCER_ACTIONS.describe], resources: ['*'] }),
        new iam.PolicyStatement({
          actions: [...ECS_LOAD_BALANCER_ACTIONS.targets],
          resources: this.targetGroups.map((g) => g.targetGroupArn),
        }),
        new iam.PolicyStatement({
          actions: [...ECS_LOAD_BALANCER_ACTIONS.rules],
          resources: rules.map((r) => r.listenerRuleArn),
        }),
      ],
    );
    acknowledge(role, {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Elastic Load Balancing Describe calls have no resource-level permissions; the changes are scoped',
    });
    return role;
  }
}
