// The permissions boundary `npm run bootstrap` installs in each account, which every role the app creates carries
// (why, and how the execution policy holds every role to it: bootstrap-policies.ts).
import {
  ECR_AUTHORIZATION_ACTION,
  ECR_PULL_ACTIONS,
  ECS_LOAD_BALANCER_ACTIONS,
  SECURITY_GROUP_REVOKE_ACTIONS,
  VPC_FUNCTION_INTERFACE_ACTIONS,
} from '../../config/iam-actions';
import { arn, cdkRoleNamePattern, pipelineName, projectNamePattern, roleArn, s3Arn } from '../../config/names';
import type { AccountRole, PolicyDocument, PolicyScope } from './bootstrap-policies';

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
  const here = (service: string, resource: string, inAccount = account) =>
    arn(partition, service, region, inAccount, resource);
  const project = projectNamePattern(projectName);
  const pipeline = pipelineName(scope);
  const statements: Array<Record<string, unknown>> = [];
  const allow = (Sid: string, Action: string[], Resource: string | string[]) =>
    statements.push({ Sid, Effect: 'Allow', Action, Resource });
  const repositoryInAnyAccount = here('ecr', `repository/${scope.repositoryName}`, '*');

  if (roles.includes('tooling')) {
    allow(
      'ThePipelineAndItsBuilds',
      ['codepipeline:*', 'codebuild:*'],
      [
        here('codepipeline', pipeline),
        here('codepipeline', `${pipeline}/*`),
        here('codebuild', 'project/*'),
        here('codebuild', 'report-group/*'),
      ],
    );
    allow('LogsInThisAccountAndRegion', ['logs:*'], here('logs', '*'));
    allow('ProjectBucketsOnly', ['s3:*'], [s3Arn(partition, project), s3Arn(partition, `${project}/*`)]);
    allow(
      'KeysInThisAccount',
      ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
      here('kms', 'key/*'),
    );
    // The CDK bootstrap roles the pipeline deploys and looks up with, and the project's own roles, in any account
    // that trusts this one (the registry's publisher, the check's roles): never another role.
    allow(
      'AssumeOnlyCdkAndProjectRoles',
      ['sts:AssumeRole'],
      [roleArn(partition, '*', cdkRoleNamePattern(region)), roleArn(partition, '*', project)],
    );
    allow('ReadTheProjectStacks', ['cloudformation:DescribeStacks'], here('cloudformation', `stack/${project}/*`, '*'));
    // The approval topic is the user's, by any name, in this region.
    allow('NotifyApprovers', ['sns:Publish'], here('sns', '*', '*'));
    // The post-deploy check of an internal service invokes the verifier in its VPC.
    allow('InvokeOnlyProjectFunctions', ['lambda:InvokeFunction'], here('lambda', `function:${project}`, '*'));
    allow(
      'UseTheSourceConnection',
      ['codeconnections:UseConnection', 'codestar-connections:UseConnection'],
      [here('codeconnections', 'connection/*'), here('codestar-connections', 'connection/*')],
    );
  }
  if (roles.includes('registry')) {
    allow('TheRepositoryOnly', ['ecr:*'], here('ecr', `repository/${scope.repositoryName}`));
  }
  if (roles.includes('registry') || roles.includes('workload')) {
    allow('EcrAuthorizationHasNoResource', [ECR_AUTHORIZATION_ACTION], '*');
  }
  if (roles.includes('workload')) {
    allow('PullTheRepositoryOnly', [...ECR_PULL_ACTIONS], repositoryInAnyAccount);
    allow('LogsInThisAccountAndRegion', ['logs:*'], here('logs', '*'));
    // Describe calls have no resource-level permissions; Lambda manages a VPC function's network interfaces with its
    // role on "*". ec2:Describe* covers the interface calls' reads.
    allow(
      'DescribeAndVpcFunctionInterfaces',
      [
        'ec2:Describe*',
        ...VPC_FUNCTION_INTERFACE_ACTIONS.filter((action) => !action.startsWith('ec2:Describe')),
        'elasticloadbalancing:Describe*',
      ],
      '*',
    );
    // Only closing rules: the function that empties the VPC's default group, whose id exists only once the VPC does
    // and which EC2 does not tag. Nothing may open a group.
    allow('CloseSecurityGroupRulesInThisAccount', [...SECURITY_GROUP_REVOKE_ACTIONS], here('ec2', 'security-group/*'));
    // Blue/green: what ECS does with the load balancer role (AmazonECSInfrastructureRolePolicyForLoadBalancers) and
    // the hook role's invocation of the pre-traffic check. Target group and rule names are CloudFormation's.
    allow(
      'MoveTheServiceBetweenTargetGroups',
      [...ECS_LOAD_BALANCER_ACTIONS.targets, ...ECS_LOAD_BALANCER_ACTIONS.rules],
      [here('elasticloadbalancing', 'targetgroup/*'), here('elasticloadbalancing', 'listener-rule/app/*')],
    );
    allow('InvokeOnlyProjectFunctions', ['lambda:InvokeFunction'], here('lambda', `function:${project}`));
    // Session Manager on the diagnostics host: the agent's calls, whose channels and messages have no resource.
    allow('TheSsmAgentOnly', [...SSM_AGENT_ACTIONS, 's3:GetEncryptionConfiguration'], '*');
  }
  // An account with several roles (A = B, say) gets each shared statement once: the first, which is the broadest.
  const bySid = new Map<unknown, Record<string, unknown>>();
  for (const statement of statements) if (!bySid.has(statement.Sid)) bySid.set(statement.Sid, statement);
  return { Version: '2012-10-17', Statement: [...bySid.values()] };
}
