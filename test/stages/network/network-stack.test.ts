// The network stack's VPC, subnets, endpoints, diagnostics host and the outputs the service stack reads.
import { Match } from 'aws-cdk-lib/assertions';
import { NETWORK_OUTPUTS } from '../../../stages/network/handoff';
import { REGION } from '../../helpers/constants';
import { REPOSITORY_ARN, httpsWithDiagnostics, internalNetwork, publicNetwork, zoned } from './network-fixture';

describe('network stage (Account B)', () => {
  test('builds a VPC over 2 AZs with 2 public and 2 isolated subnets and no NAT gateway', () => {
    publicNetwork.resourceCountIs('AWS::EC2::VPC', 1);
    publicNetwork.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.0.0.0/16' });
    publicNetwork.resourceCountIs('AWS::EC2::Subnet', 4);
    publicNetwork.resourceCountIs('AWS::EC2::NatGateway', 0);
    publicNetwork.resourceCountIs('AWS::EC2::EIP', 0);
    const subnets = Object.values(publicNetwork.findResources('AWS::EC2::Subnet')).map((s) => s.Properties);
    expect(new Set(subnets.map((s) => s.AvailabilityZone))).toEqual(new Set([`${REGION}a`, `${REGION}b`]));
    expect(subnets.filter((s) => s.MapPublicIpOnLaunch === true)).toHaveLength(0);
    expect(subnets.map((s) => s.CidrBlock).sort()).toEqual([
      '10.0.0.0/18',
      '10.0.128.0/18',
      '10.0.192.0/18',
      '10.0.64.0/18',
    ]);
  });

  test('gives the isolated subnets no route to the internet', () => {
    const routes = Object.values(publicNetwork.findResources('AWS::EC2::Route')).map((r) => r.Properties);
    // Only the two public route tables reach the internet gateway; nothing routes through a NAT.
    expect(routes).toHaveLength(2);
    for (const route of routes) expect(route.GatewayId).toBeDefined();
  });

  test('keeps flow logs with a retention', () => {
    publicNetwork.resourceCountIs('AWS::EC2::FlowLog', 1);
    publicNetwork.hasResourceProperties('AWS::EC2::FlowLog', { ResourceType: 'VPC', TrafficType: 'ALL' });
    publicNetwork.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  test('adds an S3 gateway endpoint limited to the ECR layer bucket, on the isolated route tables', () => {
    publicNetwork.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      ServiceName: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith(['.s3'])]) }),
      RouteTableIds: Match.arrayWith([{ Ref: Match.stringLikeRegexp('PrivateSubnet1RouteTable') }]),
      PolicyDocument: {
        Statement: [
          {
            Sid: 'EcrImageLayersOnly',
            Effect: 'Allow',
            Principal: '*',
            Action: 's3:GetObject',
            Resource: `arn:aws:s3:::prod-${REGION}-starport-layer-bucket/*`,
          },
        ],
        Version: '2012-10-17',
      },
    });
  });

  test('adds ecr.api, ecr.dkr and logs interface endpoints with private DNS in the isolated subnets', () => {
    const endpoints = Object.values(
      publicNetwork.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } }),
    );
    expect(endpoints.map((e) => e.Properties.ServiceName).sort()).toEqual([
      `com.amazonaws.${REGION}.ecr.api`,
      `com.amazonaws.${REGION}.ecr.dkr`,
      `com.amazonaws.${REGION}.logs`,
    ]);
    for (const endpoint of endpoints) {
      expect(endpoint.Properties.PrivateDnsEnabled).toBe(true);
      expect(JSON.stringify(endpoint.Properties.SubnetIds)).toMatch(/PrivateSubnet1.*PrivateSubnet2/);
      expect(JSON.stringify(endpoint.Properties.SubnetIds)).not.toContain('PublicSubnet');
    }
  });

  test('has no ec2 endpoint: the pre-traffic check finds the load balancer from outside the VPC, at no cost', () => {
    for (const template of [publicNetwork, internalNetwork, zoned]) {
      template.resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { ServiceName: `com.amazonaws.${REGION}.ec2` }, 0);
    }
  });

  test('limits the ECR endpoints to the registry repository plus GetAuthorizationToken', () => {
    for (const service of [`com.amazonaws.${REGION}.ecr.api`, `com.amazonaws.${REGION}.ecr.dkr`]) {
      publicNetwork.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        ServiceName: service,
        PolicyDocument: {
          Statement: [
            Match.objectLike({
              Action: Match.arrayWith(['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer']),
              Resource: REPOSITORY_ARN,
            }),
            Match.objectLike({ Action: 'ecr:GetAuthorizationToken', Resource: '*' }),
          ],
          Version: '2012-10-17',
        },
      });
    }
  });

  test('admits only TCP 443 from the VPC to the endpoints', () => {
    publicNetwork.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('Interface endpoints'),
      SecurityGroupIngress: [
        { CidrIp: '10.0.0.0/16', IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: Match.anyValue() },
      ],
    });
  });

  test('outputs ExternalUrl and every value the service stack reads, and no SSM parameter', () => {
    publicNetwork.hasOutput('ExternalUrl', {
      Value: { 'Fn::Join': ['', ['http://', { 'Fn::GetAtt': [Match.anyValue(), 'DNSName'] }]] },
    });
    expect(Object.keys(publicNetwork.findOutputs('*')).sort()).toEqual(Object.values(NETWORK_OUTPUTS).flat().sort());
    publicNetwork.resourceCountIs('AWS::SSM::Parameter', 0);
  });

  test('creates no SSM endpoints or instance unless diagnostics are on', () => {
    publicNetwork.resourceCountIs('AWS::EC2::Instance', 0);
    // S3, ecr.api, ecr.dkr, logs, and ec2 for the blue/green check.
    publicNetwork.resourceCountIs('AWS::EC2::VPCEndpoint', 4);
  });

  test('is entirely private with an internal ALB: no public subnets, no internet gateway', () => {
    internalNetwork.resourceCountIs('AWS::EC2::Subnet', 2);
    internalNetwork.resourceCountIs('AWS::EC2::InternetGateway', 0);
    internalNetwork.resourceCountIs('AWS::EC2::Route', 0);
    internalNetwork.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internal' });
    internalNetwork.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('Load balancer'),
      SecurityGroupIngress: [
        Match.objectLike({ CidrIp: '10.0.0.0/16', FromPort: 80 }),
        Match.objectLike({ CidrIp: '10.0.0.0/16', FromPort: 9080 }),
      ],
    });
  });

  test('adds the Session Manager endpoints and a private IMDSv2 instance when diagnostics are on', () => {
    const services = Object.values(httpsWithDiagnostics.findResources('AWS::EC2::VPCEndpoint')).map(
      (e) => e.Properties.ServiceName,
    );
    for (const name of ['ssm', 'ssmmessages', 'ec2messages'])
      expect(services).toContain(`com.amazonaws.${REGION}.${name}`);
    httpsWithDiagnostics.hasResourceProperties('AWS::EC2::Instance', {
      InstanceType: 't4g.nano',
      NetworkInterfaces: [
        Match.objectLike({
          SubnetId: { Ref: Match.stringLikeRegexp('PrivateSubnet1') },
          AssociatePublicIpAddress: false,
        }),
      ],
    });
    httpsWithDiagnostics.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: { MetadataOptions: { HttpTokens: 'required' } },
    });
    httpsWithDiagnostics.hasOutput('DiagnosticsInstanceId', {});
  });
});
