import { Stage, type StageProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { checkStageWithCdkNag } from '../nag';
import { RegistryStack, type RegistrySettings } from './registry-stack';

export interface RegistryStageProps extends StageProps {
  /** The CloudFormation stack name, such as hello-privatelink-production-network. */
  readonly stackName: string;
  /** Settings of the repository and its publisher role. */
  readonly registry: RegistrySettings;
}

/** Account A as a deployable unit: the ECR repository and the publisher role. */
export class RegistryStage extends Stage {
  readonly stack: RegistryStack;

  constructor(scope: Construct, id: string, props: RegistryStageProps) {
    super(scope, id, props);
    this.stack = new RegistryStack(this, 'Repository', {
      ...props.registry,
      stackName: props.stackName,
      description: `ECR repository ${props.registry.repositoryName}, pulled from workload accounts over PrivateLink`,
    });
    checkStageWithCdkNag(this);
  }
}
