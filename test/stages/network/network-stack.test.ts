import { Match, Template } from 'aws-cdk-lib/assertions';
import { NetworkStage } from '../../../stages/network/network-stage';
import type { NetworkSettings } from '../../../stages/network/network-stack';
import { NETWORK_OUTPUTS } from '../../../stages/network/handoff';
import { EXAMPLE_ZONE, newProjectApp } from '../../helpers/cdk';

const REPOSITORY_ARN = 'arn:aws:ecr:us-east-2:222222222222:repository/hello-privatelink';
const CERTIFICATE_ARN = 'arn:aws:acm:us-east-2:333333333333:certificate/11111111-2222-3333-4444-555555555555';

// GIVEN four variants of the network stage in one app, synthesized once for the file
const app = newProjectApp();
function variant(id: string, settings: Partial<NetworkSettings>): Template {
  const stage = new NetworkStage(app, id, {
    env: { account: '333333333333', region: 'us-east-2' },
    stackName: `test-${id.toLowerCase()}-network`,
    network: {
      vpcCidr: '10.0.0.0/16',
      internetFacing: true,
      diagnosticsHost: false,
      logRetentionDays: 30,
      deletionProtection: true,
      repositoryArn: REPOSITORY_ARN,
      ...settings,
    },
  });
  return Template.fromStack(stage.stack);
}
const publicNetwork = variant('Public', {});
const internalNetwork = variant('Internal', { internetFacing: false });
const httpsWithDiagnostics = variant('Https', {
  domainName: 'www.example.com',
  certificateArn: CERTIFICATE_ARN,
  diagnosticsHost: true,
});
const zoned = variant('Zoned', {
  internetFacing: false,
  domainName: 'app.internal.example.com',
  hostedZone: EXAMPLE_ZONE,
});

const securityGroupRules = (template: Template) =>
  Object.values(template.findResources('AWS::EC2::SecurityGroup')).flatMap((sg) => [
    ...(sg.Properties.SecurityGroupIngress ?? []).map((r: object) => ({ direction: 'ingress', ...r })),
    ...(sg.Properties.SecurityGroupEgress ?? []).map((r: object) => ({ direction: 'egress', ...r })),
  ]) as Array<Record<string, any>>;

