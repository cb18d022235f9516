// The policies `npm run bootstrap` installs in each account:
// - the CloudFormation execution policy, instead of AdministratorAccess: the services the account's stacks use,
//   in the configured region, on the project's resources where their names allow it;
// - the permissions boundary that every role the app creates carries. The execution policy lets CloudFormation
//   create a role, or change its policies, only with that boundary attached, and never remove or edit it, so no
//   commit that reaches main can make a role more powerful than the boundary (the pattern AWS documents for
//   delegating role creation: IAM user guide, "Permissions boundaries for IAM entities").
import { GITHUB_OIDC_HOST } from '../../pipeline/github-oidc-stack';
import { permissionsBoundaryName } from '../../stages/permissions-boundary';

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
  /** Stack names, roles, buckets, functions and parameters all start with it. */
  readonly projectName: string;
  readonly repositoryName: string;
  /** Whether the tooling account hosts the GitHub OIDC stack. */
  readonly githubOidc: boolean;
  /** The Route 53 zones the account's environments add records to. */
  readonly hostedZoneIds: readonly string[];
  /** Whether the stacks create KMS keys for their log groups (config logEncryption customer-key). */
  readonly logKeys: boolean;
}

/** The AWS managed policies the stacks attach: Session Manager on the diagnostics host, logs for CDK's Lambda. */
export const ATTACHABLE_MANAGED_POLICIES = ['AmazonSSMManagedInstanceCore', 'service-role/AWSLambdaBasicExecutionRole'];

/** The services each kind of account passes roles to: CodeBuild and CodePipeline; ECS tasks, Lambda, flow logs, EC2. */
export const PASSED_TO_SERVICES: Record<AccountRole, string[]> = {
  tooling: ['codebuild.amazonaws.com', 'codepipeline.amazonaws.com'],
  registry: [],
  workload: [
    'ecs-tasks.amazonaws.com',
    'lambda.amazonaws.com',
    'vpc-flow-logs.amazonaws.com',
    'ec2.amazonaws.com',
    // Blue/green: the load balancer role and the lifecycle hook role ("you must grant your user permission to pass
    // the role to Amazon ECS", ECS developer guide, "Amazon ECS infrastructure IAM role for load balancers").
    'ecs.amazonaws.com',
  ],
};

function union<T>(roles: readonly AccountRole[], table: Record<AccountRole, T[]>): T[] {
  return [...new Set(roles.flatMap((r) => table[r]))].sort();
}

/** The ARN of the boundary policy in the scope's account. */
export function boundaryArn(scope: PolicyScope): string {
  return `arn:${scope.partition}:iam::${scope.account}:policy/${permissionsBoundaryName(scope.projectName)}`;
}

/**
 * The actions of AmazonSSMManagedInstanceCore that the SSM agent on the diagnostics host uses (AWS managed policy
 * reference): never ssm:SendCommand or ssm:StartSession, which would reach every managed instance in the account.
 */
const SSM_AGENT_ACTIONS = [
  'ssm:DescribeAssociation',
  'ssm:GetDeployablePatchSnapshotForInstance',
  'ssm:GetDocument',
  'ssm:DescribeDocument',
  'ssm:GetManifest',
  'ssm:GetParameter',
  'ssm:GetParameters',
  'ssm:ListAssociations',
  'ssm:ListInstanceAssociations',
  'ssm:PutInventory',
  'ssm:PutComplianceItems',
  'ssm:PutConfigurePackageResult',
  'ssm:UpdateAssociationStatus',
  'ssm:UpdateInstanceAssociationStatus',
  'ssm:UpdateInstanceInformation',
  'ssmmessages:CreateControlChannel',
  'ssmmessages:CreateDataChannel',
  'ssmmessages:OpenControlChannel',
  'ssmmessages:OpenDataChannel',
  'ec2messages:AcknowledgeMessage',
  'ec2messages:DeleteMessage',
  'ec2messages:FailMessage',
  'ec2messages:GetEndpoint',
  'ec2messages:GetMessages',
  'ec2messages:SendReply',
];

