// The configuration as the app reads it: every default filled in, each environment merged over the shared sections.
// The loader (load.ts) returns a DeployConfig; the rest of the app reads nothing else.

export type CpuArchitecture = 'ARM64' | 'X86_64';
export type AlbScheme = 'internet-facing' | 'internal';
export type DeploymentStrategy = 'blue-green' | 'canary' | 'linear' | 'rolling';

/** The strategies that shift traffic between two target groups: a test listener, a pre-traffic check, a bake time. */
export const TRAFFIC_SHIFT_STRATEGIES: readonly DeploymentStrategy[] = ['blue-green', 'canary', 'linear'];

/** Canary: this share of production traffic goes to the new version for `bakeMinutes`, then all of it. */
export interface CanaryConfig {
  readonly percent: number;
  readonly bakeMinutes: number;
}

/** Linear: production traffic moves in steps of `stepPercent`, `intervalMinutes` apart. */
export interface LinearConfig {
  readonly stepPercent: number;
  readonly intervalMinutes: number;
}

/** aws-owned: CloudWatch Logs' own encryption, free. customer-key: a KMS key per stack, $1 a month each. */
export type LogEncryption = 'aws-owned' | 'customer-key';

/** One workload environment: a copy of the network and service stages in one account. */
export interface EnvironmentConfig {
  /** Lowercase name, such as `staging` or `production`; it names the stages and SSM parameters. */
  readonly name: string;
  /** The workload account (Account B). */
  readonly account: string;
  /** Whether a manual approval gates the service stage. */
  readonly requireApproval: boolean;
  /** Where the approver is pointed. @default - no link */
  readonly reviewUrl?: string;
  /** An SNS topic in this environment's account that the deployment alarms notify. @default - no alarm actions */
  readonly alarmTopicArn?: string;
  /** The shared network settings with this environment's overrides (albScheme, domainName, hostedZone, certificateArn). */
  readonly network: NetworkConfig;
  /** The shared service settings with this environment's overrides (cpu, memoryMiB, desiredCount, maxCount, deploymentStrategy, bakeTimeMinutes). */
  readonly service: ServiceConfig;
}

export type PipelineSource =
  | { readonly type: 's3' }
  | {
      readonly type: 'codeconnections';
      readonly connectionArn: string;
      readonly repository: string;
      readonly branch: string;
    };

export type ScanSeverity = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'INFORMATIONAL';

export interface PipelineConfig {
  readonly source: PipelineSource;
  /** The exact CDK CLI version the pipeline installs. */
  readonly cdkCliVersion: string;
  /** The lowest scan severity that fails the image publish. */
  readonly scanSeverityThreshold: ScanSeverity;
  /** SNS topic told when an approval waits. @default - no notification */
  readonly approvalTopicArn?: string;
  /** The smoke test's overall budget. */
  readonly smokeTestTimeoutSeconds: number;
}

export interface RegistryConfig {
  /** The registry account (Account A), owner of the ECR repository. */
  readonly account: string;
  /** The ECR repository name: the one physical name that is an interface. */
  readonly repositoryName: string;
  /** How many images the lifecycle policy keeps. */
  readonly keepLastImages: number;
  /** Days after which untagged images expire. */
  readonly untaggedExpiryDays: number;
}

/** A Route 53 hosted zone, by id and domain. */
export interface HostedZoneConfig {
  readonly id: string;
  /** The zone's domain, such as example.com. */
  readonly name: string;
}

export interface NetworkConfig {
  readonly vpcCidr: string;
  readonly albScheme: AlbScheme;
  /** The service's own host name; ExternalUrl uses it. @default - the load balancer's DNS name */
  readonly domainName?: string;
  /** The zone holding domainName: an alias record, and a DNS-validated certificate unless certificateArn is set. */
  readonly hostedZone?: HostedZoneConfig;
  /** ACM certificate ARN covering domainName; when set the ALB serves HTTPS on 443 and redirects 80. */
  readonly certificateArn?: string;
  readonly diagnosticsHost: boolean;
  readonly logRetentionDays: number;
  /** The load balancer refuses deletion until this is turned off. @default true */
  readonly deletionProtection: boolean;
}

