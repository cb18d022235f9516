import { CustomResource, Duration, Stack } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { InlineFunction } from '../inline-function';
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
    const inline = new InlineFunction(this, 'Inline', {
      source: CLOSER_CODE,
      statements: [
        new iam.PolicyStatement({
          actions: ['ec2:RevokeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress'],
          resources: [groupArn],
        }),
        new iam.PolicyStatement({ actions: ['ec2:DescribeSecurityGroups'], resources: ['*'] }),
      ],
      logRetentionDays: props.logRetentionDays,
      timeout: Duration.minutes(1),
      description: 'Removes the rules of the VPC default security group (inline code, no asset)',
    });
    acknowledge(inline.role, {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ec2:DescribeSecurityGroups has no resource-level permissions; the revokes are scoped to the one group',
    });
    this.function = inline.function;
    new CustomResource(this, 'Resource', {
      serviceToken: this.function.functionArn,
      resourceType: 'Custom::DefaultSecurityGroupCloser',
      properties: { DefaultSecurityGroupId: props.vpc.vpcDefaultSecurityGroup },
    });
  }
}
