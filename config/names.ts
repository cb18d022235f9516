// Every name the app gives AWS (stacks, stages, roles, functions, buckets, log groups, policies), the GitHub
// environments and the CDK qualifier, and every ARN built from them: written once, so that what addresses a resource
// by name (a trust policy, a permissions boundary, an operator command) cannot drift from what creates it. The CDK
// composition, the operator commands and the pipeline's steps all read this module, so it imports nothing from
// aws-cdk-lib: builders take plain strings, which CDK code passes as tokens (Stack.partition) and tools as values.
import { build } from '@aws-sdk/util-arn-parser';

interface Project {
  readonly projectName: string;
}

/**
 * Every name the project gives starts with `<projectName>-`, but the pipeline's, which is the project name, its build
 * log group's, and the repository's, which the config sets (CDK's bootstrap roles and ECR's layer bucket below are
 * theirs). The bootstrap policies allow the stacks to create and change only resources named so.
 */
export function projectNamePattern(projectName: string): string {
  return `${projectName}-*`;
}

// Stacks and stages.

/** The pipeline stack's construct id: `cdk deploy Pipeline` selects it. */
export const PIPELINE_STACK_ID = 'Pipeline';

/** The pipeline stack's name; the registry's publisher role trusts roles named after it. */
export function pipelineStackName(config: Project): string {
  return `${config.projectName}-pipeline`;
}

export function registryStackName(config: Project): string {
  return `${config.projectName}-registry`;
}

export function githubOidcStackName(config: Project): string {
  return `${config.projectName}-github-oidc`;
}

/** An environment's two stacks: hello-privatelink-production-network, hello-privatelink-production-service. */
export function environmentStackNames(projectName: string, environmentName: string) {
  return {
    network: `${projectName}-${environmentName}-network`,
    service: `${projectName}-${environmentName}-service`,
  } as const;
}

/** An environment's two stages' construct ids, which are also the pipeline's stage names: ProductionNetwork, ProductionService. */
export function environmentStageIds(environmentName: string) {
  const pascal = environmentName.charAt(0).toUpperCase() + environmentName.slice(1);
  return { network: `${pascal}Network`, service: `${pascal}Service` } as const;
}

/** The stack tag naming the workload environment a stack belongs to; the plan report groups stacks by it. */
export const ENVIRONMENT_TAG = 'deployment-environment';

/** The stack tag naming the project, which CloudFormation copies onto every resource, for cost allocation. */
export const PROJECT_TAG = 'project';

// The tooling account.

/** The pipeline is named after the project: the deploy job and the operator commands start and read it by name. */
export function pipelineName(config: Project): string {
  return config.projectName;
}

/** The one log group every CodeBuild project of the pipeline writes to. */
export function buildLogGroupName(projectName: string): string {
  return `/aws/codebuild/${projectName}`;
}

/** The pipeline's source bucket: fixed, because the deploy workflow and its role address it before the stack exists. */
export function sourceBucketName(config: { readonly projectName: string; readonly toolingAccount: string }): string {
  return `${config.projectName}-source-${config.toolingAccount}`;
}

/** Where the deploy workflow uploads each commit in source mode s3. */
export const SOURCE_OBJECT_KEY = 'source/source.zip';

/** The role the in-VPC checks run as: fixed, because each verifier's resource policy names it. */
export function postDeployCheckRoleName(projectName: string): string {
  return `${projectName}-post-deploy-check`;
}

// The registry account.

/**
 * The name of the role the pipeline assumes to push images, fixed because the pipeline addresses it. It starts
 * with the project name, like every role the app creates, because the execution policy allows only those.
 */
export function publisherRoleName(projectName: string): string {
  return `${projectName}-image-publisher`;
}

// The workload accounts.

/** The verifier's name in the workload account: fixed, because the pipeline's check role is granted it by ARN. */
export function verifierFunctionName(projectName: string, environmentName: string): string {
  return `${projectName}-${environmentName}-verifier`;
}

/** The AWS-owned bucket ECR serves image layers from, in each region (ECR user guide, "Amazon ECR interface VPC endpoints"). */
export function ecrLayerBucketName(region: string): string {
  return `prod-${region}-starport-layer-bucket`;
}

// Every account: what `npm run bootstrap` installs, and CDK's bootstrap roles.

/** The bootstrap qualifier of CDK's default template, which `npm run bootstrap` keeps. */
export const CDK_QUALIFIER = 'hnb659fds';

/** The boundary every role the app creates carries; the execution policy lets CloudFormation create roles only with it. */
export function permissionsBoundaryName(projectName: string): string {
  return `${projectName}-permissions-boundary`;
}

/** The CloudFormation execution policy `npm run bootstrap` installs instead of AdministratorAccess. */
export function executionPolicyName(projectName: string): string {
  return `${projectName}-cdk-execution`;
}

