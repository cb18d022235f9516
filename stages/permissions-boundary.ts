import type { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { permissionsBoundaryName } from '../config/names';

/**
 * Attaches the project's boundary to every IAM role in the stack, CDK's generated ones included: the managed policy
 * `npm run bootstrap` creates in every account, without which the execution policy lets CloudFormation create no role.
 */
export function applyPermissionsBoundary(stack: Stack, projectName: string): void {
  const boundary = iam.ManagedPolicy.fromManagedPolicyName(
    stack,
    'PermissionsBoundary',
    permissionsBoundaryName(projectName),
  );
  iam.PermissionsBoundary.of(stack).apply(boundary);
}
