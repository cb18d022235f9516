// Generated from config/deploy.schema.json by `npx tsx config/generate-types.ts`; do not edit. The configuration
// as written, before defaults: a field the schema does not require is optional. config/types.ts builds the types
// the app reads on these.
import type { HostedZone, Network } from './network';
import type { Pipeline } from './pipeline';
import type { Canary, Linear, Service } from './service';

/** Accounts, network and service settings of the PrivateLink ECR to Fargate delivery. */
export interface DeploymentConfiguration {
  /** a path to this schema, for editors */
  readonly $schema?: string;
  /**
   * 3 to 32 lowercase letters, digits or dashes, starting with a letter; it prefixes SSM parameters and the
   * pipeline's name
   */
  readonly projectName: string;
  /**
   * a known AWS region name such as us-east-2; the registry and every workload environment live in it, because
   * PrivateLink endpoints only reach their own region
   */
  readonly region: string;
  /** a 12-digit AWS account id, as a string */
  readonly toolingAccount: string;
  readonly registry: Registry;
  /** 1 to 5 workload environments, deployed in this order */
  readonly environments: readonly Environment[];
  readonly network: Network;
  readonly service: Service;
  readonly pipeline: Pipeline;
  /**
   * aws-owned (the default: CloudWatch Logs' own encryption, no charge) or customer-key: a KMS key with rotation
   * for the log groups of each stack that has any, at $1 a month per key plus requests
   */
  readonly logEncryption?: 'aws-owned' | 'customer-key';
  /** AWS CLI profile names by account id, used by npm run bootstrap */
  readonly profiles?: {
    /** an AWS CLI profile name */
    readonly [key: string]: string;
  };
  readonly github?: GitHub;
}

export interface Registry {
  /** a 12-digit AWS account id, as a string */
  readonly account: string;
  /** an ECR repository name: lowercase letters, digits, and . _ - / separators */
  readonly repositoryName: string;
  /** an integer from 1 to 1000: how many images the lifecycle policy keeps */
  readonly keepLastImages?: number;
  /** an integer from 1 to 365: days after which untagged images expire */
  readonly untaggedExpiryDays?: number;
}

export interface Environment {
  /** 2 to 16 lowercase letters or digits, starting with a letter, such as staging or production */
  readonly name: string;
  /** a 12-digit AWS account id, as a string */
  readonly account: string;
  /** true or false: whether a manual approval gates this environment's service stage */
  readonly requireApproval?: boolean;
  /** an https:// URL the approver is pointed to, such as a change log or dashboard */
  readonly reviewUrl?: string;
  /**
   * an SNS topic ARN in this environment's account and region that the deployment alarms notify when they go into
   * and out of alarm; its policy must let CloudWatch publish (a topic's default policy does)
   */
  readonly alarmTopicArn?: string;
  readonly service?: ServiceOverrides;
  readonly network?: NetworkOverrides;
}

/**
 * this environment's own service settings, over the shared service ones: cpu, memoryMiB, desiredCount, maxCount,
 * deploymentStrategy, bakeTimeMinutes, canary, linear
 */
export interface ServiceOverrides {
  /**
   * blue-green (a full new set of tasks, checked through a test listener before any user reaches it, then all
   * traffic at once), canary (the same, then a share of traffic for a while before the rest), linear (the same,
   * then traffic in equal steps) or rolling (tasks replaced in place)
   */
  readonly deploymentStrategy?: 'blue-green' | 'canary' | 'linear' | 'rolling';
  /**
   * an integer from 0 to 1440: with blue-green, canary or linear, minutes the old tasks stay ready for an instant
   * rollback after production traffic moves
   */
  readonly bakeTimeMinutes?: number;
  /** Fargate CPU units: one of 256, 512, 1024, 2048, 4096, 8192, 16384 */
  readonly cpu?: 256 | 512 | 1024 | 2048 | 4096 | 8192 | 16384;
  /** Fargate memory in MiB that fits the cpu value */
  readonly memoryMiB?: number;
  /** an integer from 1 to 100: tasks that run at all times */
  readonly desiredCount?: number;
  /** an integer from desiredCount to 100: turns on CPU auto scaling up to this many tasks */
  readonly maxCount?: number;
  readonly canary?: Canary;
  readonly linear?: Linear;
}

/**
 * this environment's own network settings, over the shared network ones: albScheme, domainName, hostedZone,
 * certificateArn, deletionProtection
 */
export interface NetworkOverrides {
  /**
   * internet-facing or internal; internal makes the whole network private, with no public subnets and no internet
   * gateway
   */
  readonly albScheme?: 'internet-facing' | 'internal';
  /**
   * an ACM certificate ARN in the environment's account, the workload region and its partition, covering
   * domainName; it turns on HTTPS on 443 with a redirect from 80
   */
  readonly certificateArn?: string;
  /**
   * a lowercase host name such as www.example.com (labels of 1 to 63 letters, digits or inner hyphens, no
   * wildcard); ExternalUrl and the post-deploy check use it
   */
  readonly domainName?: string;
  readonly hostedZone?: HostedZone;
  /**
   * true (the default) or false: the load balancer refuses deletion, so removing the environment's network stack
   * fails until a deploy turns this off
   */
  readonly deletionProtection?: boolean;
}

/**
 * a CloudWatch Logs retention in days: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827,
 * 2192, 2557, 2922, 3288 or 3653
 */
export type RetentionDays =
  | 1
  | 3
  | 5
  | 7
  | 14
  | 30
  | 60
  | 90
  | 120
  | 150
  | 180
  | 365
  | 400
  | 545
  | 731
  | 1096
  | 1827
  | 2192
  | 2557
  | 2922
  | 3288
  | 3653;

/** the GitHub repository whose workflows deploy through OIDC roles in the tooling account */
export interface GitHub {
  /** owner/name of the GitHub repository, with no wildcard */
  readonly repository: string;
  /** the ARN of an existing GitHub OIDC provider in the tooling account, to reuse instead of creating one */
  readonly oidcProviderArn?: string;
  /** true or false: a read-only role pull requests use for cdk diff */
  readonly diffRole?: boolean;
}
