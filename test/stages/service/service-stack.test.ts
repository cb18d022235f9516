import { Match, Template } from 'aws-cdk-lib/assertions';
import { createDeliveryStages } from '../../../pipeline/delivery-stages';
import { ROLLOUT_TUNING } from '../../../stages/service/service-settings';
import { modelRollouts } from '../../../tools/report/rollout';
import { configWith, newProjectApp } from '../../helpers/cdk';

// GIVEN the default configuration (blue/green) with auto scaling up to 4 tasks, and a second environment that rolls,
// synthesized once for the file
const config = configWith((json) => {
  json.service.maxCount = 4;
  json.environments.push({
    name: 'staging',
    account: '444444444444',
    requireApproval: false,
    service: { deploymentStrategy: 'rolling' },
  });
});
const stages = createDeliveryStages(newProjectApp(), config, 'sha-0123456789abcdef');
const service = stages.environments[0].service;
const template = Template.fromStack(service.stack);
const rolling = Template.fromStack(stages.environments[1].service.stack);
const serviceOf = (t: Template) => Object.values(t.findResources('AWS::ECS::Service'))[0];
const REPOSITORY_ARN = 'arn:aws:ecr:us-east-2:222222222222:repository/hello-privatelink';

/** A value the service stack reads from its network stack when CloudFormation deploys it. */
const fromNetwork = (output: string, environment = 'production') => ({
  'Fn::GetStackOutput': { StackName: `hello-privatelink-${environment}-network`, OutputName: output },
});

describe('service stage (Account B)', () => {
  test('deploys into the workload account', () => {
    expect(service.stack.account).toBe('333333333333');
  });

  test('runs an ECS cluster with Container Insights', () => {
    template.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
  });

  test('defines an ARM64 Fargate task with the configured size, pulling the given tag from Account A', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: '256',
      Memory: '512',
      RequiresCompatibilities: ['FARGATE'],
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
      ContainerDefinitions: [
        Match.objectLike({
          Image: {
            'Fn::Join': [
              '',
              ['222222222222.dkr.ecr.us-east-2.', { Ref: 'AWS::URLSuffix' }, '/hello-privatelink:sha-0123456789abcdef'],
            ],
          },
          PortMappings: [Match.objectLike({ ContainerPort: 8080, Protocol: 'tcp' })],
          ReadonlyRootFilesystem: true,
          StopTimeout: 10,
          MountPoints: [
            { ContainerPath: '/tmp', ReadOnly: false, SourceVolume: 'tmp' },
            { ContainerPath: '/var/cache/nginx', ReadOnly: false, SourceVolume: 'nginx-cache' },
          ],
          LogConfiguration: Match.objectLike({ LogDriver: 'awslogs' }),
        }),
      ],
      Volumes: [{ Name: 'tmp' }, { Name: 'nginx-cache' }],
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  test('scopes the execution role pull actions to the repository ARN', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement,
    ) as Array<Record<string, any>>;
    const pull = statements.find((s) => [s.Action].flat().includes('ecr:BatchGetImage'));
    expect(pull?.Resource).toBe(REPOSITORY_ARN);
    const unscoped = statements.filter((s) => s.Resource === '*');
    expect(unscoped).toEqual([expect.objectContaining({ Action: 'ecr:GetAuthorizationToken' })]);
  });

  test('runs the desired count in the isolated subnets with no public IP, a circuit breaker and 100/200', () => {
    template.hasResourceProperties('AWS::ECS::Service', {
      DesiredCount: 2,
      LaunchType: 'FARGATE',
      NetworkConfiguration: {
        AwsvpcConfiguration: Match.objectLike({
          AssignPublicIp: 'DISABLED',
          Subnets: [fromNetwork('PrivateSubnet1Id'), fromNetwork('PrivateSubnet2Id')],
        }),
      },
      DeploymentConfiguration: Match.objectLike({
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
      }),
    });
  });

  test('reads the network values from the network stack outputs at deploy time: no SSM-typed parameter, no export', () => {
    const parameters = Object.values(template.toJSON().Parameters ?? {}) as Array<Record<string, any>>;
    expect(
      parameters.filter((p) => p.Type.startsWith('AWS::SSM::Parameter::Value') && !/bootstrap/.test(p.Default)),
    ).toEqual([]);
    const text = JSON.stringify(template.toJSON());
    expect(text).toContain(JSON.stringify(fromNetwork('VpcId')));
    expect(text).not.toContain('Fn::ImportValue');
  });

  test('admits only the load balancer on the container port; egress is HTTPS to endpoints and S3', () => {
    template.resourcePropertiesCountIs('AWS::EC2::SecurityGroupIngress', {}, 1);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 8080,
      ToPort: 8080,
      SourceSecurityGroupId: fromNetwork('LoadBalancerSecurityGroupId'),
    });
    const service = Object.values(template.findResources('AWS::EC2::SecurityGroup'))[0].Properties;
    expect(service.SecurityGroupIngress ?? []).toEqual([]);
    const egress = [
      ...(service.SecurityGroupEgress ?? []),
      ...Object.values(template.findResources('AWS::EC2::SecurityGroupEgress')).map((e) => e.Properties),
    ];
    for (const rule of egress) expect(rule.CidrIp).toBeUndefined();
    expect(egress).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ DestinationPrefixListId: 'pl-7ba54012', FromPort: 443 }),
        expect.objectContaining({
          DestinationSecurityGroupId: fromNetwork('EndpointSecurityGroupId'),
          FromPort: 443,
        }),
        // The ALB's side of the rule: egress from the load balancer to the tasks.
        expect.objectContaining({ FromPort: 8080, DestinationSecurityGroupId: expect.anything() }),
      ]),
    );
    for (const rule of egress) expect(rule.IpProtocol).toBe('tcp');
  });

  test('checks /healthz on an ip target group tuned for fast rollouts', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetType: 'ip',
      Port: 8080,
      HealthCheckPath: '/healthz',
      HealthCheckIntervalSeconds: 5,
      HealthyThresholdCount: 2,
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '15' }]),
    });
  });

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
      HookDetails: { expectVersion: 'sha-0123456789abcdef', deadlineSeconds: 600 },
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

  test('scales on CPU from the desired count to the configured maximum', () => {
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2, MaxCapacity: 4 });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: 60 }),
    });
  });
});