/**
 * The permissions boundary for one account: what each of its kinds of role does, on the project's resources where
 * the action takes a resource, and nothing else. Statements on `*` are actions with no resource type (Describe calls,
 * GetAuthorizationToken, the SSM agent's channels) or resources whose names the project does not choose.
 */
export function boundaryPolicy(scope: PolicyScope, roles: readonly AccountRole[]): PolicyDocument {
  const { partition, account, region, projectName } = scope;
  const arn = (service: string, resource: string, inAccount = account) =>
    `arn:${partition}:${service}:${region}:${inAccount}:${resource}`;
  const statements: Array<Record<string, unknown>> = [];
  const allow = (Sid: string, Action: string[], Resource: string | string[]) =>
    statements.push({ Sid, Effect: 'Allow', Action, Resource });
  const repositoryInAnyAccount = arn('ecr', `repository/${scope.repositoryName}`, '*');

  if (roles.includes('tooling')) {
    allow(
      'ThePipelineAndItsBuilds',
      ['codepipeline:*', 'codebuild:*'],
      [
        arn('codepipeline', projectName),
        arn('codepipeline', `${projectName}/*`),
        arn('codebuild', 'project/*'),
        arn('codebuild', 'report-group/*'),
      ],
    );
    allow('LogsInThisAccountAndRegion', ['logs:*'], arn('logs', '*'));
    allow(
      'ProjectBucketsOnly',
      ['s3:*'],
      [`arn:${partition}:s3:::${projectName}-*`, `arn:${partition}:s3:::${projectName}-*/*`],
    );
    allow(
      'KeysInThisAccount',
      ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
      arn('kms', 'key/*'),
    );
    // The CDK bootstrap roles the pipeline deploys and looks up with, and the project's own roles, in any account
    // that trusts this one (the registry's publisher, the check's roles): never another role.
    allow(
      'AssumeOnlyCdkAndProjectRoles',
      ['sts:AssumeRole'],
      [`arn:${partition}:iam::*:role/cdk-hnb659fds-*-${region}`, `arn:${partition}:iam::*:role/${projectName}-*`],
    );
    allow(
      'ReadTheProjectStacks',
      ['cloudformation:DescribeStacks'],
      arn('cloudformation', `stack/${projectName}-*/*`, '*'),
    );
    // The approval topic is the user's, by any name, in this region.
    allow('NotifyApprovers', ['sns:Publish'], arn('sns', '*', '*'));
    // The post-deploy check of an internal service invokes the verifier in its VPC.
    allow('InvokeOnlyProjectFunctions', ['lambda:InvokeFunction'], arn('lambda', `function:${projectName}-*`, '*'));
    allow(
      'UseTheSourceConnection',
      ['codeconnections:UseConnection', 'codestar-connections:UseConnection'],
      [arn('codeconnections', 'connection/*'), arn('codestar-connections', 'connection/*')],
    );
  }
  if (roles.includes('registry')) {
    allow('TheRepositoryOnly', ['ecr:*'], arn('ecr', `repository/${scope.repositoryName}`));
  }
  if (roles.includes('registry') || roles.includes('workload')) {
    allow('EcrAuthorizationHasNoResource', ['ecr:GetAuthorizationToken'], '*');
  }
  if (roles.includes('workload')) {
    allow(
      'PullTheRepositoryOnly',
      ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
      repositoryInAnyAccount,
    );
    allow('LogsInThisAccountAndRegion', ['logs:*'], arn('logs', '*'));
    // Describe calls have no resource-level permissions; Lambda manages a VPC function's network interfaces with its
    // role on "*" (Lambda developer guide, "Giving Lambda functions access to resources in an Amazon VPC").
    allow(
      'DescribeAndVpcFunctionInterfaces',
      [
        'ec2:Describe*',
        'ec2:CreateNetworkInterface',
        'ec2:DeleteNetworkInterface',
        'ec2:AssignPrivateIpAddresses',
        'ec2:UnassignPrivateIpAddresses',
        'elasticloadbalancing:Describe*',
      ],
      '*',
    );
    // Only closing rules: the function that empties the VPC's default group, whose id exists only once the VPC does
    // and which EC2 does not tag. Nothing may open a group.
    allow(
      'CloseSecurityGroupRulesInThisAccount',
      ['ec2:RevokeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress'],
      arn('ec2', 'security-group/*'),
    );
    // Blue/green: what ECS does with the load balancer role (AmazonECSInfrastructureRolePolicyForLoadBalancers) and
    // the hook role's invocation of the pre-traffic check. Target group and rule names are CloudFormation's.
    allow(
      'MoveTheServiceBetweenTargetGroups',
      [
        'elasticloadbalancing:RegisterTargets',
        'elasticloadbalancing:DeregisterTargets',
        'elasticloadbalancing:ModifyRule',
      ],
      [arn('elasticloadbalancing', 'targetgroup/*'), arn('elasticloadbalancing', 'listener-rule/app/*')],
    );
    allow('InvokeOnlyProjectFunctions', ['lambda:InvokeFunction'], arn('lambda', `function:${projectName}-*`));
    // Session Manager on the diagnostics host: the agent's calls, whose channels and messages have no resource.
    allow('TheSsmAgentOnly', [...SSM_AGENT_ACTIONS, 's3:GetEncryptionConfiguration'], '*');
  }
  // An account with several roles (A = B, say) gets each shared statement once: the first, which is the broadest.
  const bySid = new Map<unknown, Record<string, unknown>>();
  for (const statement of statements) if (!bySid.has(statement.Sid)) bySid.set(statement.Sid, statement);
  return { Version: '2012-10-17', Statement: [...bySid.values()] };
}

