// The CloudFormation execution policies `npm run bootstrap` installs instead of AdministratorAccess.
// Each account gets the services its stacks use. IAM, the lever for privilege escalation, is limited to
// roles and instance profiles named after the project's stacks, and to the two AWS managed policies the
// stacks attach.

/** What one account hosts; an account may host several (A = B, or tooling = A). */
export type AccountRole = 'tooling' | 'registry' | 'workload';

export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: ReadonlyArray<Record<string, unknown>>;
}

export interface PolicyScope {
  readonly partition: string;
  readonly account: string;
  readonly region: string;
  /** Stack names, roles, buckets and parameters all start with it. */
  readonly projectName: string;
  readonly repositoryName: string;
}

/** The AWS managed policies the stacks attach: Session Manager on the diagnostics host, logs for CDK's Lambda. */
export const ATTACHABLE_MANAGED_POLICIES = ['AmazonSSMManagedInstanceCore', 'service-role/AWSLambdaBasicExecutionRole'];

const SERVICE_ACTIONS: Record<AccountRole, string[]> = {
  tooling: [
    'codepipeline:*',
    'codebuild:*',
    'kms:*',
    'codeconnections:PassConnection',
    'codestar-connections:PassConnection',
  ],
  registry: [],
  workload: [
    'ec2:*',
    'elasticloadbalancing:*',
    'ecs:*',
    'logs:*',
    'ssm:*',
    'lambda:*',
    'application-autoscaling:*',
    'cloudwatch:DescribeAlarms',
    'cloudwatch:PutMetricAlarm',
    'cloudwatch:DeleteAlarms',
  ],
};

/** The execution policy for one account, the union of what each of its roles needs. */
export function executionPolicy(scope: PolicyScope, roles: readonly AccountRole[]): PolicyDocument {
  const { partition, account, region, projectName } = scope;
  const iamPrefix = `arn:${partition}:iam::${account}`;
  const serviceActions = [...new Set(roles.flatMap((r) => SERVICE_ACTIONS[r]))].sort();
  const statements: Array<Record<string, unknown>> = [];
  if (serviceActions.length > 0) {
    statements.push({
      Sid: 'ServicesTheStacksUseInThisRegion',
      Effect: 'Allow',
      Action: serviceActions,
      Resource: '*',
      Condition: { StringEquals: { 'aws:RequestedRegion': region } },
    });
  }
  if (roles.includes('registry')) {
    statements.push({
      Sid: 'TheRepositoryOnly',
      Effect: 'Allow',
      Action: 'ecr:*',
      Resource: `arn:${partition}:ecr:${region}:${account}:repository/${scope.repositoryName}`,
    });
  }
  if (roles.includes('tooling') || roles.includes('workload')) {
    statements.push({
      Sid: 'ProjectBucketsOnly',
      Effect: 'Allow',
      Action: 's3:*',
      // CloudFormation names buckets after their stack, and every stack name starts with the project name.
      Resource: [`arn:${partition}:s3:::${projectName}-*`, `arn:${partition}:s3:::${projectName}-*/*`],
    });
  }
  statements.push(
    {
      Sid: 'ProjectRolesOnly',
      Effect: 'Allow',
      Action: [
        'iam:CreateRole',
        'iam:DeleteRole',
        'iam:GetRole',
        'iam:UpdateRole',
        'iam:UpdateRoleDescription',
        'iam:UpdateAssumeRolePolicy',
        'iam:TagRole',
        'iam:UntagRole',
        'iam:PutRolePolicy',
        'iam:GetRolePolicy',
        'iam:DeleteRolePolicy',
        'iam:ListRolePolicies',
        'iam:ListAttachedRolePolicies',
        'iam:PassRole',
        'iam:CreateInstanceProfile',
        'iam:DeleteInstanceProfile',
        'iam:GetInstanceProfile',
        'iam:AddRoleToInstanceProfile',
        'iam:RemoveRoleFromInstanceProfile',
      ],
      Resource: [`${iamPrefix}:role/${projectName}-*`, `${iamPrefix}:instance-profile/${projectName}-*`],
    },
    {
      Sid: 'AttachOnlyTheManagedPoliciesTheStacksUse',
      Effect: 'Allow',
      Action: ['iam:AttachRolePolicy', 'iam:DetachRolePolicy'],
      Resource: `${iamPrefix}:role/${projectName}-*`,
      Condition: {
        ArnEquals: { 'iam:PolicyARN': ATTACHABLE_MANAGED_POLICIES.map((p) => `arn:${partition}:iam::aws:policy/${p}`) },
      },
    },
  );
  if (roles.includes('workload')) {
    statements.push({
      Sid: 'ServiceLinkedRolesForEcsElbAndAutoScaling',
      Effect: 'Allow',
      Action: 'iam:CreateServiceLinkedRole',
      Resource: `${iamPrefix}:role/aws-service-role/*`,
      Condition: {
        StringEquals: {
          'iam:AWSServiceName': [
            'ecs.amazonaws.com',
            'elasticloadbalancing.amazonaws.com',
            'ecs.application-autoscaling.amazonaws.com',
          ],
        },
      },
    });
  }
  return { Version: '2012-10-17', Statement: statements };
}
