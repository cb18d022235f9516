import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ECR_AUTHORIZATION_ACTION, ECR_PULL_ACTIONS } from '../../config/iam-actions';
import { ecrLayerBucketName, s3Arn } from '../../config/names';

export interface PrivateEndpointsProps {
  /** The VPC whose isolated subnets host the endpoints. */
  readonly vpc: ec2.IVpc;
  /** The VPC's CIDR as a literal, so the ingress rule can be checked at synth time. */
  readonly vpcCidr: string;
  /** Account A's repository, the only one the ECR endpoints let callers reach. */
  readonly repositoryArn: string;
  /** Adds the ssm, ssmmessages and ec2messages endpoints Session Manager needs. */
  readonly sessionManager: boolean;
}

/**
 * The PrivateLink endpoints that replace a NAT gateway: ecr.api, ecr.dkr and logs as interface endpoints
 * with private DNS, and S3 as a gateway endpoint for image layers. All sit in the isolated subnets.
 */
export class PrivateEndpoints extends Construct {
  /** Admits HTTPS from inside the VPC; tasks send their 443 egress to it. */
  readonly securityGroup: ec2.SecurityGroup;
  readonly interfaceEndpoints: Record<string, ec2.InterfaceVpcEndpoint> = {};

  constructor(scope: Construct, id: string, props: PrivateEndpointsProps) {
    super(scope, id);
    const { vpc } = props;
    const partition = Stack.of(this).partition;
    const region = Stack.of(this).region;
    const isolatedSubnets: ec2.SubnetSelection = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: 'Interface endpoints: HTTPS from inside the VPC only',
      allowAllOutbound: false,
    });
    this.securityGroup.addIngressRule(ec2.Peer.ipv4(props.vpcCidr), ec2.Port.tcp(443), 'HTTPS from the VPC');

    // ECR serves image layers from this AWS-owned bucket; the endpoint reaches nothing else in S3.
    const s3 = vpc.addGatewayEndpoint('S3', {
      service: ec2.GatewayVpcEndpointAwsService.S3,
      subnets: [isolatedSubnets],
    });
    s3.addToPolicy(
      new iam.PolicyStatement({
        sid: 'EcrImageLayersOnly',
        principals: [new iam.StarPrincipal()],
        actions: ['s3:GetObject'],
        resources: [s3Arn(partition, `${ecrLayerBucketName(region)}/*`)],
      }),
    );

    const services: Record<string, ec2.InterfaceVpcEndpointAwsService> = {
      EcrApi: ec2.InterfaceVpcEndpointAwsService.ECR,
      EcrDocker: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
      Logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
      ...(props.sessionManager && {
        Ssm: ec2.InterfaceVpcEndpointAwsService.SSM,
        SsmMessages: ec2.InterfaceVpcEndpointAwsService.SSM_MESSAGES,
        Ec2Messages: ec2.InterfaceVpcEndpointAwsService.EC2_MESSAGES,
      }),
    };
    for (const [name, service] of Object.entries(services)) {
      this.interfaceEndpoints[name] = vpc.addInterfaceEndpoint(name, {
        service,
        subnets: isolatedSubnets,
        privateDnsEnabled: true,
        securityGroups: [this.securityGroup],
        open: false,
      });
    }

    for (const name of ['EcrApi', 'EcrDocker']) {
      const endpoint = this.interfaceEndpoints[name];
      endpoint.addToPolicy(
        new iam.PolicyStatement({
          sid: 'PullFromTheRegistryRepositoryOnly',
          principals: [new iam.StarPrincipal()],
          actions: [...ECR_PULL_ACTIONS],
          resources: [props.repositoryArn],
        }),
      );
      endpoint.addToPolicy(
        new iam.PolicyStatement({
          sid: 'AuthorizationTokenHasNoResource',
          principals: [new iam.StarPrincipal()],
          actions: [ECR_AUTHORIZATION_ACTION],
          resources: ['*'],
        }),
      );
    }
  }
}
