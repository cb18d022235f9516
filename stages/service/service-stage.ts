import { Stage, type StageProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { checkStageWithCdkNag } from '../nag';
import { ServiceStack, type ServiceSettings } from './service-stack';

export interface ServiceStageProps extends StageProps {
  /** The CloudFormation stack name, such as hello-privatelink-production-network. */
  readonly stackName: string;
  readonly service: ServiceSettings;
}

/** Account B's Fargate service as a deployable unit. */
export class ServiceStage extends Stage {
  readonly stack: ServiceStack;

  constructor(scope: Construct, id: string, props: ServiceStageProps) {
    super(scope, id, props);
    this.stack = new ServiceStack(this, 'Service', {
      ...props.service,
      stackName: props.stackName,
      description: `Fargate service running image ${props.service.imageTag} from the registry account`,
    });
    checkStageWithCdkNag(this);
  }
}
