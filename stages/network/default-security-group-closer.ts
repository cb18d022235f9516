import { CustomResource, Duration, Stack } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { SECURITY_GROUP_REVOKE_ACTIONS } from '../../config/iam-actions';
import { InlineFunction } from '../inline-function';
import { acknowledge } from '../nag';
import { CLOSER_CODE } from '../../runtime/lambda/security-group-closer';

export interface DefaultSecurityGroupCloserProps {
  /** The VPC whose default security group loses its rules. */
  readonly vpc: ec2.Vpc;
  /** Retention of the function's log group. */
  readonly logRetentionDays: number;
}

/**
 * Removes every ingress and egress rule of a VPC's default security group, so that nothing placed in it by mistake
 * can talk. CDK's own `restrictDefaultSecurityGroup` does the same with a Lambda whose code is a file asset; this
 * one's code is inline (runtime/README.md).
 */
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
          actions: [...SECURITY_GROUP_REVOKE_ACTIONS],
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