/** The execution policy for one account, the union of what each of its roles needs. */
export function executionPolicy(scope: PolicyScope, roles: readonly AccountRole[]): PolicyDocument {
  const { partition, account, region, projectName } = scope;
  const iamPrefix = `arn:${partition}:iam::${account}`;
  const arn = (service: string, resource: string) => `arn:${partition}:${service}:${region}:${account}:${resource}`;
  const inRegion = { StringEquals: { 'aws:RequestedRegion': region } };
  const projectRoles = `${iamPrefix}:role/${projectName}-*`;
  const withBoundary = { StringEquals: { 'iam:PermissionsBoundary': boundaryArn(scope) } };
  const statements: Array<Record<string, unknown>> = [];
  const allow = (Sid: string, Action: string | string[], Resource: string | string[], Condition?: object) =>
    statements.push({ Sid, Effect: 'Allow', Action, Resource, ...(Condition && { Condition }) });

  if (roles.includes('tooling')) {
    // The pipeline is named after the project; CodeBuild and KMS key names are generated, so region and account bound them.
    allow('ThePipeline', 'codepipeline:*', [arn('codepipeline', projectName), arn('codepipeline', `${projectName}/*`)]);
    allow('PipelineBuildProjects', 'codebuild:*', arn('codebuild', 'project/*'));
    allow('PipelineArtifactKey', 'kms:*', [arn('kms', 'key/*'), arn('kms', `alias/codepipeline-${projectName}-*`)]);
    allow('CreateKeysHasNoResource', ['kms:CreateKey', 'kms:ListAliases'], '*', inRegion);
    // The one log group every build of the pipeline writes to, named after the project.
    allow('TheBuildLogGroup', 'logs:*', [
      arn('logs', `log-group:/aws/codebuild/${projectName}`),
      arn('logs', `log-group:/aws/codebuild/${projectName}:*`),
    ]);
    // The log group handler's calls that take no log group (registry schema of AWS::Logs::LogGroup).
    allow(
      'LogGroupHandlerCallsWithNoResource',
      ['logs:DescribeLogGroups', 'logs:DescribeResourcePolicies', 'logs:CreateLogDelivery', 'logs:PutResourcePolicy'],
      '*',
      inRegion,
    );
    allow(
      'UseTheSourceConnection',
      ['codeconnections:PassConnection', 'codestar-connections:PassConnection'],
      '*',
      inRegion,
    );
  }
  if (roles.includes('registry')) {
    allow('TheRepositoryOnly', 'ecr:*', arn('ecr', `repository/${scope.repositoryName}`));
  }
  if (roles.includes('workload')) {
    allow(
      'ServicesTheStacksUseInThisRegion',
      [
        'application-autoscaling:*',
        // The flow log handler reads Auto Scaling tags (registry schema of AWS::EC2::FlowLog).
        'autoscaling:DescribeTags',
        'cloudwatch:DeleteAlarms',
        'cloudwatch:DescribeAlarms',
        // Target tracking reads the metric it scales on (registry schema of AWS::ApplicationAutoScaling::ScalingPolicy).
        'cloudwatch:GetMetricData',
        'cloudwatch:PutMetricAlarm',
        // CloudFormation tags every alarm with the stack tags on create: "you must be signed on with both the
        // cloudwatch:PutMetricAlarm and cloudwatch:TagResource permissions" (PutMetricAlarm API reference).
        'cloudwatch:ListTagsForResource',
        'cloudwatch:TagResource',
        'cloudwatch:UntagResource',
        'ec2:*',
        'ecs:*',
        'elasticloadbalancing:*',
        'logs:*',
      ],
      '*',
      inRegion,
    );
    // The certificates a hosted zone lets the network stack request and validate (registry schema of
    // AWS::CertificateManager::Certificate: RequestCertificate, DescribeCertificate, AddTagsToCertificate, and
    // DeleteCertificate to remove it). RequestCertificate has no resource type, so region bounds them all.
    allow(
      'CertificatesInThisRegion',
      [
        'acm:RequestCertificate',
        'acm:DescribeCertificate',
        'acm:DeleteCertificate',
        'acm:AddTagsToCertificate',
        'acm:RemoveTagsFromCertificate',
        'acm:ListTagsForCertificate',
        'acm:UpdateCertificateOptions',
      ],
      '*',
      inRegion,
    );
    if (scope.hostedZoneIds.length > 0) {
      // Route 53 is global: no region condition. Records only in the configured zones (registry schema of
      // AWS::Route53::RecordSet; the certificate's validation record needs ChangeResourceRecordSets too).
      allow(
        'RecordsInTheConfiguredZonesOnly',
        ['route53:ChangeResourceRecordSets', 'route53:GetHostedZone', 'route53:ListResourceRecordSets'],
        scope.hostedZoneIds.map((id) => `arn:${partition}:route53:::hostedzone/${id}`),
      );
      allow('WaitForRecordChanges', 'route53:GetChange', `arn:${partition}:route53:::change/*`);
      allow('ListZonesHasNoResource', 'route53:ListHostedZones', '*');
    }
    if (scope.logKeys) {
      // A customer key per stack for its log groups. Key ids are generated, so account and region bound them;
      // CreateKey has no resource type (KMS API reference, "Actions defined by AWS KMS").
      allow('LogKeysInThisAccount', 'kms:*', arn('kms', 'key/*'));
      allow('CreateLogKeysHasNoResource', 'kms:CreateKey', '*', inRegion);
    }
    // CloudFormation names functions after their stack, and every stack name starts with the project name.
    allow('ProjectFunctionsOnly', 'lambda:*', arn('lambda', `function:${projectName}-*`));
    // The schedule that keeps the pre-traffic check active; CloudFormation names rules after their stack.
    allow('ProjectRulesOnly', 'events:*', arn('events', `rule/${projectName}-*`));
    // The service stack reads the network stack's outputs with Fn::GetStackOutput, which CloudFormation resolves with
    // the consuming stack's execution role (CloudFormation template reference, Fn::GetStackOutput: "Defaults to the
    // current stack's execution role"). Every stack name starts with the project name.
    allow(
      'ReadTheProjectStackOutputs',
      'cloudformation:DescribeStacks',
      arn('cloudformation', `stack/${projectName}-*/*`),
    );
    allow(
      'ServiceLinkedRolesForEcsElbAndAutoScaling',
      'iam:CreateServiceLinkedRole',
      `${iamPrefix}:role/aws-service-role/*`,
      {
        StringEquals: {
          'iam:AWSServiceName': [
            'ecs.amazonaws.com',
            'elasticloadbalancing.amazonaws.com',
            'ecs.application-autoscaling.amazonaws.com',
          ],
        },
      },
    );
    // The scalable target names Application Auto Scaling's service-linked role, which its handler passes.
    allow(
      'PassTheAutoScalingServiceLinkedRole',
      'iam:PassRole',
      `${iamPrefix}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService`,
    );
  }
  if (roles.includes('tooling') || roles.includes('workload')) {
    // CloudFormation names buckets after their stack, and every stack name starts with the project name.
    allow('ProjectBucketsOnly', 's3:*', [
      `arn:${partition}:s3:::${projectName}-*`,
      `arn:${partition}:s3:::${projectName}-*/*`,
    ]);
  }
  if (roles.includes('tooling') && scope.githubOidc) {
    allow(
      'TheGitHubOidcProvider',
      [
        'iam:CreateOpenIDConnectProvider',
        'iam:DeleteOpenIDConnectProvider',
        'iam:GetOpenIDConnectProvider',
        'iam:UpdateOpenIDConnectProviderThumbprint',
        'iam:AddClientIDToOpenIDConnectProvider',
        'iam:RemoveClientIDFromOpenIDConnectProvider',
        'iam:TagOpenIDConnectProvider',
        'iam:UntagOpenIDConnectProvider',
        'iam:ListOpenIDConnectProviderTags',
      ],
      `${iamPrefix}:oidc-provider/${GITHUB_OIDC_HOST}`,
    );
  }

  allow(
    'ProjectRolesOnly',
    [
      'iam:DeleteRole',
      'iam:GetRole',
      'iam:UpdateRole',
      'iam:UpdateRoleDescription',
      'iam:UpdateAssumeRolePolicy',
      'iam:TagRole',
      'iam:UntagRole',
      'iam:ListRoleTags',
      'iam:GetRolePolicy',
      'iam:ListRolePolicies',
      'iam:ListAttachedRolePolicies',
      'iam:CreateInstanceProfile',
      'iam:DeleteInstanceProfile',
      'iam:GetInstanceProfile',
      'iam:AddRoleToInstanceProfile',
      'iam:RemoveRoleFromInstanceProfile',
    ],
    [projectRoles, `${iamPrefix}:instance-profile/${projectName}-*`],
  );
  allow(
    'CreateRolesAndChangeTheirPoliciesOnlyWithinTheBoundary',
    ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:PutRolePermissionsBoundary'],
    projectRoles,
    withBoundary,
  );
  allow('AttachOnlyTheManagedPoliciesTheStacksUse', ['iam:AttachRolePolicy', 'iam:DetachRolePolicy'], projectRoles, {
    ...withBoundary,
    ArnEquals: { 'iam:PolicyARN': ATTACHABLE_MANAGED_POLICIES.map((p) => `arn:${partition}:iam::aws:policy/${p}`) },
  });
  const passedTo = union(roles, PASSED_TO_SERVICES);
  if (passedTo.length > 0) {
    allow('PassProjectRolesToTheServicesThatRunThem', 'iam:PassRole', projectRoles, {
      StringEquals: { 'iam:PassedToService': passedTo },
    });
  }
  statements.push(
    {
      Sid: 'NeverWithoutTheBoundary',
      Effect: 'Deny',
      Action: ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:PutRolePermissionsBoundary'],
      Resource: '*',
      Condition: { StringNotEquals: { 'iam:PermissionsBoundary': boundaryArn(scope) } },
    },
    { Sid: 'NeverRemoveTheBoundary', Effect: 'Deny', Action: 'iam:DeleteRolePermissionsBoundary', Resource: '*' },
    {
      Sid: 'NeverChangeTheBoundary',
      Effect: 'Deny',
      Action: ['iam:CreatePolicyVersion', 'iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:SetDefaultPolicyVersion'],
      Resource: boundaryArn(scope),
    },
  );
  return { Version: '2012-10-17', Statement: statements };
}
