import { Annotations, Fn, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import { NETWORK_OUTPUTS, type NetworkOutput } from '../network/handoff';

/**
 * The network stage's VPC, subnets and security groups, as the service stack reads them from the network stack's
 * outputs. Built in the stack's own scope (see ServiceStack).
 */
export class ImportedNetwork {
  readonly vpc: ec2.IVpc;
  /** The PrivateLink endpoints' group: the tasks reach ECR and CloudWatch Logs through it. */
  readonly endpointSecurityGroup: ec2.ISecurityGroup;
  readonly loadBalancerSecurityGroup: ec2.ISecurityGroup;

  constructor(
    scope: Construct,
    private readonly networkStackName: string,
  ) {
    this.vpc = ec2.Vpc.fromVpcAttributes(scope, 'Vpc', {
      vpcId: this.output(NETWORK_OUTPUTS.vpcId),
      availabilityZones: Stack.of(scope).availabilityZones.slice(0, 2),
      isolatedSubnetIds: NETWORK_OUTPUTS.privateSubnetIds.map((name) => this.output(name)),
    });
    for (const subnet of this.vpc.isolatedSubnets) {
      Annotations.of(subnet).acknowledgeWarning(
        '@aws-cdk/aws-ec2:noSubnetRouteTableId',
        'The service only places tasks in these subnets; routes belong to the network stage',
      );
    }
    this.endpointSecurityGroup = ec2.SecurityGroup.fromSecurityGroupId(
      scope,
      'EndpointSecurityGroup',
      this.output(NETWORK_OUTPUTS.endpointSecurityGroupId),
      { allowAllOutbound: false, mutable: false },
    );
    this.loadBalancerSecurityGroup = ec2.SecurityGroup.fromSecurityGroupId(
      scope,
      'LoadBalancerSecurityGroup',
      this.output(NETWORK_OUTPUTS.loadBalancerSecurityGroupId),
      { allowAllOutbound: false },
    );
  }

  /** One of the network stack's outputs, resolved by CloudFormation when it deploys this stack (handoff.ts). */
  output(name: NetworkOutput): string {
    return Fn.getStackOutput(this.networkStackName, name);
  }
}
