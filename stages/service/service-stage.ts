import type { Construct } from 'constructs';
import { SingleStackStage, type SingleStackStageProps } from '../single-stack-stage';
import type { ServiceSettings } from './service-settings';
import { ServiceStack } from './service-stack';

export interface ServiceStageProps extends SingleStackStageProps {
  readonly service: ServiceSettings;
}

/** Account B's Fargate service as a deployable unit. */
export class ServiceStage extends SingleStackStage<ServiceStack> {
  constructor(scope: Construct, id: string, props: ServiceStageProps) {
    super(
      scope,
      id,
      props,
      (stage) =>
        new ServiceStack(stage, 'Service', {
          ...props.service,
          stackName: props.stackName,
          description: `Fargate service running image ${props.service.imageTag} from the registry account`,
        }),
    );
  }
}
