// The default configuration's app, built and synthesized once for every suite that reads it. Those suites are
// modules of one test file, test/default-config.test.ts, so that they share this module: the run synthesizes the
// default configuration once instead of once per file.
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { DeployConfig } from '../../config/load';
import { buildDeliveryApp, type DeliveryApp } from '../../pipeline/build-app';
import { configWith, newProjectApp } from './cdk';
import { IMAGE_TAG } from './constants';

export interface DefaultDelivery {
  readonly config: DeployConfig;
  readonly delivery: DeliveryApp;
  readonly assembly: CloudAssembly;
}

let built: DefaultDelivery | undefined;

/** The default configuration, its delivery app and the app's cloud assembly; suites read them and change nothing. */
export function defaultDelivery(): DefaultDelivery {
  if (!built) {
    const config = configWith();
    const delivery = buildDeliveryApp(newProjectApp(), config, IMAGE_TAG);
    built = { config, delivery, assembly: delivery.app.synth() };
  }
  return built;
}
