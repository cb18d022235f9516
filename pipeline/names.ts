// The names the app gives its stacks and stages, and the CDK bootstrap roles it relies on: one place, which the CDK
// composition and the operator commands (status, drift, deploy) both read. It imports nothing from aws-cdk-lib, so a
// command that needs a name does not load the constructs.

/** The bootstrap qualifier of CDK's default template, which `npm run bootstrap` keeps. */
export const CDK_QUALIFIER = 'hnb659fds';

interface Project {
  readonly projectName: string;
}

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

/** One of CDK's bootstrap roles in an account (kind: deploy, lookup, file-publishing…). */
export function cdkRoleArn(partition: string, kind: string, account: string, region: string): string {
  return `arn:${partition}:iam::${account}:role/cdk-${CDK_QUALIFIER}-${kind}-role-${account}-${region}`;
}
