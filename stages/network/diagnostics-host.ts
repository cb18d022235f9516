import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { acknowledge } from '../nag';

export interface DiagnosticsHostProps {
  readonly vpc: ec2.IVpc;
  /** The interface endpoints' security group: the host's only egress (Session Manager over PrivateLink). */
  readonly endpointSecurityGroup: ec2.ISecurityGroup;
}

/**
 * A small instance in an isolated subnet, reached through Session Manager, for checking that the ECR
 * names resolve to the endpoints' private addresses:
 *   aws ssm start-session --target <DiagnosticsInstanceId>
 *   getent hosts api.ecr.<region>.amazonaws.com <account>.dkr.ecr.<region>.amazonaws.com
 */
export class DiagnosticsHost extends Construct {
  readonly instance: ec2.Instance;

  constructor(scope: Construct, id: string, props: DiagnosticsHostProps) {
    super(scope, id);
    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Diagnostics host: no ingress, HTTPS to the endpoints only',
      allowAllOutbound: false,
    });
    securityGroup.connections.allowTo(props.endpointSecurityGroup, ec2.Port.tcp(443), 'Session Manager endpoints');

    this.instance = new ec2.Instance(this, 'Instance', {
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.NANO),
      // From the context (cdk.context.json), not an SSM-typed stack parameter: CloudFormation would resolve that with the
      // deploy role, which may read no /aws/service/ parameter (aws-samples/aws-cross-account-cicd-pipeline#33).
      machineImage: ec2.MachineImage.latestAmazonLinux2023({
        cpuType: ec2.AmazonLinuxCpuType.ARM_64,
        cachedInContext: true,
      }),
      securityGroup,
      // Written as a network interface with no public address (CT.EC2.PR.8), though the subnet is isolated anyway.
      associatePublicIpAddress: false,
      ssmSessionPermissions: true,
      requireImdsv2: true,
      blockDevices: [{ deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(8, { encrypted: true }) }],
    });
    acknowledge(
      this.instance,
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]',
        reason: 'The AWS-maintained Session Manager policy tracks the agent; a copy would drift from it',
      },
      {
        id: 'AwsSolutions-EC28',
        reason: 'A throwaway diagnostics host that is off by default; detailed monitoring would only add cost',
      },
      {
        id: 'AwsSolutions-EC29',
        reason: 'The diagnostics host holds no data and is meant to be removed by turning the flag off',
      },
    );
  }
}
