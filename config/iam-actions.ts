// The IAM action sets that both a stack's role and the permissions boundary (tools/operator/boundary-policy.ts) name:
// written once, so the boundary cannot fall behind what a role is granted. Like names.ts, it imports no aws-cdk-lib.

/** ECR's one pull call with no resource-level permissions: it goes on `*`. */
export const ECR_AUTHORIZATION_ACTION = 'ecr:GetAuthorizationToken';

/** The calls a Fargate image pull makes against the repository, and nothing that writes. */
export const ECR_PULL_ACTIONS = [
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer',
  'ecr:BatchCheckLayerAvailability',
] as const;

/**
 * What ECS does with the load balancer role of a blue/green service: the calls of the AWS managed policy
 * AmazonECSInfrastructureRolePolicyForLoadBalancers (v6). The Describe calls have no resource-level permissions in
 * Elastic Load Balancing; the others act on target groups and listener rules.
 */
export const ECS_LOAD_BALANCER_ACTIONS = {
  describe: [
    'elasticloadbalancing:DescribeListeners',
    'elasticloadbalancing:DescribeRules',
    'elasticloadbalancing:DescribeTargetGroups',
    'elasticloadbalancing:DescribeTargetHealth',
  ],
  targets: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'],
  rules: ['elasticloadbalancing:ModifyRule'],
} as const;

/**
 * The calls Lambda makes with a VPC function's execution role to manage its network interfaces, on `*` only
 * (Lambda developer guide, "Giving Lambda functions access to resources in an Amazon VPC").
 */
export const VPC_FUNCTION_INTERFACE_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
] as const;

/** Closing a security group's rules, never opening one: what empties the VPC's default group. */
export const SECURITY_GROUP_REVOKE_ACTIONS = [
  'ec2:RevokeSecurityGroupIngress',
  'ec2:RevokeSecurityGroupEgress',
] as const;
