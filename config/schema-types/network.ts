// Generated from config/network.schema.json by `npx tsx config/generate-types.ts`; do not edit. The configuration
// as written, before defaults: a field the schema does not require is optional. config/types.ts builds the types
// the app reads on these.
import type { RetentionDays } from './deploy';

/**
 * the public Route 53 hosted zone, in the environment's account, that holds domainName: the stack adds an alias
 * record to the load balancer and, without certificateArn, requests a DNS-validated certificate
 */
export interface HostedZone {
  /** a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ */
  readonly id: string;
  /** the zone's domain, such as example.com, without the trailing dot */
  readonly name: string;
}

export interface Network {
  /** an IPv4 CIDR block such as 10.0.0.0/16, with no host bits set */
  readonly vpcCidr: string;
  /**
   * internet-facing or internal; internal makes the whole network private, with no public subnets and no internet
   * gateway
   */
  readonly albScheme?: 'internet-facing' | 'internal';
  /**
   * a lowercase host name such as www.example.com (labels of 1 to 63 letters, digits or inner hyphens, no
   * wildcard); ExternalUrl and the post-deploy check use it
   */
  readonly domainName?: string;
  readonly hostedZone?: HostedZone;
  /**
   * an ACM certificate ARN in the environment's account, the workload region and its partition, covering
   * domainName; it turns on HTTPS on 443 with a redirect from 80
   */
  readonly certificateArn?: string;
  /**
   * true or false: a Session Manager instance with ssm, ssmmessages and ec2messages endpoints for checking DNS
   * resolution
   */
  readonly diagnosticsHost?: boolean;
  readonly logRetentionDays?: RetentionDays;
  /**
   * true (the default) or false: the load balancer refuses deletion, so removing the environment's network stack
   * fails until a deploy turns this off
   */
  readonly deletionProtection?: boolean;
}
