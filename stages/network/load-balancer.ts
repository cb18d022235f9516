import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from '../nag';

export interface LoadBalancerProps {
  readonly vpc: ec2.IVpc;
  /** The VPC's CIDR as a literal: the clients of an internal load balancer. */
  readonly vpcCidr: string;
  /** Public subnets and a 0.0.0.0/0 listener when true; isolated subnets and VPC-only clients when false. */
  readonly internetFacing: boolean;
  /** ACM certificate ARN: serve HTTPS on 443 and redirect 80 to it. @default - HTTP on 80 only */
  readonly certificateArn?: string;
  /** Days the access logs are kept. */
  readonly accessLogRetentionDays: number;
}

/** The ALB in front of the service: listeners only, the service stage adds its own rule and target group. */
export class LoadBalancer extends Construct {
  readonly alb: elbv2.ApplicationLoadBalancer;
  readonly securityGroup: ec2.SecurityGroup;
  /** The listener the service attaches its rule to: HTTPS when a certificate is set, else HTTP. */
  readonly serviceListener: elbv2.ApplicationListener;
  /** The URL clients use, such as http://name-123.us-east-2.elb.amazonaws.com. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: LoadBalancerProps) {
    super(scope, id);
    const { vpc } = props;

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: 'Load balancer: the listener ports only; egress is added per target',
      allowAllOutbound: false,
    });
    const clients = props.internetFacing ? ec2.Peer.anyIpv4() : ec2.Peer.ipv4(props.vpcCidr);
    const ports = props.certificateArn ? [80, 443] : [80];
    for (const port of ports) this.securityGroup.addIngressRule(clients, ec2.Port.tcp(port), `Clients on ${port}`);
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
    });

    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      // ALB access logs only support SSE-S3.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(props.accessLogRetentionDays) }],
      // Logs are evidence: a stack deletion must not take them along.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(accessLogs, {
      id: 'AwsSolutions-S1',
      reason: 'This bucket is itself the access-log sink; logging it into another bucket would only move the question',
    });
    this.alb.logAccessLogs(accessLogs, 'alb');

    const notRouted = elbv2.ListenerAction.fixedResponse(404, { contentType: 'text/plain', messageBody: 'Not found' });
    const http = this.alb.addListener('Http', {
      port: 80,
      protocol: elbv2.ApplicationProtocol.HTTP,
      open: false,
      defaultAction: props.certificateArn
        ? elbv2.ListenerAction.redirect({ protocol: 'HTTPS', port: '443', permanent: true })
        : notRouted,
    });
    this.serviceListener = props.certificateArn
      ? this.alb.addListener('Https', {
          port: 443,
          protocol: elbv2.ApplicationProtocol.HTTPS,
          open: false,
          certificates: [elbv2.ListenerCertificate.fromArn(props.certificateArn)],
          sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
          defaultAction: notRouted,
        })
      : http;
    this.url = `${props.certificateArn ? 'https' : 'http'}://${this.alb.loadBalancerDnsName}`;
  }
}
