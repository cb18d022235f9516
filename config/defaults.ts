// Every default of the configuration, in one place: what a field the file leaves out means. Environments take the
// shared sections through the same functions, so a default is written and applied once.
import { readFileSync } from 'node:fs';
import type * as Schema from './schema-types';
import type {
  CanaryConfig,
  DeployConfig,
  EnvironmentConfig,
  GitHubConfig,
  LinearConfig,
  NetworkConfig,
  RawConfig,
  ServiceConfig,
} from './types';

/**
 * Defaults for a small service, which may see only a few requests a minute. The alarms judge a version by its error
 * rate over two 1-minute datapoints, and CloudWatch adds about a minute: a step needs 3 minutes or more to be judged,
 * and a share big enough to carry requests at all. A 20% canary for 5 minutes, or 25% steps every 3 minutes (4
 * steps, 9 minutes to all traffic), gives each alarm several datapoints on the new version alone.
 */
export const CANARY_DEFAULTS: CanaryConfig = { percent: 20, bakeMinutes: 5 };
export const LINEAR_DEFAULTS: LinearConfig = { stepPercent: 25, intervalMinutes: 3 };

/**
 * Minutes the old tasks stay after production traffic moves to a blue/green deployment's new tasks. Long enough for
 * the deployment alarms (1-minute periods, 2 of 2 datapoints, plus CloudWatch's ingestion delay of about a minute)
 * to see a bad version under real traffic and roll back onto tasks that are still running; short enough that a
 * small service pays for doubled tasks only a few minutes per deploy.
 */
export const DEFAULT_BAKE_TIME_MINUTES = 5;

/** Days the network's and the service's log groups keep their events unless the config says otherwise. */
const DEFAULT_LOG_RETENTION_DAYS = 30;

/**
 * The default of every optional field, by section; the types in types.ts make these fields always present. Two are
 * derived instead: service.maxCount follows desiredCount, and pipeline.cdkCliVersion is the CDK CLI this project
 * installs. `satisfies` refuses a default for a field the schema does not have, or a value it does not allow.
 */
export const DEFAULTS = {
  registry: { keepLastImages: 30, untaggedExpiryDays: 1 },
  environment: { requireApproval: true },
  network: {
    albScheme: 'internet-facing',
    diagnosticsHost: false,
    logRetentionDays: DEFAULT_LOG_RETENTION_DAYS,
    // On by default: removing an environment is rare and deliberate, losing its entry point by mistake is an outage.
    deletionProtection: true,
  },
  service: {
    cpuArchitecture: 'ARM64',
    logRetentionDays: DEFAULT_LOG_RETENTION_DAYS,
    deploymentStrategy: 'blue-green',
    bakeTimeMinutes: DEFAULT_BAKE_TIME_MINUTES,
    canary: CANARY_DEFAULTS,
    linear: LINEAR_DEFAULTS,
  },
  pipeline: { scanSeverityThreshold: 'CRITICAL', smokeTestTimeoutSeconds: 300 },
  github: { diffRole: false },
  logEncryption: 'aws-owned',
  profiles: {},
} as const satisfies {
  registry: Partial<Schema.Registry>;
  environment: Partial<Schema.Environment>;
  network: Partial<Schema.Network>;
  service: Partial<Schema.Service>;
  pipeline: Partial<Schema.Pipeline>;
  github: Partial<Schema.GitHub>;
  logEncryption: RawConfig['logEncryption'];
  profiles: RawConfig['profiles'];
};

/** The CDK CLI this project installs; the pipeline uses the same one unless config pins another. */
function installedCdkCliVersion(): string {
  return JSON.parse(readFileSync(require.resolve('aws-cdk/package.json'), 'utf8')).version;
}

/** The shared network settings, with one environment's overrides over them when given. */
function networkWithDefaults(
  shared: RawConfig['network'],
  override: Schema.Environment['network'] = {},
): NetworkConfig {
  return { ...DEFAULTS.network, ...shared, ...override };
}

/** The shared service settings, with one environment's overrides over them; maxCount follows desiredCount unless set. */
function serviceWithDefaults(
  shared: RawConfig['service'],
  override: Schema.Environment['service'] = {},
): ServiceConfig {
  const service = { ...DEFAULTS.service, ...shared, ...override };
  return { ...service, maxCount: override.maxCount ?? shared.maxCount ?? service.desiredCount };
}

/** Each environment: its own fields with defaults, and the shared network and service sections with its overrides. */
export function environmentsWithDefaults(raw: RawConfig): EnvironmentConfig[] {
  return raw.environments.map((env) => ({
    ...DEFAULTS.environment,
    ...env,
    network: networkWithDefaults(raw.network, env.network),
    service: serviceWithDefaults(raw.service, env.service),
  }));
}

/** The sections every environment shares, with defaults. */
export function sharedWithDefaults(raw: RawConfig): Pick<
  DeployConfig,
  'registry' | 'network' | 'service' | 'pipeline' | 'logEncryption' | 'profiles'
> & {
  // Present even when undefined, so that it replaces the section as written.
  readonly github: GitHubConfig | undefined;
} {
  return {
    registry: { ...DEFAULTS.registry, ...raw.registry },
    network: networkWithDefaults(raw.network),
    service: serviceWithDefaults(raw.service),
    pipeline: {
      cdkCliVersion: raw.pipeline.cdkCliVersion ?? installedCdkCliVersion(),
      ...DEFAULTS.pipeline,
      ...raw.pipeline,
    },
    logEncryption: raw.logEncryption ?? DEFAULTS.logEncryption,
    profiles: raw.profiles ?? DEFAULTS.profiles,
    github: raw.github && { ...DEFAULTS.github, ...raw.github },
  };
}
