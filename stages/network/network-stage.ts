import { Stage, type StageProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { checkStageWithCdkNag } from '../nag';
import { NetworkStack, type NetworkSettings } from './network-stack';

export interface NetworkStageProps extends StageProps {
  /** The CloudFormation stack name, such as hello-privatelink-production-network. */
  readonly stackName: string;
  readonly network: NetworkSettings;
}

/** Account B's network as a deployable unit. */
export class NetworkStage extends Stage {
  readonly stack: NetworkStack;

  constructor(scope: Construct, id: string, props: NetworkStageProps) {
    super(scope, id, props);
    this.stack = new NetworkStack(this, 'Network', {
      ...props.network,
      stackName: props.stackName,
      description: 'VPC without NAT, PrivateLink endpoints for ECR and logs, and the public load balancer',
    });
    checkStageWithCdkNag(this);
  }
}
