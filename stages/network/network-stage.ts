import type { Construct } from 'constructs';
import { SingleStackStage, type SingleStackStageProps } from '../single-stack-stage';
import { NetworkStack, type NetworkSettings } from './network-stack';

export interface NetworkStageProps extends SingleStackStageProps {
  readonly network: NetworkSettings;
}

/** Account B's network as a deployable unit. */
export class NetworkStage extends SingleStackStage<NetworkStack> {
  constructor(scope: Construct, id: string, props: NetworkStageProps) {
    super(
      scope,
      id,
      props,
      (stage) =>
        new NetworkStack(stage, 'Network', {
          ...props.network,
          stackName: props.stackName,
          description: 'VPC without NAT, PrivateLink endpoints for ECR and logs, and the public load balancer',
        }),
    );
  }
}
