// The configuration as the app reads it, built on the types generated from the schemas (schema-types/): the same
// fields, with every default filled in and each environment merged over the shared sections. A field the schema
// gains is here with no edit; a default (defaults.ts) is what makes an optional field always present.
import type { DEFAULTS } from './defaults';
import type * as Schema from './schema-types';

/** The configuration as written, once the schema accepted it: optional fields may be missing. */
export type RawConfig = Schema.DeploymentConfiguration;

/** A section as the app reads it: the fields in `Defaulted` are always there, the others as the schema says. */
type WithDefaults<Section, Defaulted extends keyof Section> = Omit<Section, Defaulted> & {
  readonly [K in Defaulted]-?: Exclude<Section[K], undefined>;
};

export type CpuArchitecture = ServiceConfig['cpuArchitecture'];
export type AlbScheme = NetworkConfig['albScheme'];
export type DeploymentStrategy = ServiceConfig['deploymentStrategy'];
export type ScanSeverity = PipelineConfig['scanSeverityThreshold'];
export type LogEncryption = DeployConfig['logEncryption'];
export type CanaryConfig = Schema.Canary;
export type LinearConfig = Schema.Linear;
export type HostedZoneConfig = Schema.HostedZone;
export type PipelineSource = Schema.PipelineSource;

/** The strategies that shift traffic between two target groups: a test listener, a pre-traffic check, a bake time. */
export const TRAFFIC_SHIFT_STRATEGIES: readonly DeploymentStrategy[] = ['blue-green', 'canary', 'linear'];

export type RegistryConfig = WithDefaults<Schema.Registry, keyof typeof DEFAULTS.registry>;
export type NetworkConfig = WithDefaults<Schema.Network, keyof typeof DEFAULTS.network>;
/** maxCount follows desiredCount unless set. */
export type ServiceConfig = WithDefaults<Schema.Service, keyof typeof DEFAULTS.service | 'maxCount'>;
/** cdkCliVersion is the CDK CLI this project installs unless set. */
export type PipelineConfig = WithDefaults<Schema.Pipeline, keyof typeof DEFAULTS.pipeline | 'cdkCliVersion'>;
export type GitHubConfig = WithDefaults<Schema.GitHub, keyof typeof DEFAULTS.github>;

/** One workload environment: a copy of the network and service stages in one account. */
export type EnvironmentConfig = Omit<
  WithDefaults<Schema.Environment, keyof typeof DEFAULTS.environment>,
  'network' | 'service'
> & {
  /** The shared network settings with this environment's overrides. */
  readonly network: NetworkConfig;
  /** The shared service settings with this environment's overrides. */
  readonly service: ServiceConfig;
};

/** The sections and the top-level fields with a default, which the loader fills in. */
type Resolved =
  'registry' | 'environments' | 'network' | 'service' | 'pipeline' | 'github' | 'logEncryption' | 'profiles';

/** The validated deployment configuration, with every default filled in. */
export type DeployConfig = Omit<RawConfig, '$schema' | Resolved> &
  WithDefaults<Pick<RawConfig, 'logEncryption' | 'profiles'>, 'logEncryption' | 'profiles'> & {
    /** The file it was read from, for messages. */
    readonly sourcePath: string;
    /** The region's ARN partition (aws, aws-cn, aws-us-gov), derived from region. */
    readonly partition: string;
    /** The region's service domain (amazonaws.com, amazonaws.com.cn), derived from region. */
    readonly domainSuffix: string;
    readonly registry: RegistryConfig;
    readonly environments: readonly EnvironmentConfig[];
    readonly network: NetworkConfig;
    readonly service: ServiceConfig;
    readonly pipeline: PipelineConfig;
    /** GitHub Actions access. @default - no OIDC stack */
    readonly github?: GitHubConfig;
    /** Settings that are valid but change nothing, such as bakeTimeMinutes with rolling: one line each. */
    readonly warnings: readonly string[];
  };

/** Whether an environment serves HTTPS: with the certificate given, or with one requested through its hosted zone. */
export function servesHttps(network: NetworkConfig): boolean {
  return network.certificateArn !== undefined || network.hostedZone !== undefined;
}

/** Every account the configuration deploys into, without repeats. */
export function configuredAccounts(config: DeployConfig): string[] {
  return [...new Set([config.toolingAccount, config.registry.account, ...config.environments.map((e) => e.account)])];
}
