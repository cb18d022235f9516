// The private addresses of a load balancer, from its network interfaces: an internet-facing load balancer's DNS
// name resolves to public addresses only, which the isolated subnets cannot reach. Elastic Load Balancing names
// each interface "ELB app/<name>/<id>" (ELB user guide, "Network interfaces"). The call goes through the VPC's ec2
// endpoint; the Lambda Node.js runtime provides the AWS SDK v3, so the bundle leaves it out.
import { boundedRuntimeClient, type AwsClientBounds } from '../../tools/cli/aws';

/** Bounded like every other client of this project, and tighter: the hook must answer ECS within its round. */
export const ADDRESS_LOOKUP_BOUNDS: AwsClientBounds = {
  connectionTimeoutMs: 2000,
  requestTimeoutMs: 4000,
  maxAttempts: 2,
};

export async function loadBalancerAddresses(loadBalancerFullName: string): Promise<string[]> {
  // Loaded on first use, so the pipeline-check path never needs the SDK; require, because the inline code is CommonJS.
  const { EC2Client, DescribeNetworkInterfacesCommand } =
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('@aws-sdk/client-ec2') as typeof import('@aws-sdk/client-ec2');
  const ec2 = boundedRuntimeClient(EC2Client, {}, ADDRESS_LOOKUP_BOUNDS);
  const { NetworkInterfaces = [] } = await ec2.send(
    new DescribeNetworkInterfacesCommand({
      Filters: [{ Name: 'description', Values: [`ELB ${loadBalancerFullName}`] }],
    }),
  );
  return NetworkInterfaces.map((i) => i.PrivateIpAddress).filter((ip): ip is string => !!ip);
}
