import type { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * The managed policy `npm run bootstrap` creates in every account, and that fences every role the app creates:
 * the execution policy lets CloudFormation create a role or change its policies only with this boundary attached.
 */
export function permissionsBoundaryName(projectName: string): string {
  return `${projectName}-permissions-boundary`;
}

/** Attaches the project's boundary to every IAM role in the stack, CDK's generated ones included. */
export function applyPermissionsBoundary(stack: Stack, projectName: string): void {
  const boundary = iam.ManagedPolicy.fromManagedPolicyName(
    stack,
    'PermissionsBoundary',
    permissionsBoundaryName(projectName),
  );
  iam.PermissionsBoundary.of(stack).apply(boundary);
}
