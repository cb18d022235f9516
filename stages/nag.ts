import { Stage, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/**
 * Runs cdk-nag's AwsSolutions pack on a Stage's stacks. Validation plugins attach per Stage:
 * one added on the App does not see the stacks nested in Stages, so every Stage calls this.
 */
export function checkStageWithCdkNag(stage: Stage): void {
  // Acknowledgements also go into each resource's template Metadata (cdk_nag), where the report counts them.
  Validations.of(stage).addPlugins(new AwsSolutionsChecks(stage, { writeSuppressionsToCloudFormation: true }));
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
