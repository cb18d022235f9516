// The registry's names that other accounts and the publish step address, kept free of CDK imports so that the
// pipeline's bundled publish step carries none of aws-cdk-lib.

/**
 * The name of the role the pipeline assumes to push images, fixed because the pipeline addresses it. It starts
 * with the project name, like every role the app creates, because the execution policy allows only those.
 */
export function publisherRoleName(projectName: string): string {
  return `${projectName}-image-publisher`;
}

/** The publisher role's ARN, for the pipeline in another account, which cannot reference the role itself. */
export function publisherRoleArn(partition: string, account: string, projectName: string): string {
  return `arn:${partition}:iam::${account}:role/${publisherRoleName(projectName)}`;
}
