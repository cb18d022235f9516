import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { DeployConfig } from '../config/load';
import { createDeliveryStages, pipelineStackName, type DeliveryStages } from './delivery-stages';
import { PipelineStack } from './pipeline-stack';

/** Everything the app holds, for the entry point, the plan and the tests. */
export interface DeliveryApp {
  readonly app: App;
  readonly stages: DeliveryStages;
  readonly pipeline: PipelineStack;
}

/** Composes the app from a validated config and the image tag. Reads no files or environment. */
export function buildDeliveryApp(app: App, config: DeployConfig, imageTag: string): DeliveryApp {
  // The App is a Stage too: its own stacks get checked like every nested Stage's.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stages = createDeliveryStages(app, config, imageTag);
  const pipeline = new PipelineStack(app, 'Pipeline', {
    env: { account: config.toolingAccount, region: config.region },
    stackName: pipelineStackName(config),
    description: 'Self-mutating delivery pipeline: image to the registry account, stages to the workload accounts',
    config,
    stages,
    imageTag,
  });
  return { app, stages, pipeline };
}
