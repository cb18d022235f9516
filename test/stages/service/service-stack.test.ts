// The service stack's resources: the cluster, the task, the service's network and its target group.
import { Match } from 'aws-cdk-lib/assertions';
import { IMAGE_TAG, PRODUCTION_ACCOUNT, REGION, REGISTRY_ACCOUNT } from '../../helpers/constants';
import { REPOSITORY_ARN, fromNetwork, service, template } from './service-fixture';

describe('service stage (Account B)', () => {
  test('deploys into the workload account', () => {
    expect(service.stack.account).toBe(PRODUCTION_ACCOUNT);
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
              [`${REGISTRY_ACCOUNT}.dkr.ecr.${REGION}.`, { Ref: 'AWS::URLSuffix' }, `/hello-privatelink:${IMAGE_TAG}`],
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

  test('scales on CPU from the desired count to the configured maximum', () => {
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2, MaxCapacity: 4 });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: 60 }),
    });
  });
});
