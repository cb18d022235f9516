// The network stack's load balancer: its listeners, the rules that open it, its access logs, HTTPS and DNS.
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { CERTIFICATE_ARN, httpsWithDiagnostics, internalNetwork, publicNetwork, zoned } from './network-fixture';

const securityGroupRules = (template: Template) =>
  Object.values(template.findResources('AWS::EC2::SecurityGroup')).flatMap((sg) => [
    ...(sg.Properties.SecurityGroupIngress ?? []).map((r: object) => ({ direction: 'ingress', ...r })),
    ...(sg.Properties.SecurityGroupEgress ?? []).map((r: object) => ({ direction: 'egress', ...r })),
  ]) as Array<Record<string, any>>;

describe('network stage load balancer (Account B)', () => {
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
});
