import { Aspects, Stage, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, WriteNagSuppressionsToCloudFormationAspect } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/**
 * Runs cdk-nag's AwsSolutions pack on a Stage's stacks. Every Stage registers it, so a Stage is checked
 * wherever it is used: in the pipeline app, deployed on its own, or in a test.
 */
export function checkStageWithCdkNag(stage: Stage): void {
  Validations.of(stage).addPlugins(sharedChecks(stage));
  // Acknowledgements also go into each resource's template Metadata (cdk_nag), where the report counts them.
  // An aspect, so it must sit on every Stage: aspects do not cross Stage boundaries.
  Aspects.of(stage).add(new WriteNagSuppressionsToCloudFormationAspect());
}

/**
 * One AwsSolutions pack per app, shared by all its Stages. CDK hands every plugin the whole app to walk and
 * runs each distinct plugin once, so one instance checks everything once instead of once per Stage.
 */
const checksByApp = new WeakMap<IConstruct, AwsSolutionsChecks>();
function sharedChecks(stage: Stage): AwsSolutionsChecks {
  const root = stage.node.root;
  let checks = checksByApp.get(root);
  if (!checks) {
    checks = new AwsSolutionsChecks(root);
    checksByApp.set(root, checks);
  }
  return checks;
}

/** One cdk-nag acknowledgement: the rule (or `Rule[Finding]`) and why it does not apply here. */
export interface NagAcknowledgement {
  readonly id: string;
  readonly reason: string;
}

/** Acknowledges findings on one construct and its children; every entry must say why. */
export function acknowledge(scope: IConstruct, ...acks: NagAcknowledgement[]): void {
  for (const ack of acks) Validations.of(scope).acknowledge(ack);
}