export interface ServiceConfig {
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly desiredCount: number;
  /** When above desiredCount, CPU auto scaling runs between the two. */
  readonly maxCount: number;
  readonly cpuArchitecture: CpuArchitecture;
  readonly logRetentionDays: number;
  /** How a new version replaces the old one. @default 'blue-green' */
  readonly deploymentStrategy: DeploymentStrategy;
  /** With blue-green, canary or linear, minutes the old tasks stay ready for rollback once all traffic has moved. */
  readonly bakeTimeMinutes: number;
  readonly canary: CanaryConfig;
  readonly linear: LinearConfig;
}

export interface GitHubConfig {
  /** owner/name; the OIDC roles trust only this repository. */
  readonly repository: string;
  /** Reuse this provider instead of creating one. @default - a new provider */
  readonly oidcProviderArn?: string;
  /** Whether pull requests get a read-only role for cdk diff. */
  readonly diffRole: boolean;
}

/** The validated deployment configuration, with every default filled in. */
export interface DeployConfig {
  /** The file it was read from, for messages. */
  readonly sourcePath: string;
  readonly projectName: string;
  readonly region: string;
  /** The region's ARN partition (aws, aws-cn, aws-us-gov), derived from region. */
  readonly partition: string;
  /** The region's service domain (amazonaws.com, amazonaws.com.cn), derived from region. */
  readonly domainSuffix: string;
  readonly toolingAccount: string;
  readonly registry: RegistryConfig;
  readonly environments: readonly EnvironmentConfig[];
  readonly network: NetworkConfig;
  readonly service: ServiceConfig;
  readonly pipeline: PipelineConfig;
  /** GitHub Actions access. @default - no OIDC stack */
  readonly github?: GitHubConfig;
  /** AWS CLI profiles by account id, for the bootstrap tool. */
  readonly profiles: Readonly<Record<string, string>>;
  /** How every log group is encrypted: CloudWatch Logs' own keys, or a customer-managed KMS key per stack. */
  readonly logEncryption: LogEncryption;
  /** Settings that are valid but change nothing, such as bakeTimeMinutes with rolling: one line each. */
  readonly warnings: readonly string[];
}

/** The configuration as written, after the schema accepted it: optional fields may be missing. */
export type RawConfig = {
  projectName: string;
  region: string;
  toolingAccount: string;
  registry: Partial<RegistryConfig> & Pick<RegistryConfig, 'account' | 'repositoryName'>;
  environments: Array<
    Partial<Omit<EnvironmentConfig, 'network' | 'service'>> &
      Pick<EnvironmentConfig, 'name' | 'account'> & {
        network?: Partial<
          Pick<NetworkConfig, 'albScheme' | 'domainName' | 'hostedZone' | 'certificateArn' | 'deletionProtection'>
        >;
        service?: Partial<
          Pick<
            ServiceConfig,
            | 'cpu'
            | 'memoryMiB'
            | 'desiredCount'
            | 'maxCount'
            | 'deploymentStrategy'
            | 'bakeTimeMinutes'
            | 'canary'
            | 'linear'
          >
        >;
      }
  >;
  network: Partial<NetworkConfig> & Pick<NetworkConfig, 'vpcCidr'>;
  service: Partial<ServiceConfig> & Pick<ServiceConfig, 'cpu' | 'memoryMiB' | 'desiredCount'>;
  pipeline: Partial<PipelineConfig> & Pick<PipelineConfig, 'source'>;
  profiles?: Record<string, string>;
  logEncryption?: LogEncryption;
  github?: Partial<GitHubConfig> & Pick<GitHubConfig, 'repository'>;
};

/** Whether an environment serves HTTPS: with the certificate given, or with one requested through its hosted zone. */
export function servesHttps(network: NetworkConfig): boolean {
  return network.certificateArn !== undefined || network.hostedZone !== undefined;
}

/** Every account the configuration deploys into, without repeats. */
export function configuredAccounts(config: DeployConfig): string[] {
  return [...new Set([config.toolingAccount, config.registry.account, ...config.environments.map((e) => e.account)])];
}
