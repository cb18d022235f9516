/**
 * How the network stage hands values to the service stage: outputs of the network stack, which the service stack reads
 * with `Fn::GetStackOutput` when CloudFormation creates or updates it. CDK forbids references across stages, and
 * exports would lock the stacks together. CloudFormation resolves the function with the consuming stack's execution
 * role unless a RoleArn is given ("Defaults to the current stack's execution role", CloudFormation template reference,
 * Fn::GetStackOutput), so the execution policy that `npm run bootstrap` installs is all it needs: no SSM-typed
 * parameter, which the deploy role would resolve, and no change to CDK's bootstrap template.
 */
export const NETWORK_OUTPUTS = {
  vpcId: 'VpcId',
  privateSubnetIds: ['PrivateSubnet1Id', 'PrivateSubnet2Id'],
  endpointSecurityGroupId: 'EndpointSecurityGroupId',
  loadBalancerSecurityGroupId: 'LoadBalancerSecurityGroupId',
  listenerArn: 'ListenerArn',
  /** ExternalUrl: the only address the in-VPC verifier checks. */
  serviceUrl: 'ExternalUrl',
  /** The blue/green test listener, and its URL by the load balancer's DNS name. */
  testListenerArn: 'TestListenerArn',
  testUrl: 'TestUrl',
  /** app/<name>/<id>: the alarms' dimension, and the name on the load balancer's network interfaces. */
  loadBalancerFullName: 'LoadBalancerFullName',
} as const;

/** The name of one of the network stack's outputs. */
export type NetworkOutput =
  | Exclude<(typeof NETWORK_OUTPUTS)[keyof typeof NETWORK_OUTPUTS], readonly string[]>
  | (typeof NETWORK_OUTPUTS)['privateSubnetIds'][number];
