import { Stage, type Stack, type StageProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { checkStageWithControlTower } from './control-tower';
import { checkStageWithCdkNag } from './nag';

export interface SingleStackStageProps extends StageProps {
  /** The CloudFormation stack name, such as hello-privatelink-production-network. */
  readonly stackName: string;
}

/**
 * One deployable unit holding one stack, checked by cdk-nag and AWS Control Tower's proactive controls. The pipeline deploys it as a stage, and
 * `cdk deploy 'StageId/*'` deploys it by hand.
 */
export abstract class SingleStackStage<S extends Stack> extends Stage {
  readonly stack: S;

  protected constructor(scope: Construct, id: string, props: SingleStackStageProps, createStack: (stage: Stage) => S) {
    super(scope, id, props);
    this.stack = createStack(this);
    checkStageWithCdkNag(this);
    checkStageWithControlTower(this);
  }
}