describe('network stage (Account B)', () => {
  test('builds a VPC over 2 AZs with 2 public and 2 isolated subnets and no NAT gateway', () => {
    publicNetwork.resourceCountIs('AWS::EC2::VPC', 1);
    publicNetwork.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.0.0.0/16' });
    publicNetwork.resourceCountIs('AWS::EC2::Subnet', 4);
    publicNetwork.resourceCountIs('AWS::EC2::NatGateway', 0);
    publicNetwork.resourceCountIs('AWS::EC2::EIP', 0);
    const subnets = Object.values(publicNetwork.findResources('AWS::EC2::Subnet')).map((s) => s.Properties);
    expect(new Set(subnets.map((s) => s.AvailabilityZone))).toEqual(new Set(['us-east-2a', 'us-east-2b']));
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
            Resource: 'arn:aws:s3:::prod-us-east-2-starport-layer-bucket/*',
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
      'com.amazonaws.us-east-2.ecr.api',
      'com.amazonaws.us-east-2.ecr.dkr',
      'com.amazonaws.us-east-2.logs',
    ]);
    for (const endpoint of endpoints) {
      expect(endpoint.Properties.PrivateDnsEnabled).toBe(true);
      expect(JSON.stringify(endpoint.Properties.SubnetIds)).toMatch(/PrivateSubnet1.*PrivateSubnet2/);
      expect(JSON.stringify(endpoint.Properties.SubnetIds)).not.toContain('PublicSubnet');
    }
  });

  test('has no ec2 endpoint: the pre-traffic check finds the load balancer from outside the VPC, at no cost', () => {
    for (const template of [publicNetwork, internalNetwork, zoned]) {
      template.resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { ServiceName: 'com.amazonaws.us-east-2.ec2' }, 0);
    }
  });

  test('adds the test listener on 9080 that only the VPC reaches, whatever the strategy', () => {
    publicNetwork.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 9080,
      Protocol: 'HTTP',
      DefaultActions: [Match.objectLike({ Type: 'forward' })],
    });
    const testRules = securityGroupRules(publicNetwork).filter((r) => r.FromPort === 9080 || r.ToPort === 9080);
    expect(testRules).toEqual([
      {
        direction: 'ingress',
        CidrIp: '10.0.0.0/16',
        IpProtocol: 'tcp',
        FromPort: 9080,
        ToPort: 9080,
        Description: 'Blue/green test traffic, from inside the VPC only',
      },
    ]);
    internalNetwork.resourcePropertiesCountIs('AWS::ElasticLoadBalancingV2::Listener', { Port: 9080 }, 1);
  });

  test('limits the ECR endpoints to the registry repository plus GetAuthorizationToken', () => {
    for (const service of ['com.amazonaws.us-east-2.ecr.api', 'com.amazonaws.us-east-2.ecr.dkr']) {
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

  test('opens 0.0.0.0/0 only on the load balancer listener ports, and no rule opens all protocols', () => {
    for (const template of [publicNetwork, internalNetwork, httpsWithDiagnostics, zoned]) {
      for (const rule of securityGroupRules(template)) {
        expect(rule.IpProtocol).not.toBe('-1');
        if (rule.CidrIp === '0.0.0.0/0') {
          expect(rule.direction).toBe('ingress');
          expect([80, 443]).toContain(rule.FromPort);
          expect(rule.ToPort).toBe(rule.FromPort);
        }
      }
      template.resourcePropertiesCountIs('AWS::EC2::SecurityGroupIngress', { IpProtocol: '-1' }, 0);
      template.resourcePropertiesCountIs('AWS::EC2::SecurityGroupEgress', { IpProtocol: '-1' }, 0);
    }
  });

  test('serves an internet-facing ALB with access logs on HTTP 80, answering 503 until the service adds its rule', () => {
    publicNetwork.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
      Subnets: [{ Ref: Match.stringLikeRegexp('PublicSubnet1') }, { Ref: Match.stringLikeRegexp('PublicSubnet2') }],
    });
    for (const attribute of [
      { Key: 'access_logs.s3.enabled', Value: 'true' },
      { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
    ]) {
      publicNetwork.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
        LoadBalancerAttributes: Match.arrayWith([attribute]),
      });
    }
    // Production on 80, test traffic on 9080; both only forward (blue/green refuses listeners that mix in a
    // fixed response), by default to a target group that never has targets.
    publicNetwork.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 2);
    const [unrouted] = Object.entries(publicNetwork.findResources('AWS::ElasticLoadBalancingV2::TargetGroup'));
    expect(unrouted[1].Properties.Targets).toBeUndefined();
    for (const port of [80, 9080]) {
      publicNetwork.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
        Port: port,
        Protocol: 'HTTP',
        DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: unrouted[0] } }],
      });
    }
    const albRules = securityGroupRules(publicNetwork).filter((r) => r.CidrIp === '0.0.0.0/0');
    expect(albRules.map((r) => r.FromPort)).toEqual([80]);
  });

  test('keeps the access-log bucket private, encrypted, TLS-only and retained', () => {
    publicNetwork.hasResource('AWS::S3::Bucket', {
      Properties: Match.objectLike({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
      }),
      DeletionPolicy: 'Retain',
    });
    publicNetwork.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
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

  test('serves HTTPS on 443 with the certificate and redirects 80 when a certificate is configured', () => {
    httpsWithDiagnostics.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: CERTIFICATE_ARN }],
    });
    httpsWithDiagnostics.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      DefaultActions: [
        Match.objectLike({ Type: 'redirect', RedirectConfig: Match.objectLike({ Protocol: 'HTTPS', Port: '443' }) }),
      ],
    });
    // The certificate covers the domain, never the load balancer's own name.
    httpsWithDiagnostics.hasOutput('ExternalUrl', { Value: 'https://www.example.com' });
  });

  test('without a hosted zone, names the record the user must create and adds none', () => {
    httpsWithDiagnostics.resourceCountIs('AWS::Route53::RecordSet', 0);
    httpsWithDiagnostics.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    httpsWithDiagnostics.hasOutput('DnsRecordToCreate', {
      Value: { 'Fn::Join': ['', ['www.example.com CNAME ', { 'Fn::GetAtt': [Match.anyValue(), 'DNSName'] }]] },
    });
  });

  test('with a hosted zone, points the domain at the load balancer and validates a new certificate through DNS', () => {
    zoned.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'app.internal.example.com.',
      Type: 'A',
      HostedZoneId: 'Z0123456789ABCDEFGHIJ',
      AliasTarget: {
        DNSName: Match.anyValue(),
        HostedZoneId: { 'Fn::GetAtt': [Match.stringLikeRegexp('Alb'), 'CanonicalHostedZoneID'] },
      },
    });
    zoned.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'app.internal.example.com',
      ValidationMethod: 'DNS',
      DomainValidationOptions: [{ DomainName: 'app.internal.example.com', HostedZoneId: 'Z0123456789ABCDEFGHIJ' }],
    });
    const [certificate] = Object.keys(zoned.findResources('AWS::CertificateManager::Certificate'));
    zoned.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Certificates: [{ CertificateArn: { Ref: certificate } }],
    });
    zoned.hasOutput('ExternalUrl', { Value: 'https://app.internal.example.com' });
    expect(zoned.findOutputs('DnsRecordToCreate')).toEqual({});
  });

  test('adds the Session Manager endpoints and a private IMDSv2 instance when diagnostics are on', () => {
    const services = Object.values(httpsWithDiagnostics.findResources('AWS::EC2::VPCEndpoint')).map(
      (e) => e.Properties.ServiceName,
    );
    for (const name of ['ssm', 'ssmmessages', 'ec2messages'])
      expect(services).toContain(`com.amazonaws.us-east-2.${name}`);
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
