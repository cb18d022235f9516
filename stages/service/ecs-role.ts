import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

/** A role only ECS may assume, with these statements as its one inline policy. */
export function ecsRole(scope: Construct, id: string, description: string, statements: iam.PolicyStatement[]) {
  return new iam.Role(scope, id, {
    assumedBy: new iam.ServicePrincipal('ecs.amazonaws.com'),
    description,
    inlinePolicies: { Ecs: new iam.PolicyDocument({ statements }) },
  });
}
