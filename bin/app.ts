#!/usr/bin/env node
// The CDK app entry: the one place that reads context and files, then hands typed values on.
import { App } from 'aws-cdk-lib';
import { ConfigError, DEFAULT_CONFIG_PATH, loadConfig } from '../config/load';
import { contentTag } from '../runtime/image-tag';
import { buildDeliveryApp } from '../pipeline/build-app';

// cfn-lint checks every template in `npm test` and CI, a stronger gate than the built-in check, which
// only warns and costs about half of the synth time.
const app = new App({ builtinCloudFormationValidation: false });
const configPath = (app.node.tryGetContext('config') as string | undefined) ?? DEFAULT_CONFIG_PATH;
try {
  const config = loadConfig(configPath);
  buildDeliveryApp(app, config, contentTag());
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  console.error(`Invalid configuration: ${e.message}`);
  process.exit(1);
}
app.synth();
