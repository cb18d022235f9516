import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { DeployConfig } from '../config/load';
import { createDeliveryStages, type DeliveryStages } from './delivery-stages';

/** Everything the app holds, for the entry point, the plan and the tests. */
export interface DeliveryApp {
  readonly app: App;
  readonly stages: DeliveryStages;
}

/** Composes the app from a validated config and the image tag. Reads no files or environment. */
export function buildDeliveryApp(app: App, config: DeployConfig, imageTag: string): DeliveryApp {
  // The App is a Stage too: its own stacks get checked like every nested Stage's.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stages = createDeliveryStages(app, config, imageTag);
  return { app, stages };
}
