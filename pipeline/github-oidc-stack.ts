import { CfnOutput, Duration, Stack, Token, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import {
  DEPLOY_ENVIRONMENT,
  DIFF_ENVIRONMENT,
  DRIFT_ENVIRONMENT,
  GITHUB_OIDC_HOST,
  arn,
  cdkRoleArn,
  githubEnvironmentSubject,
  s3Arn,
} from '../config/names';
import { acknowledge } from '../stages/nag';

export interface GitHubOidcStackProps extends StackProps {
  /** owner/name; the roles trust this repository only. */
  readonly repository: string;
  /** Reuse an existing provider. @default - create one */
  readonly oidcProviderArn?: string;
  /** Create the read-only role pull requests use for cdk diff. */
  readonly diffRole: boolean;
  /**
   * Create the read-only role the scheduled drift workflow uses. Like the diff role, it reads every account through
   * the CDK lookup roles, so a repository gets it where it already lets GitHub read the accounts.
   * @default - the same as diffRole
   */
  readonly driftRole?: boolean;
  readonly pipelineName: string;
  readonly pipelineStackName: string;
  readonly sourceBucketName: string;
  readonly sourceObjectKey: string;
  /** Accounts whose deployed stacks `cdk diff` and drift detection read, through their CDK lookup roles. */
  readonly diffAccounts: readonly string[];
}

/** The exact trust conditions for one GitHub subject: audience STS, and a subject without wildcards. */
export function githubTrustConditions(subject: string): Record<string, Record<string, string>> {
  return { StringEquals: { [`${GITHUB_OIDC_HOST}:aud`]: 'sts.amazonaws.com', [`${GITHUB_OIDC_HOST}:sub`]: subject } };
}

interface TrustStatement {
  readonly Action?: string | string[];
  readonly Condition?: { StringEquals?: Record<string, unknown>; StringLike?: Record<string, unknown> };
}

/**
 * Problems with roles that GitHub tokens can assume: each must pin the audience to STS and the subject to one
 * exact repository context, never a wildcard (which would let any repository or branch of an owner in).
 */
export function githubTrustProblems(stack: Stack): string[] {
  const problems: string[] = [];
  for (const role of stack.node.findAll().filter((c): c is iam.CfnRole => c instanceof iam.CfnRole)) {
    const document = stack.resolve(role.assumeRolePolicyDocument) as { Statement?: TrustStatement[] };
    for (const statement of document.Statement ?? []) {
      // Every web-identity trust in this stack is a GitHub one.
      if (![statement.Action].flat().includes('sts:AssumeRoleWithWebIdentity')) continue;
      const where = role.node.path;
      const equals = statement.Condition?.StringEquals ?? {};
      if (equals[`${GITHUB_OIDC_HOST}:aud`] !== 'sts.amazonaws.com')
        problems.push(`${where}: the trust does not pin aud to sts.amazonaws.com`);
      const subject = equals[`${GITHUB_OIDC_HOST}:sub`];
      if (typeof subject !== 'string' || subject.includes('*')) {
        problems.push(
          `${where}: the trust must pin sub to one exact value with StringEquals, not ${JSON.stringify(subject ?? statement.Condition)}`,
        );
      }
      if (statement.Condition?.StringLike) problems.push(`${where}: StringLike lets wildcards into a GitHub trust`);
    }
  }
  return problems;
}

/**
 * The tooling account's door for GitHub Actions: the OIDC provider, the deploy role the production environment
 * assumes, and optional read-only roles for pull-request diffs and for scheduled drift detection.
 */
export class GitHubOidcStack extends Stack {
  readonly deployRole: iam.Role;
  readonly diffRole?: iam.Role;
  readonly driftRole?: iam.Role;

  constructor(scope: Construct, id: string, props: GitHubOidcStackProps) {
    super(scope, id, props);
    const provider = props.oidcProviderArn
      ? iam.OidcProviderNative.fromOidcProviderArn(this, 'Provider', props.oidcProviderArn)
      : new iam.OidcProviderNative(this, 'Provider', {
          url: `https://${GITHUB_OIDC_HOST}`,
          clientIds: ['sts.amazonaws.com'],
        });
    const lookupAccounts = [...new Set([this.account, ...props.diffAccounts])];
    const bootstrapRole = (account: string, kind: string) => cdkRoleArn(this.partition, kind, account, this.region);
    const sourceObject = s3Arn(this.partition, `${props.sourceBucketName}/${props.sourceObjectKey}`);

    this.deployRole = new iam.Role(this, 'DeployRole', {
      description: `GitHub Actions deploys of ${props.repository} from the ${DEPLOY_ENVIRONMENT} environment`,
      assumedBy: new iam.WebIdentityPrincipal(
        provider.oidcProviderArn,
        githubTrustConditions(githubEnvironmentSubject(props.repository, DEPLOY_ENVIRONMENT)),
      ),
      maxSessionDuration: Duration.hours(2),
    });
    // A rollback (npm run deploy -- --ref COMMIT) first looks for a version of the source object that names the
    // commit (the bucket keeps them 30 days): it lists the key's versions and reads their metadata.
    this.deployRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'FindAKeptCommit',
        actions: ['s3:ListBucketVersions'],
        resources: [s3Arn(this.partition, props.sourceBucketName)],
        conditions: { StringEquals: { 's3:prefix': props.sourceObjectKey } },
      }),
    );
    this.deployRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadWhichCommitAVersionIs',
        actions: ['s3:GetObjectVersion'],
        resources: [sourceObject],
      }),
    );
    const pipelineArn = this.formatArn({ service: 'codepipeline', resource: props.pipelineName });
    this.deployRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'UploadTheCommit',
        actions: ['s3:PutObject'],
        resources: [sourceObject],
      }),
    );
    this.deployRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'StartAndFollowThePipeline',
        actions: [
          'codepipeline:StartPipelineExecution',
          'codepipeline:GetPipelineExecution',
          'codepipeline:GetPipelineState',
          'codepipeline:ListPipelineExecutions',
          'codepipeline:ListActionExecutions',
        ],
        resources: [pipelineArn],
      }),
    );
    this.deployRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'FindThePipelineStack',
        actions: ['cloudformation:DescribeStacks'],
        resources: [
          this.formatArn({
            service: 'cloudformation',
            resource: 'stack',
            resourceName: `${props.pipelineStackName}/*`,
          }),
        ],
      }),
    );
    this.deployRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'FirstDeployOfThePipelineThroughCdkBootstrapRoles',
        actions: ['sts:AssumeRole'],
        resources: ['deploy', 'file-publishing', 'lookup'].map((kind) => bootstrapRole(this.account, kind)),
      }),
    );
    const partitionInFindings = Token.isUnresolved(this.partition) ? '<AWS::Partition>' : this.partition;
    const pipelineStacks = `stack/${props.pipelineStackName}/*`;
    const pipelineStackArn = arn(partitionInFindings, 'cloudformation', this.region, this.account, pipelineStacks);
    acknowledge(this.deployRole, {
      id: `AwsSolutions-IAM5[Resource::${pipelineStackArn}]`,
      reason: 'A stack ARN ends in a generated id; the name pins it to the pipeline stack',
    });
    new CfnOutput(this, 'DeployRoleArn', {
      value: this.deployRole.roleArn,
      description: 'GitHub variable DEPLOY_ROLE_ARN',
    });

    // Read-only roles: each account's lookup role (ReadOnlyAccess) reads there, the tooling account's included.
    const lookupRoles = lookupAccounts.map((account) => bootstrapRole(account, 'lookup'));
    const access = { repository: props.repository, oidcProviderArn: provider.oidcProviderArn, lookupRoles };
    if (props.diffRole) {
      this.diffRole = this.readOnlyRole('Diff', access, {
        environment: DIFF_ENVIRONMENT,
        description: `Read-only cdk diff for reviewed pull requests of ${props.repository}`,
        sid: 'ReadDeployedTemplatesThroughCdkLookupRoles',
      });
    }
    // Nothing of its own: the lookup role's ReadOnlyAccess includes cloudformation:Detect*, Describe* and Get*.
    if (props.driftRole ?? props.diffRole) {
      this.driftRole = this.readOnlyRole('Drift', access, {
        environment: DRIFT_ENVIRONMENT,
        description: `Read-only scheduled drift detection for ${props.repository}`,
        sid: 'DetectDriftThroughCdkLookupRoles',
      });
    }

    this.node.addValidation({ validate: () => githubTrustProblems(this) });
  }

  /** A role the jobs of one GitHub environment assume, which may only assume the accounts' CDK lookup roles. */
  private readOnlyRole(
    id: 'Diff' | 'Drift',
    access: { readonly repository: string; readonly oidcProviderArn: string; readonly lookupRoles: string[] },
    role: { readonly environment: string; readonly description: string; readonly sid: string },
  ): iam.Role {
    const created = new iam.Role(this, `${id}Role`, {
      description: role.description,
      assumedBy: new iam.WebIdentityPrincipal(
        access.oidcProviderArn,
        githubTrustConditions(githubEnvironmentSubject(access.repository, role.environment)),
      ),
      maxSessionDuration: Duration.hours(1),
    });
    created.addToPolicy(
      new iam.PolicyStatement({ sid: role.sid, actions: ['sts:AssumeRole'], resources: access.lookupRoles }),
    );
    new CfnOutput(this, `${id}RoleArn`, {
      value: created.roleArn,
      description: `GitHub variable ${id.toUpperCase()}_ROLE_ARN`,
    });
    return created;
  }
}
