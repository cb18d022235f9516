// The CloudFormation execution policy `npm run bootstrap` installs in each account instead of AdministratorAccess
// (why it lets roles be created only within the permissions boundary: bootstrap-policies.ts).
import {
  arn,
  buildLogGroupName,
  githubOidcProviderArn,
  permissionsBoundaryArn,
  pipelineName,
  policyArn,
  projectNamePattern,
  roleArn,
  s3Arn,
} from '../../config/names';
import type { AccountRole, PolicyDocument, PolicyScope } from './bootstrap-policies';

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

/** The execution policy for one account, the union of what each of its roles needs. */
export function executionPolicy(scope: PolicyScope, roles: readonly AccountRole[]): PolicyDocument {
  const { partition, account, region, projectName } = scope;
  const here = (service: string, resource: string) => arn(partition, service, region, account, resource);
  const inRegion = { StringEquals: { 'aws:RequestedRegion': region } };
  const project = projectNamePattern(projectName);
  const projectRoles = roleArn(partition, account, project);
  const boundary = permissionsBoundaryArn(partition, account, projectName);
  const withBoundary = { StringEquals: { 'iam:PermissionsBoundary': boundary } };
  const pipeline = pipelineName(scope);
  const statements: Array<Record<string, unknown>> = [];
  const allow = (Sid: string, Action: string | string[], Resource: string | string[], Condition?: object) =>
    statements.push({ Sid, Effect: 'Allow', Action, Resource, ...(Condition && { Condition }) });

  if (roles.includes('tooling')) {
    // The pipeline is named after the project; CodeBuild and KMS key names are generated, so region and account bound them.
    allow('ThePipeline', 'codepipeline:*', [here('codepipeline', pipeline), here('codepipeline', `${pipeline}/*`)]);
    allow('PipelineBuildProjects', 'codebuild:*', here('codebuild', 'project/*'));
    allow('PipelineArtifactKey', 'kms:*', [here('kms', 'key/*'), here('kms', `alias/codepipeline-${project}`)]);
    allow('CreateKeysHasNoResource', ['kms:CreateKey', 'kms:ListAliases'], '*', inRegion);
    // The one log group every build of the pipeline writes to, named after the project.
    allow('TheBuildLogGroup', 'logs:*', [
      here('logs', `log-group:${buildLogGroupName(projectName)}`),
      here('logs', `log-group:${buildLogGroupName(projectName)}:*`),
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
    allow('TheRepositoryOnly', 'ecr:*', here('ecr', `repository/${scope.repositoryName}`));
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
        scope.hostedZoneIds.map((id) => arn(partition, 'route53', '', '', `hostedzone/${id}`)),
      );
      allow('WaitForRecordChanges', 'route53:GetChange', arn(partition, 'route53', '', '', 'change/*'));
      allow('ListZonesHasNoResource', 'route53:ListHostedZones', '*');
    }
    if (scope.logKeys) {
      // A customer key per stack for its log groups. Key ids are generated, so account and region bound them;
      // CreateKey has no resource type (KMS API reference, "Actions defined by AWS KMS").
      allow('LogKeysInThisAccount', 'kms:*', here('kms', 'key/*'));
      allow('CreateLogKeysHasNoResource', 'kms:CreateKey', '*', inRegion);
    }
    // CloudFormation names functions after their stack, and every stack name starts with the project name.
    allow('ProjectFunctionsOnly', 'lambda:*', here('lambda', `function:${project}`));
    // The schedule that keeps the pre-traffic check active; CloudFormation names rules after their stack.
    allow('ProjectRulesOnly', 'events:*', here('events', `rule/${project}`));
    // The service stack reads the network stack's outputs with Fn::GetStackOutput, which CloudFormation resolves with
    // the consuming stack's execution role (CloudFormation template reference, Fn::GetStackOutput: "Defaults to the
    // current stack's execution role"). Every stack name starts with the project name.
    allow('ReadTheProjectStackOutputs', 'cloudformation:DescribeStacks', here('cloudformation', `stack/${project}/*`));
    allow(
      'ServiceLinkedRolesForEcsElbAndAutoScaling',
      'iam:CreateServiceLinkedRole',
      roleArn(partition, account, 'aws-service-role/*'),
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
      roleArn(
        partition,
        account,
        'aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService',
      ),
    );
  }
  if (roles.includes('tooling') || roles.includes('workload')) {
    // CloudFormation names buckets after their stack, and every stack name starts with the project name.
    allow('ProjectBucketsOnly', 's3:*', [s3Arn(partition, project), s3Arn(partition, `${project}/*`)]);
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
      githubOidcProviderArn(partition, account),
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
    [projectRoles, arn(partition, 'iam', '', account, `instance-profile/${project}`)],
  );
  allow(
    'CreateRolesAndChangeTheirPoliciesOnlyWithinTheBoundary',
    ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:PutRolePermissionsBoundary'],
    projectRoles,
    withBoundary,
  );
  allow('AttachOnlyTheManagedPoliciesTheStacksUse', ['iam:AttachRolePolicy', 'iam:DetachRolePolicy'], projectRoles, {
    ...withBoundary,
    ArnEquals: { 'iam:PolicyARN': ATTACHABLE_MANAGED_POLICIES.map((name) => policyArn(partition, 'aws', name)) },
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
      Condition: { StringNotEquals: { 'iam:PermissionsBoundary': boundary } },
    },
    { Sid: 'NeverRemoveTheBoundary', Effect: 'Deny', Action: 'iam:DeleteRolePermissionsBoundary', Resource: '*' },
    {
      Sid: 'NeverChangeTheBoundary',
      Effect: 'Deny',
      Action: ['iam:CreatePolicyVersion', 'iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:SetDefaultPolicyVersion'],
      Resource: boundary,
    },
  );
  return { Version: '2012-10-17', Statement: statements };
}
