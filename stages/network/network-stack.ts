import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { DefaultSecurityGroupCloser } from './default-security-group-closer';
import { DiagnosticsHost } from './diagnostics-host';
import { LoadBalancer, TEST_LISTENER_PORT } from './load-balancer';
import { NETWORK_OUTPUTS } from './handoff';
import { PrivateEndpoints } from './private-endpoints';

/** What the network needs to know, independent of where it is deployed. */
export interface NetworkSettings {
  /** The VPC's IPv4 block; it is split into 4 equal subnets (2 AZs x public/private). */
  readonly vpcCidr: string;
  /** An internet-facing ALB in public subnets, or an internal one in a network with no internet gateway. */
  readonly internetFacing: boolean;
  /** The service's own host name. @default - the load balancer's DNS name */
  readonly domainName?: string;
  /** The public zone holding domainName: an alias record, and a DNS-validated certificate unless one is given. */
  readonly hostedZone?: { readonly id: string; readonly name: string };
  /** ACM certificate ARN covering domainName, for HTTPS. @default - requested when a zone is given, else HTTP only */
  readonly certificateArn?: string;
  /** A Session Manager host and its endpoints, for DNS checks. */
  readonly diagnosticsHost: boolean;
  /** Retention of flow logs and ALB access logs. */
  readonly logRetentionDays: number;
  /** Deletion protection on the load balancer. */
  readonly deletionProtection: boolean;
  /** Account A's repository ARN: the ECR endpoints allow only it. */
  readonly repositoryArn: string;
}

export interface NetworkStackProps extends StackProps, NetworkSettings {}

/** Account B's network: VPC without NAT, PrivateLink endpoints, the ALB, and the outputs the service reads. */
export class NetworkStack extends Stack {
  readonly vpc: ec2.Vpc;
  readonly endpoints: PrivateEndpoints;
  readonly loadBalancer: LoadBalancer;
  /** ExternalUrl, the address of the service; the pipeline's smoke test reads it. */
  readonly externalUrl: CfnOutput;

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);
    const subnetMask = Number(props.vpcCidr.split('/')[1]) + 2;

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(props.vpcCidr),
      maxAzs: 2,
      // Images, logs and layers come through endpoints, so nothing needs a NAT gateway.
      natGateways: 0,
      // Closed by DefaultSecurityGroupCloser, whose code is inline: CDK's version ships a file asset.
      restrictDefaultSecurityGroup: false,
      subnetConfiguration: [
        ...(props.internetFacing
          ? [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: subnetMask, mapPublicIpOnLaunch: false }]
          : []),
        { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: subnetMask },
      ],
    });
    new DefaultSecurityGroupCloser(this, 'DefaultSecurityGroup', {
      vpc: this.vpc,
      logRetentionDays: props.logRetentionDays,
    });
    const flowLogs = new logs.LogGroup(this, 'FlowLogs', { retention: props.logRetentionDays });
    this.vpc.addFlowLog('FlowLog', { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs) });

    this.endpoints = new PrivateEndpoints(this, 'Endpoints', {
      vpc: this.vpc,
      vpcCidr: props.vpcCidr,
      repositoryArn: props.repositoryArn,
      sessionManager: props.diagnosticsHost,
    });

    this.loadBalancer = new LoadBalancer(this, 'LoadBalancer', {
      vpc: this.vpc,
      vpcCidr: props.vpcCidr,
      internetFacing: props.internetFacing,
      domainName: props.domainName,
      hostedZone: props.hostedZone,
      certificateArn: props.certificateArn,
      accessLogRetentionDays: props.logRetentionDays,
      deletionProtection: props.deletionProtection,
    });

    if (props.diagnosticsHost) {
      const host = new DiagnosticsHost(this, 'Diagnostics', {
        vpc: this.vpc,
        endpointSecurityGroup: this.endpoints.securityGroup,
      });
      new CfnOutput(this, 'DiagnosticsInstanceId', {
        value: host.instance.instanceId,
        description: 'aws ssm start-session --target <this id>, then: getent hosts api.ecr.<region>.amazonaws.com',
      });
    }

    this.publishOutputs();
    this.externalUrl = new CfnOutput(this, NETWORK_OUTPUTS.serviceUrl, {
      value: this.loadBalancer.url,
      description: 'The service, through the load balancer',
    });
    if (this.loadBalancer.recordToCreate) {
      new CfnOutput(this, 'DnsRecordToCreate', {
        value: this.loadBalancer.recordToCreate,
        description: 'Create this record in your DNS: the domain has no hosted zone in the config',
      });
    }
  }

  /** The values the service stack reads with Fn::GetStackOutput (stages/network/handoff.ts). */
  private publishOutputs(): void {
    const privateSubnets = this.vpc.isolatedSubnets;
    const { testListener, alb } = this.loadBalancer;
    const values: Array<[string, string]> = [
      [NETWORK_OUTPUTS.vpcId, this.vpc.vpcId],
      [NETWORK_OUTPUTS.privateSubnetIds[0], privateSubnets[0].subnetId],
      [NETWORK_OUTPUTS.privateSubnetIds[1], privateSubnets[1].subnetId],
      [NETWORK_OUTPUTS.endpointSecurityGroupId, this.endpoints.securityGroup.securityGroupId],
      [NETWORK_OUTPUTS.loadBalancerSecurityGroupId, this.loadBalancer.securityGroup.securityGroupId],
      [NETWORK_OUTPUTS.listenerArn, this.loadBalancer.serviceListener.listenerArn],
      [NETWORK_OUTPUTS.loadBalancerFullName, alb.loadBalancerFullName],
      [NETWORK_OUTPUTS.testListenerArn, testListener.listenerArn],
      [NETWORK_OUTPUTS.testUrl, `http://${alb.loadBalancerDnsName}:${TEST_LISTENER_PORT}`],
    ];
    for (const [id, value] of values) new CfnOutput(this, id, { value, description: 'Read by the service stack' });
  }
}
