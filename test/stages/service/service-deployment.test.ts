// How the service stack rolls a new version out: the strategies, the pre-traffic check and the deployment alarms.
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { ROLLOUT_TUNING } from '../../../stages/service/service-settings';
import { modelRollouts } from '../../../tools/report/rollout';
import { IMAGE_TAG } from '../../helpers/constants';
import { fromNetwork, rolling, serviceOf, template } from './service-fixture';

describe('service stage deployments (Account B)', () => {
  test('models a rolling rollout at 45 s or less, and blue/green as that plus the 5-minute bake time', () => {
    const health = ROLLOUT_TUNING.healthCheckInterval.toSeconds() * ROLLOUT_TUNING.healthyThreshold;
    const drain = ROLLOUT_TUNING.deregistrationDelay.toSeconds() + ROLLOUT_TUNING.stopTimeout.toSeconds();
    const [rollingModel] = modelRollouts(rolling.toJSON());
    expect([rollingModel.strategy, rollingModel.toNewVersionSeconds, rollingModel.seconds]).toEqual([
      'rolling',
      health,
      health + drain,
    ]);
    expect(rollingModel.seconds).toBeLessThanOrEqual(45);
    const [blueGreen] = modelRollouts(template.toJSON());
    expect([blueGreen.strategy, blueGreen.toNewVersionSeconds, blueGreen.seconds]).toEqual([
      'blue-green',
      health,
      health + 300 + drain,
    ]);
  });

  test('rolling: the same two target groups, rules and load balancer configuration as blue/green; only the strategy differs', () => {
    // A change of strategy must not delete a group or rewrite a rule that ECS may own (test/day2).
    for (const type of ['AWS::ElasticLoadBalancingV2::TargetGroup', 'AWS::ElasticLoadBalancingV2::ListenerRule']) {
      expect(Object.keys(rolling.findResources(type)).sort()).toEqual(Object.keys(template.findResources(type)).sort());
    }
    rolling.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      ListenerArn: fromNetwork('ListenerArn', 'staging'),
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }],
      Actions: [Match.objectLike({ Type: 'forward' })],
    });
    const { Properties } = serviceOf(rolling);
    expect(Properties.DeploymentConfiguration.Strategy).toBe('ROLLING');
    expect(Properties.DeploymentConfiguration.BakeTimeInMinutes).toBeUndefined();
    expect(Properties.DeploymentConfiguration.LifecycleHooks).toBeUndefined();
    const keysOf = (t: Template) => Object.keys(serviceOf(t).Properties.LoadBalancers[0].AdvancedConfiguration).sort();
    expect(keysOf(rolling)).toEqual(keysOf(template));
    rolling.resourceCountIs('AWS::Lambda::Function', 0);
  });

  test('keeps the circuit breaker on with rollback, whichever the strategy', () => {
    for (const t of [template, rolling]) {
      expect(serviceOf(t).Properties.DeploymentConfiguration.DeploymentCircuitBreaker).toEqual({
        Enable: true,
        Rollback: true,
      });
    }
  });

  test('blue/green by default: a 5-minute bake, an alternate target group, and a test rule on the test listener', () => {
    const { Properties } = serviceOf(template);
    expect(Properties.DeploymentConfiguration).toMatchObject({ Strategy: 'BLUE_GREEN', BakeTimeInMinutes: 5 });
    const groups = Object.keys(template.findResources('AWS::ElasticLoadBalancingV2::TargetGroup'));
    const rules = template.findResources('AWS::ElasticLoadBalancingV2::ListenerRule');
    const ruleOn = (output: string) =>
      Object.keys(rules).find((id) => rules[id].Properties.ListenerArn['Fn::GetStackOutput']?.OutputName === output)!;
    const [production, test] = [ruleOn('ListenerArn'), ruleOn('TestListenerArn')];
    expect(production).not.toBe(test);
    const [primary] = groups.filter((g) => !/Alternate/.test(g));
    const [alternate] = groups.filter((g) => /Alternate/.test(g));
    expect(Properties.LoadBalancers).toEqual([
      {
        ContainerName: 'Web',
        ContainerPort: 8080,
        TargetGroupArn: { Ref: primary },
        AdvancedConfiguration: {
          AlternateTargetGroupArn: { Ref: alternate },
          ProductionListenerRule: { Ref: production },
          TestListenerRule: { Ref: test },
          RoleArn: { 'Fn::GetAtt': [expect.stringMatching(/^LoadBalancerRole/), 'Arn'] },
        },
      },
    ]);
    // Both rules start on the primary group; ECS moves them.
    for (const rule of [production, test]) {
      expect(rules[rule].Properties.Actions).toEqual([
        expect.objectContaining({ Type: 'forward', TargetGroupArn: { Ref: primary } }),
      ]);
    }
  });

  test('runs the pre-traffic check after test traffic moves, through a relay outside the VPC, at no cost', () => {
    const [hook] = serviceOf(template).Properties.DeploymentConfiguration.LifecycleHooks;
    const functions = template.findResources('AWS::Lambda::Function');
    const [verifierId] = Object.keys(functions).filter(
      (id) => functions[id].Properties.FunctionName === 'hello-privatelink-production-verifier',
    );
    const [relayId] = Object.keys(functions).filter((id) => /^HookRelay/.test(id));
    expect(hook).toEqual({
      LifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'],
      HookTargetArn: { 'Fn::GetAtt': [relayId, 'Arn'] },
      RoleArn: { 'Fn::GetAtt': [expect.stringMatching(/^DeploymentHookRole/), 'Arn'] },
      HookDetails: { expectVersion: IMAGE_TAG, deadlineSeconds: 600 },
    });
    const role = template.findResources('AWS::IAM::Role')[hook.RoleArn['Fn::GetAtt'][0]].Properties;
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'ecs.amazonaws.com' } },
    ]);
    expect(role.Policies[0].PolicyDocument.Statement).toEqual([
      { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { 'Fn::GetAtt': [relayId, 'Arn'] } },
    ]);
    // The relay runs outside the VPC, where the EC2 API needs no endpoint; the verifier it hands over to runs inside.
    expect(functions[relayId].Properties.VpcConfig).toBeUndefined();
    expect(functions[verifierId].Properties.VpcConfig.SubnetIds).toHaveLength(2);
    expect(functions[relayId].Properties.Environment.Variables).toEqual({
      LOAD_BALANCER_FULL_NAME: fromNetwork('LoadBalancerFullName'),
      VERIFIER_FUNCTION_NAME: { Ref: verifierId },
    });
    const relayRole = functions[relayId].Properties.Role['Fn::GetAtt'][0];
    expect(template.findResources('AWS::IAM::Role')[relayRole].Properties.Policies[0].PolicyDocument.Statement).toEqual(
      [
        { Action: 'ec2:DescribeNetworkInterfaces', Effect: 'Allow', Resource: '*' },
        { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { 'Fn::GetAtt': [verifierId, 'Arn'] } },
        expect.objectContaining({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'] }),
      ],
    );
  });

  test('rolls back on each target group by itself: its 5XX rate and its unhealthy tasks, with any strategy', () => {
    for (const t of [template, rolling]) {
      const alarms = t.findResources('AWS::CloudWatch::Alarm');
      expect(serviceOf(t).Properties.DeploymentConfiguration.Alarms).toEqual({
        AlarmNames: Object.keys(alarms).map((id) => ({ Ref: id })),
        Enable: true,
        Rollback: true,
      });
      const groups = Object.keys(t.findResources('AWS::ElasticLoadBalancingV2::TargetGroup'));
      expect(Object.keys(alarms)).toHaveLength(2 * groups.length);
      /** The target groups an alarm's metrics name. */
      const groupsOf = (alarm: Record<string, any>) => [
        ...new Set(
          [...JSON.stringify(alarm.Properties).matchAll(/"Fn::GetAtt":\["(\w+)","TargetGroupFullName"\]/g)].map(
            (m) => m[1],
          ),
        ),
      ];
      for (const group of groups) {
        const own = Object.values(alarms).filter((a) => groupsOf(a).join() === group);
        // One version's errors never count against the other's: each alarm reads one group only.
        expect(own).toHaveLength(2);
        const [rate] = own.filter((a) => a.Properties.Metrics);
        expect(rate.Properties).toMatchObject({
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          Threshold: 10,
          EvaluationPeriods: 2,
          DatapointsToAlarm: 2,
          TreatMissingData: 'notBreaching',
        });
        const expression = rate.Properties.Metrics.find((m: { Expression?: string }) => m.Expression);
        expect(expression.Expression).toBe('IF(r >= 3, 100 * e / r, 0)');
        const [unhealthy] = own.filter((a) => !a.Properties.Metrics);
        expect(unhealthy.Properties).toMatchObject({
          MetricName: 'UnHealthyHostCount',
          Statistic: 'Maximum',
          Threshold: 1,
        });
      }
    }
  });
});
