import type { Construct } from 'constructs';
import { SingleStackStage, type SingleStackStageProps } from '../single-stack-stage';
import { RegistryStack, type RegistrySettings } from './registry-stack';

export interface RegistryStageProps extends SingleStackStageProps {
  /** Settings of the repository and its publisher role. */
  readonly registry: RegistrySettings;
}

/** Account A as a deployable unit: the ECR repository and the publisher role. */
export class RegistryStage extends SingleStackStage<RegistryStack> {
  constructor(scope: Construct, id: string, props: RegistryStageProps) {
    super(
      scope,
      id,
      props,
      (stage) =>
        new RegistryStack(stage, 'Repository', {
          ...props.registry,
          stackName: props.stackName,
          description: `ECR repository ${props.registry.repositoryName}, pulled from workload accounts over PrivateLink`,
        }),
    );
  }
}
