import type { App } from 'aws-cdk-lib';
import { checkStageWithControlTower } from '../stages/control-tower';
import { checkStageWithCdkNag } from '../stages/nag';
import { applyPermissionsBoundary } from '../stages/permissions-boundary';
import type { DeployConfig } from '../config/load';
import {
  PIPELINE_STACK_ID,
  PROJECT_TAG,
  SOURCE_OBJECT_KEY,
  githubOidcStackName,
  pipelineName,
  pipelineStackName,
  sourceBucketName,
} from '../config/names';
import { createDeliveryStages, type DeliveryStages } from './delivery-stages';
import { GitHubOidcStack } from './github-oidc-stack';
import { PipelineStack } from './pipeline-stack';

/** Everything the app holds, for the entry point, the plan and the tests. */
export interface DeliveryApp {
  readonly app: App;
  readonly stages: DeliveryStages;
  readonly pipeline: PipelineStack;
  /** GitHub Actions' roles, when config names a repository. */
  readonly github?: GitHubOidcStack;
}

/** Composes the app from a validated config and the image tag. Reads no files or environment. */
export function buildDeliveryApp(app: App, config: DeployConfig, imageTag: string): DeliveryApp {
  // The App is a Stage too: its own stacks get checked like every nested Stage's.
  checkStageWithCdkNag(app);
  checkStageWithControlTower(app);
  const stages = createDeliveryStages(app, config, imageTag);
  const pipeline = new PipelineStack(app, PIPELINE_STACK_ID, {
    env: { account: config.toolingAccount, region: config.region },
    stackName: pipelineStackName(config),
    description: 'Self-mutating delivery pipeline: image to the registry account, stages to the workload accounts',
    tags: { [PROJECT_TAG]: config.projectName },
    config,
    stages,
    imageTag,
  });
  const github =
    config.github &&
    new GitHubOidcStack(app, 'GitHubOidc', {
      env: { account: config.toolingAccount, region: config.region },
      stackName: githubOidcStackName(config),
      description: `OIDC roles for the GitHub workflows of ${config.github.repository}`,
      tags: { [PROJECT_TAG]: config.projectName },
      repository: config.github.repository,
      oidcProviderArn: config.github.oidcProviderArn,
      diffRole: config.github.diffRole,
      pipelineName: pipelineName(config),
      pipelineStackName: pipelineStackName(config),
      sourceBucketName: sourceBucketName(config),
      sourceObjectKey: SOURCE_OBJECT_KEY,
      diffAccounts: [config.registry.account, ...config.environments.map((e) => e.account)],
    });
  for (const stack of [pipeline, github]) if (stack) applyPermissionsBoundary(stack, config.projectName);
  return { app, stages, pipeline, github };
}