/** One of CDK's bootstrap roles (kind: deploy, lookup, file-publishing…): `cdk-hnb659fds-lookup-role-<account>-<region>`. */
export function cdkRoleName(kind: string, account: string, region: string): string {
  return `cdk-${CDK_QUALIFIER}-${kind}-role-${account}-${region}`;
}

/** Every CDK bootstrap role of a region, of any kind and account, as a wildcard. */
export function cdkRoleNamePattern(region: string): string {
  return `cdk-${CDK_QUALIFIER}-*-${region}`;
}

// GitHub.

/** GitHub Actions' token issuer. */
export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
/** The GitHub environment the deploy job runs in; the deploy role trusts it alone. */
export const DEPLOY_ENVIRONMENT = 'production';
/**
 * The GitHub environment the pull-request diff job runs in. Its required reviewers approve each run, so code from a
 * pull request nobody has reviewed never gets the diff role, whose lookup roles can read the accounts' data
 * (ReadOnlyAccess). A job with an environment gets the subject `repo:ORG/REPO:environment:NAME` (GitHub docs,
 * "OpenID Connect reference"), and fork pull requests get no OIDC token at all.
 */
export const DIFF_ENVIRONMENT = 'pull-request-diff';
/**
 * The GitHub environment the scheduled drift job runs in. It runs unattended, so the environment's protection is its
 * deployment branches (main only) rather than reviewers: code that reaches main is reviewed, and no other branch's
 * workflow gets the drift role, whose lookup roles can read the accounts' data (ReadOnlyAccess).
 */
export const DRIFT_ENVIRONMENT = 'drift-detection';

export function githubOidcProviderArn(partition: string, account: string): string {
  return arn(partition, 'iam', '', account, `oidc-provider/${GITHUB_OIDC_HOST}`);
}

/** The OIDC subject of a job that runs in a GitHub environment of the repository (owner/name). */
export function githubEnvironmentSubject(repository: string, environment: string): string {
  return `repo:${repository}:environment:${environment}`;
}

// ARNs. A global service (IAM, S3, Route 53) leaves the region empty, and S3 the account too.

export function arn(partition: string, service: string, region: string, account: string, resource: string): string {
  return build({ partition, service, region, accountId: account, resource });
}

export function roleArn(partition: string, account: string, roleName: string): string {
  return arn(partition, 'iam', '', account, `role/${roleName}`);
}

export function policyArn(partition: string, account: string, policyName: string): string {
  return arn(partition, 'iam', '', account, `policy/${policyName}`);
}

/** A bucket (`name`), or objects in it (`name/key`, `name/*`). */
export function s3Arn(partition: string, bucketAndKey: string): string {
  return arn(partition, 's3', '', '', bucketAndKey);
}

export function cdkRoleArn(partition: string, kind: string, account: string, region: string): string {
  return roleArn(partition, account, cdkRoleName(kind, account, region));
}

/** The CDK lookup role of an account: read-only (ReadOnlyAccess), and trusted by the tooling account. */
export function lookupRoleArn(partition: string, account: string, region: string): string {
  return cdkRoleArn(partition, 'lookup', account, region);
}

/** The publisher role's ARN, for the pipeline in another account, which cannot reference the role itself. */
export function publisherRoleArn(partition: string, account: string, projectName: string): string {
  return roleArn(partition, account, publisherRoleName(projectName));
}

export function postDeployCheckRoleArn(partition: string, toolingAccount: string, projectName: string): string {
  return roleArn(partition, toolingAccount, postDeployCheckRoleName(projectName));
}

export function permissionsBoundaryArn(partition: string, account: string, projectName: string): string {
  return policyArn(partition, account, permissionsBoundaryName(projectName));
}

export function lambdaFunctionArn(partition: string, region: string, account: string, functionName: string): string {
  return arn(partition, 'lambda', region, account, `function:${functionName}`);
}

/** Account A's repository, built from config because it lives in another account. */
export function repositoryArn(partition: string, region: string, account: string, repositoryName: string): string {
  return arn(partition, 'ecr', region, account, `repository/${repositoryName}`);
}

/**
 * The steps the pipeline runs after Synth, each bundled by `npm run synth` (tools/build/bundle-steps.ts) into
 * one self-contained file in the cloud assembly: the steps run them with `node`, with nothing to install.
 */
export const STEP_ENTRIES = {
  'publish-image': 'tools/pipeline-steps/publish-image.ts',
  'smoke-test': 'tools/pipeline-steps/smoke-test.ts',
} as const;
export type StepName = keyof typeof STEP_ENTRIES;

/** A step's bundle, relative to the cloud assembly. */
export function stepBundle(name: StepName): string {
  return `steps/${name}.js`;
}
