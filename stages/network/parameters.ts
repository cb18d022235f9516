/**
 * The SSM parameters through which the network stage hands values to the service stage.
 * CDK forbids references across stages, and exports would lock the stacks together; parameters
 * are resolved at deploy time instead. Both stages live in the workload account and share this list.
 */
export interface NetworkParameterNames {
  readonly vpcId: string;
  readonly privateSubnetIds: readonly [string, string];
  readonly endpointSecurityGroupId: string;
  readonly loadBalancerSecurityGroupId: string;
  readonly listenerArn: string;
  /** ExternalUrl: the only address the in-VPC verifier checks. */
  readonly serviceUrl: string;
  /** Blue/green only: the test listener, and its URL by the load balancer's DNS name. */
  readonly testListenerArn: string;
  readonly testUrl: string;
  /** app/<name>/<id>: the alarms' dimension, and the name on the load balancer's network interfaces. */
  readonly loadBalancerFullName: string;
}

export function networkParameterNames(projectName: string, environmentName: string): NetworkParameterNames {
  const prefix = `/${projectName}/${environmentName}/network`;
  return {
    vpcId: `${prefix}/vpc-id`,
    privateSubnetIds: [`${prefix}/private-subnet-1-id`, `${prefix}/private-subnet-2-id`],
    endpointSecurityGroupId: `${prefix}/endpoint-security-group-id`,
    loadBalancerSecurityGroupId: `${prefix}/load-balancer-security-group-id`,
    listenerArn: `${prefix}/listener-arn`,
    serviceUrl: `${prefix}/service-url`,
    testListenerArn: `${prefix}/test-listener-arn`,
    testUrl: `${prefix}/test-url`,
    loadBalancerFullName: `${prefix}/load-balancer-full-name`,
  };
}
