import { CfnResource, CustomResource, Duration, Stack } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge } from '../nag';

/**
 * The function that removes every rule from the VPC's default security group, so that nothing placed in it by
 * mistake can talk. CDK's own `restrictDefaultSecurityGroup` does the same with a Lambda whose code is a file
 * asset, which costs the pipeline an asset-publishing CodeBuild action on every run; this code is inline
 * (CloudFormation `ZipFile`), so the stack has no asset. It answers CloudFormation itself at the ResponseURL
 * (CloudFormation user guide, "Custom resource response objects"); the Node.js runtime bundles the AWS SDK v3.
 */
export const CLOSER_CODE = `
const { EC2Client, DescribeSecurityGroupsCommand, RevokeSecurityGroupIngressCommand, RevokeSecurityGroupEgressCommand } = require('@aws-sdk/client-ec2');
const ec2 = new EC2Client({ maxAttempts: 5 });
const strip = (p) => ({ ...p, UserIdGroupPairs: (p.UserIdGroupPairs || []).map(({ GroupId, UserId }) => ({ GroupId, UserId })) });
async function close(groupId) {
  const { SecurityGroups: [group] } = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }));
  if (group.IpPermissions.length) await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: group.IpPermissions.map(strip) }));
  if (group.IpPermissionsEgress.length) await ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: group.IpPermissionsEgress.map(strip) }));
}
async function answer(event, status, reason) {
  const body = JSON.stringify({ Status: status, Reason: reason, PhysicalResourceId: event.ResourceProperties.DefaultSecurityGroupId,
    StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId });
  await fetch(event.ResponseURL, { method: 'PUT', body, headers: { 'content-type': '' }, signal: AbortSignal.timeout(10000) });
}
exports.handler = async (event) => {
  try {
    if (event.RequestType !== 'Delete') await close(event.ResourceProperties.DefaultSecurityGroupId);
    await answer(event, 'SUCCESS', 'default security group closed');
  } catch (error) {
    console.error(error);
    await answer(event, 'FAILED', String(error.message || error).slice(0, 200));
  }
};
`.trim();

export interface DefaultSecurityGroupCloserProps {
  /** The VPC whose default security group loses its rules. */
  readonly vpc: ec2.Vpc;
  /** Retention of the function's log group. */
  readonly logRetentionDays: number;
}

/** Removes every ingress and egress rule of a VPC's default security group, with no file asset. */
export class DefaultSecurityGroupCloser extends Construct {
  readonly function: lambda.Function;

  constructor(scope: Construct, id: string, props: DefaultSecurityGroupCloserProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const groupArn = stack.formatArn({
      service: 'ec2',
      resource: 'security-group',
      resourceName: props.vpc.vpcDefaultSecurityGroup,
    });
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetentionDays });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Removes the rules of the VPC default security group',
      inlinePolicies: {
        CloseTheDefaultGroup: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: ['ec2:RevokeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress'],
              resources: [groupArn],
            }),
            new iam.PolicyStatement({ actions: ['ec2:DescribeSecurityGroups'], resources: ['*'] }),
            new iam.PolicyStatement({
              actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              resources: [`${logGroup.logGroupArn}`],
            }),
          ],
        }),
      },
    });
    acknowledge(role, {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ec2:DescribeSecurityGroups has no resource-level permissions; the revokes are scoped to the one group',
    });
    acknowledge(role, {
      id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(logGroup.node.defaultChild as logs.CfnLogGroup)}.Arn>]`,
      reason: 'A log group ARN ends in :*, which covers the streams the function writes in its own group',
    });
    this.function = new lambda.Function(this, 'Function', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(CLOSER_CODE),
      timeout: Duration.minutes(1),
      role,
      logGroup,
      description: 'Removes the rules of the VPC default security group (inline code, no asset)',
    });
    // The function reads its role's ARN, which already orders it after the role; cfn-lint (W3005) flags the DependsOn.
    (this.function.node.defaultChild as CfnResource).addOverride('DependsOn', undefined);
    new CustomResource(this, 'Resource', {
      serviceToken: this.function.functionArn,
      resourceType: 'Custom::DefaultSecurityGroupCloser',
      properties: { DefaultSecurityGroupId: props.vpc.vpcDefaultSecurityGroup },
    });
  }
}
