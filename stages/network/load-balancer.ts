import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from '../nag';

export interface LoadBalancerProps {
  readonly vpc: ec2.IVpc;
  /** The VPC's CIDR as a literal: the clients of an internal load balancer. */
  readonly vpcCidr: string;
  /** Public subnets and a 0.0.0.0/0 listener when true; isolated subnets and VPC-only clients when false. */
  readonly internetFacing: boolean;
  /** The service's own host name, used in `url`. @default - the load balancer's DNS name */
  readonly domainName?: string;
  /** The public zone holding domainName: an alias record, and a DNS-validated certificate unless one is given. */
  readonly hostedZone?: { readonly id: string; readonly name: string };
  /** ACM certificate ARN covering domainName: serve HTTPS on 443 and redirect 80 to it. @default - HTTP on 80 only */
  readonly certificateArn?: string;
  /** Days the access logs are kept. */
  readonly accessLogRetentionDays: number;
  /** The load balancer refuses deletion (and so a stack deletion or a replacement) until this is turned off. */
  readonly deletionProtection: boolean;
}

/**
 * The blue/green test listener's port: plain HTTP, because only the VPC reaches it. Not 80 or 443, so the audit
 * that nothing but those two is open to the world keeps holding, and not the image's port, so rules stay readable.
 */
export const TEST_LISTENER_PORT = 9080;

/** The ALB in front of the service: listeners only, the service stage adds its own rule and target group. */
export class LoadBalancer extends Construct {
  readonly alb: elbv2.ApplicationLoadBalancer;
  readonly securityGroup: ec2.SecurityGroup;
  /** The listener the service attaches its rule to: HTTPS when a certificate is set, else HTTP. */
  readonly serviceListener: elbv2.ApplicationListener;
  /** The URL clients use: https://<domainName> with HTTPS, else http:// and the domain or the load balancer's name. */
  readonly url: string;
  /** The record the user must create when a domain has no hosted zone here, else undefined. */
  readonly recordToCreate?: string;
  /**
   * Where a blue/green deployment sends test traffic to the new tasks; only the VPC reaches it. Every environment has
   * it, whatever its strategy, so a change of strategy leaves the service's load balancer configuration alone.
   */
  readonly testListener: elbv2.ApplicationListener;

  constructor(scope: Construct, id: string, props: LoadBalancerProps) {
    super(scope, id);
    const { vpc } = props;
    const zone =
      props.hostedZone &&
      route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', {
        hostedZoneId: props.hostedZone.id,
        zoneName: props.hostedZone.name,
      });
    // With a zone and no certificate, ACM issues one; CloudFormation writes the validation record into the zone
    // and waits for the certificate to be issued (CloudFormation user guide, AWS::CertificateManager::Certificate).
    const certificate = props.certificateArn
      ? acm.Certificate.fromCertificateArn(this, 'Certificate', props.certificateArn)
      : zone && props.domainName
        ? new acm.Certificate(this, 'Certificate', {
            domainName: props.domainName,
            validation: acm.CertificateValidation.fromDns(zone),
          })
        : undefined;

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: 'Load balancer: the listener ports only; egress is added per target',
      allowAllOutbound: false,
    });
    const clients = props.internetFacing ? ec2.Peer.anyIpv4() : ec2.Peer.ipv4(props.vpcCidr);
    const ports = certificate ? [80, 443] : [80];
    for (const port of ports) this.securityGroup.addIngressRule(clients, ec2.Port.tcp(port), `Clients on ${port}`);
    this.securityGroup.addIngressRule(
      ec2.Peer.ipv4(props.vpcCidr),
      ec2.Port.tcp(TEST_LISTENER_PORT),
      'Blue/green test traffic, from inside the VPC only',
    );
    if (props.internetFacing) {
      acknowledge(this.securityGroup, {
        id: 'AwsSolutions-EC23',
        reason: 'This is the public entry point of a public website; only the listener ports are open',
      });
    }

    this.alb = new elbv2.ApplicationLoadBalancer(this, 'Alb', {
      vpc,
      internetFacing: props.internetFacing,
      vpcSubnets: {
        subnetType: props.internetFacing ? ec2.SubnetType.PUBLIC : ec2.SubnetType.PRIVATE_ISOLATED,
      },
      securityGroup: this.securityGroup,
      dropInvalidHeaderFields: true,
      // CT.ELASTICLOADBALANCING.PR.5; an attribute, so turning it on or off updates the load balancer in place.
      deletionProtection: props.deletionProtection,
    });

    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      // ALB access logs only support SSE-S3.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Versioned (CT.S3.PR.11): an overwritten or deleted log stays a day, for evidence of tampering.
      versioned: true,
      lifecycleRules: [
        { expiration: Duration.days(props.accessLogRetentionDays), noncurrentVersionExpiration: Duration.days(1) },
      ],
      // Logs are evidence: a stack deletion must not take them along.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(accessLogs, {
      id: 'AwsSolutions-S1',
      reason: 'This bucket is itself the access-log sink; logging it into another bucket would only move the question',
    });
    this.alb.logAccessLogs(accessLogs, 'alb');

    // ECS blue/green fails on listeners that mix forward with fixed-response or redirect rules (ECS developer guide,
    // "Application Load Balancer resources for blue/green deployments", Limitations), so requests no service rule
    // takes go to a target group that never has targets: the load balancer answers them 503.
    const unrouted = new elbv2.ApplicationTargetGroup(this, 'Unrouted', {
      vpc,
      targetType: elbv2.TargetType.IP,
      protocol: elbv2.ApplicationProtocol.HTTP,
      port: 80,
    });
    const notRouted = elbv2.ListenerAction.forward([unrouted]);
    const http = this.alb.addListener('Http', {
      port: 80,
      protocol: elbv2.ApplicationProtocol.HTTP,
      open: false,
      defaultAction: certificate
        ? elbv2.ListenerAction.redirect({ protocol: 'HTTPS', port: '443', permanent: true })
        : notRouted,
    });
    this.serviceListener = certificate
      ? this.alb.addListener('Https', {
          port: 443,
          protocol: elbv2.ApplicationProtocol.HTTPS,
          open: false,
          certificates: [elbv2.ListenerCertificate.fromCertificateManager(certificate)],
          sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
          defaultAction: notRouted,
        })
      : http;
    this.testListener = this.alb.addListener('Test', {
      port: TEST_LISTENER_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      open: false,
      defaultAction: notRouted,
    });
    if (zone && props.domainName) {
      new route53.ARecord(this, 'Alias', {
        zone,
        recordName: props.domainName,
        target: route53.RecordTarget.fromAlias(new targets.LoadBalancerTarget(this.alb)),
        comment: 'The service, at its own name',
      });
    } else if (props.domainName) {
      this.recordToCreate = `${props.domainName} CNAME ${this.alb.loadBalancerDnsName}`;
    }
    this.url = `${certificate ? 'https' : 'http'}://${props.domainName ?? this.alb.loadBalancerDnsName}`;
  }
}
