import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import { parse as parseArn } from '@aws-sdk/util-arn-parser';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import schema from './deploy.schema.json';

/** The default configuration file, relative to the project root. */
export const DEFAULT_CONFIG_PATH = 'config/deploy.json';

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

/**
 * Defaults for a small service, which may see only a few requests a minute. The alarms judge a version by its error
 * rate over two 1-minute datapoints, and CloudWatch adds about a minute: a step needs 3 minutes or more to be judged,
 * and a share big enough to carry requests at all. A 20% canary for 5 minutes, or 25% steps every 3 minutes (4
 * steps, 9 minutes to all traffic), gives each alarm several datapoints on the new version alone.
 */
export const CANARY_DEFAULTS: CanaryConfig = { percent: 20, bakeMinutes: 5 };
export const LINEAR_DEFAULTS: LinearConfig = { stepPercent: 25, intervalMinutes: 3 };
/** aws-owned: CloudWatch Logs' own encryption, free. customer-key: a KMS key per stack, $1 a month each. */
export type LogEncryption = 'aws-owned' | 'customer-key';

/**
 * Minutes the old tasks stay after production traffic moves to a blue/green deployment's new tasks. Long enough for
 * the deployment alarms (1-minute periods, 2 of 2 datapoints, plus CloudWatch's ingestion delay of about a minute)
 * to see a bad version under real traffic and roll back onto tasks that are still running; short enough that a
 * small service pays for doubled tasks only a few minutes per deploy.
 */
export const DEFAULT_BAKE_TIME_MINUTES = 5;

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

/** The CDK CLI this project installs; the pipeline uses the same one unless config pins another. */
function installedCdkCliVersion(): string {
  return JSON.parse(readFileSync(require.resolve('aws-cdk/package.json'), 'utf8')).version;
}

/**
 * A configuration problem, with a one-line message naming the field, the value and what is expected. With several
 * problems the one line names them all, numbered, so that one run shows every mistake.
 */
export class ConfigError extends Error {
  /** Each problem on its own, with the file named. */
  readonly problems: readonly string[];

  constructor(problems: string | readonly string[], file?: string) {
    const list = typeof problems === 'string' ? [problems] : problems;
    const prefix = file === undefined ? '' : `${file}: `;
    super(
      list.length === 1
        ? list[0]
        : `${prefix}${list.length} problems: ` +
            list.map((p, i) => `(${i + 1}) ${p.startsWith(prefix) ? p.slice(prefix.length) : p}`).join('; '),
    );
    this.name = 'ConfigError';
    this.problems = list;
  }
}

/** Valid Fargate memory sizes (MiB) for each CPU value, from the ECS task-size table. */
export const FARGATE_MEMORY_BY_CPU: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: range(1024, 4096, 1024),
  1024: range(2048, 8192, 1024),
  2048: range(4096, 16384, 1024),
  4096: range(8192, 30720, 1024),
  8192: range(16384, 61440, 4096),
  16384: range(32768, 122880, 8192),
};

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}

/** `one of 512, 1024, 2048` for short lists, `2048 to 8192 in steps of 1024` for even ranges. */
function describeMemories(memories: readonly number[]): string {
  if (memories.length <= 3) return `one of ${memories.join(', ')}`;
  return `${memories[0]} to ${memories[memories.length - 1]} in steps of ${memories[1] - memories[0]}`;
}

/** A VPC needs 4 subnets (2 AZs x public/private) of at least /26 each, and AWS allows at most /16. */
export const VPC_PREFIX_RANGE = { largest: 16, smallest: 24 } as const;

const KNOWN_REGIONS = new Set(RegionInfo.regions.map((r) => r.name));

/** The longest value a message echoes; longer ones are cut with an ellipsis. */
export const ECHO_LIMIT = 60;

/** A value as a message shows it: JSON, on one line, at most ECHO_LIMIT characters. */
export function echo(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    // Too deep to stringify (RangeError) or circular: say what it is instead.
    text = Array.isArray(value) ? '[…]' : typeof value === 'object' && value !== null ? '{…}' : String(value);
  }
  return text.length > ECHO_LIMIT ? `${text.slice(0, ECHO_LIMIT - 1)}…` : text;
}

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** The shape a.b.c.d/n with octets up to 255 and a prefix up to 32; canonical form is checked separately. */
function isIpv4Cidr(value: string): boolean {
  const match = IPV4_CIDR.exec(value);
  return !!match && match.slice(1, 5).every((o) => Number(o) <= 255) && Number(match[5]) <= 32;
}

/** The canonical form of an IPv4 CIDR: no leading zeros, host bits cleared. `010.0.0.1/16` gives `10.0.0.0/16`. */
export function canonicalCidr(value: string): string {
  const match = IPV4_CIDR.exec(value)!;
  const prefix = Number(match[5]);
  const address = match.slice(1, 5).reduce((acc, o) => acc * 256 + Number(o), 0);
  const network = address - (address % 2 ** (32 - prefix));
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256);
  return `${octets.join('.')}/${prefix}`;
}

/**
 * Why S3 would refuse a bucket name, or undefined. The rules for general purpose buckets, from the S3 user guide's
 * "General purpose bucket naming rules": 3 to 63 characters of a-z, 0-9, '.' and '-', starting and ending with a
 * letter or digit, no '..', not an IP address, no reserved prefix (xn--, sthree-, amzn-s3-demo-) and no reserved
 * suffix (-s3alias, --ol-s3, .mrap, --x-s3, --table-s3).
 */
export function s3BucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return `S3 allows 3 to 63 characters, not ${name.length}`;
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) {
    return 'S3 allows only lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit';
  }
  if (name.includes('..')) return 'S3 forbids two adjacent dots';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return 'S3 forbids names formatted as an IP address';
  const prefix = ['xn--', 'sthree-', 'amzn-s3-demo-'].find((p) => name.startsWith(p));
  if (prefix) return `S3 reserves the prefix ${prefix}`;
  const suffix = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'].find((s) => name.endsWith(s));
  if (suffix) return `S3 reserves the suffix ${suffix}`;
  return undefined;
}

/** The pipeline's source bucket: `<projectName>-source-<toolingAccount>`, as pipeline/pipeline-stack.ts names it. */
export function sourceBucketNameFor(projectName: string, toolingAccount: string): string {
  return `${projectName}-source-${toolingAccount}`;
}

const ajv = new Ajv({ allErrors: true, verbose: true, useDefaults: false });
ajv.addFormat('aws-region', (v: string) => KNOWN_REGIONS.has(v));
ajv.addFormat('ipv4-cidr', isIpv4Cidr);
const validateSchema = ajv.compile(schema);

/** Turns an ajv instance path (`/service/cpu`, `/environments/0/account`) into `service.cpu`, `environments[0].account`. */
function fieldName(instancePath: string, child?: string): string {
  const parts = instancePath.split('/').slice(1);
  if (child !== undefined) parts.push(child);
  // A key may hold anything, even a newline: show odd or long ones JSON-quoted and shortened.
  const key = (p: string) => (/^[\w$-]{1,40}$/.test(p) ? p : echo(p.replace(/~1/g, '/').replace(/~0/g, '~')));
  const name = parts.map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${key(p)}`)).join('');
  return name.replace(/^\./, '') || '(top level)';
}

function describeSchemaError(file: string, error: ErrorObject): string {
  const parentSchema = error.parentSchema as { description?: string; properties?: object } | undefined;
  if (error.keyword === 'additionalProperties') {
    const key = String(error.params.additionalProperty);
    const allowed = Object.keys(parentSchema?.properties ?? {}).join(', ');
    return `${file}: unknown key "${fieldName(error.instancePath, key)}"; expected one of: ${allowed}`;
  }
  if (error.keyword === 'required') {
    const key = String(error.params.missingProperty);
    return `${file}: field "${fieldName(error.instancePath, key)}" is missing; it is required`;
  }
  const expected =
    error.instancePath === ''
      ? `a JSON object with the fields of ${DEFAULT_CONFIG_PATH}`
      : (parentSchema?.description ?? `a value that ${error.message ?? 'matches the schema'}`);
  return `${file}: field "${fieldName(error.instancePath)}" is ${echo(error.data)}; expected ${expected}`;
}

type RawConfig = {
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

/** The ARN fields of the config, each of which must be in the region's partition. */
function arnFields(raw: RawConfig): Array<[field: string, arn: string | undefined]> {
  const source = raw.pipeline.source as { connectionArn?: string };
  return [
    ['network.certificateArn', raw.network.certificateArn],
    ['pipeline.approvalTopicArn', raw.pipeline.approvalTopicArn],
    ['pipeline.source.connectionArn', source.connectionArn],
    ['github.oidcProviderArn', raw.github?.oidcProviderArn],
    ...raw.environments.flatMap((env, i): Array<[string, string | undefined]> => [
      [`environments[${i}].network.certificateArn`, env.network?.certificateArn],
      [`environments[${i}].alarmTopicArn`, env.alarmTopicArn],
    ]),
  ];
}

/** Where a merged environment setting comes from: the environment's override, or the shared section. */
function settingField(raw: RawConfig, i: number, section: 'network' | 'service', key: string): string {
  const override = (raw.environments[i][section] ?? {}) as Record<string, unknown>;
  return key in override ? `environments[${i}].${section}.${key}` : `${section}.${key}`;
}

/** The rules each merged environment must meet; every message names the environment. */
function environmentProblem(file: string, raw: RawConfig, i: number, env: EnvironmentConfig): string | undefined {
  const where = `, for environment ${env.name}`;
  const { service } = env;
  const memories = FARGATE_MEMORY_BY_CPU[service.cpu];
  if (!memories.includes(service.memoryMiB)) {
    return (
      `${file}: field "${settingField(raw, i, 'service', 'memoryMiB')}" is ${service.memoryMiB}; expected a valid ` +
      `Fargate memory for cpu ${service.cpu}: ${describeMemories(memories)}${where}`
    );
  }
  if (service.maxCount < service.desiredCount) {
    return (
      `${file}: field "${settingField(raw, i, 'service', 'maxCount')}" is ${service.maxCount}; expected at least ` +
      `service.desiredCount (${service.desiredCount})${where}`
    );
  }
  return domainProblem(file, raw, i, env);
}

/** The domain, zone and certificate rules: a certificate needs a host name it can cover, in the zone and account. */
function domainProblem(file: string, raw: RawConfig, i: number, env: EnvironmentConfig): string | undefined {
  const where = `, for environment ${env.name}`;
  const { domainName, hostedZone, certificateArn } = env.network;
  const field = (key: string) => settingField(raw, i, 'network', key);
  if (certificateArn !== undefined && domainName === undefined) {
    // An ACM certificate can never cover the load balancer's own name under elb.amazonaws.com.
    return (
      `${file}: field "${field('certificateArn')}" is ${echo(certificateArn)}; expected it with network.domainName, ` +
      `the host name the certificate covers: no certificate can cover the load balancer's own DNS name${where}`
    );
  }
  if (hostedZone !== undefined && domainName === undefined) {
    return (
      `${file}: field "${field('hostedZone')}" is ${echo(hostedZone)}; expected it with network.domainName, ` +
      `the name the zone's alias record points at the load balancer${where}`
    );
  }
  if (hostedZone && domainName && domainName !== hostedZone.name && !domainName.endsWith(`.${hostedZone.name}`)) {
    return (
      `${file}: field "${field('domainName')}" is ${echo(domainName)}; expected a name inside the hosted zone ` +
      `${hostedZone.name} (${hostedZone.name} itself or *.${hostedZone.name})${where}`
    );
  }
  if (hostedZone && domainName && certificateArn === undefined && domainName.length > 64) {
    // ACM puts the name in the certificate's common name, which holds at most 64 characters.
    return (
      `${file}: field "${field('domainName')}" is ${echo(domainName)}; expected at most 64 characters for the ` +
      `certificate the stack requests, or give network.certificateArn${where}`
    );
  }
  const [, , , certRegion, certAccount] = certificateArn?.split(':') ?? [];
  if (certRegion !== undefined && certRegion !== raw.region) {
    return (
      `${file}: field "${field('certificateArn')}" is ${echo(certificateArn)}; ` +
      `expected a certificate in the workload region ${raw.region}${where}`
    );
  }
  if (certAccount !== undefined && certAccount !== env.account) {
    // The load balancer can only use a certificate of its own account.
    return (
      `${file}: field "${field('certificateArn')}" is ${echo(certificateArn)}; ` +
      `expected a certificate in the environment's account ${env.account}${where}`
    );
  }
  return undefined;
}

const NETWORK_DEFAULTS = {
  albScheme: 'internet-facing',
  diagnosticsHost: false,
  logRetentionDays: 30,
  // On by default: removing an environment is rare and deliberate, losing its entry point by mistake is an outage.
  deletionProtection: true,
} as const;

const SERVICE_DEFAULTS = {
  cpuArchitecture: 'ARM64',
  logRetentionDays: 30,
  deploymentStrategy: 'blue-green',
  bakeTimeMinutes: DEFAULT_BAKE_TIME_MINUTES,
  canary: CANARY_DEFAULTS,
  linear: LINEAR_DEFAULTS,
} as const;

/** The shared settings with one environment's overrides; maxCount follows desiredCount unless set. */
function mergeEnvironment(raw: RawConfig, env: RawConfig['environments'][number]): EnvironmentConfig {
  const shared = { ...raw.service, ...env.service };
  return {
    requireApproval: true,
    ...env,
    network: {
      ...NETWORK_DEFAULTS,
      ...raw.network,
      ...env.network,
    },
    service: {
      ...SERVICE_DEFAULTS,
      ...shared,
      maxCount: env.service?.maxCount ?? raw.service.maxCount ?? shared.desiredCount,
    },
  };
}

/** Cross-field rules a JSON schema cannot express: every one-line problem found. */
function semanticProblems(file: string, raw: RawConfig): string[] {
  const problems: string[] = [];
  const bucket = sourceBucketNameFor(raw.projectName, raw.toolingAccount);
  const bucketProblem = s3BucketNameProblem(bucket);
  if (bucketProblem) {
    problems.push(
      `${file}: field "projectName" is ${echo(raw.projectName)}; expected a name whose pipeline source bucket ` +
        `${echo(bucket)} S3 accepts: ${bucketProblem}`,
    );
  }
  const cidr = raw.network.vpcCidr;
  const canonical = canonicalCidr(cidr);
  const prefix = Number(cidr.split('/')[1]);
  if (canonical !== cidr) {
    // AWS reads 010.0.0.0/16 as 10.0.0.0/16 and refuses host bits; say which of the two this is.
    const unpadded = cidr.replace(/(^|[./])0+(?=\d)/g, '$1');
    const reason =
      unpadded === canonical ? 'the same block without leading zeros' : 'the network address, no host bits set';
    problems.push(`${file}: field "network.vpcCidr" is ${echo(cidr)}; expected ${echo(canonical)}, ${reason}`);
  } else if (prefix < VPC_PREFIX_RANGE.largest || prefix > VPC_PREFIX_RANGE.smallest) {
    problems.push(
      `${file}: field "network.vpcCidr" is ${echo(cidr)}; expected a prefix from ` +
        `/${VPC_PREFIX_RANGE.largest} to /${VPC_PREFIX_RANGE.smallest}, room for 4 subnets of at least /26`,
    );
  }
  const seen = new Set<string>();
  for (const [i, env] of raw.environments.entries()) {
    if (seen.has(env.name)) {
      problems.push(
        `${file}: field "environments[${i}].name" is ${echo(env.name)}; expected a name no other environment uses`,
      );
    }
    seen.add(env.name);
  }
  // An ARN names its partition; a resource in another partition than the region's cannot be used from it.
  const partition = RegionInfo.get(raw.region).partition ?? 'aws';
  for (const [field, arn] of arnFields(raw)) {
    const arnPartition = arn?.split(':')[1];
    if (arnPartition !== undefined && arnPartition !== partition) {
      problems.push(
        `${file}: field "${field}" is ${echo(arn)}; expected an ARN in partition ${partition}, ` +
          `the partition of region ${raw.region} (arn:${partition}:...)`,
      );
    }
  }
  for (const [i, env] of raw.environments.entries()) {
    const topic = env.alarmTopicArn === undefined ? undefined : parseArn(env.alarmTopicArn);
    if (topic && (topic.accountId !== env.account || topic.region !== raw.region)) {
      problems.push(
        `${file}: field "environments[${i}].alarmTopicArn" is ${echo(env.alarmTopicArn)}; expected a topic in the ` +
          `environment's account ${env.account} and region ${raw.region}, where its alarms are`,
      );
    }
  }
  const topicAccount = raw.pipeline.approvalTopicArn?.split(':')[4];
  if (topicAccount !== undefined && topicAccount !== raw.toolingAccount) {
    problems.push(
      `${file}: field "pipeline.approvalTopicArn" is ${echo(raw.pipeline.approvalTopicArn)}; expected a topic in ` +
        `the tooling account ${raw.toolingAccount}, where the pipeline runs`,
    );
  }
  return problems;
}

/** Settings that pass every rule and still change nothing: said, never silently ignored. */
function noEffectWarnings(file: string, raw: RawConfig, environments: readonly EnvironmentConfig[]): string[] {
  const warnings: string[] = [];
  for (const [i, env] of environments.entries()) {
    const override = raw.environments[i].service ?? {};
    const bakeSet = 'bakeTimeMinutes' in override || raw.service.bakeTimeMinutes !== undefined;
    const strategy = env.service.deploymentStrategy;
    if (bakeSet && strategy === 'rolling') {
      warnings.push(
        `${file}: field "${settingField(raw, i, 'service', 'bakeTimeMinutes')}" is ${env.service.bakeTimeMinutes} ` +
          `and has no effect for environment ${env.name}: its deploymentStrategy is rolling, which does not bake`,
      );
    }
    for (const setting of ['canary', 'linear'] as const) {
      const set = setting in override || raw.service[setting] !== undefined;
      if (set && strategy !== setting) {
        warnings.push(
          `${file}: field "${settingField(raw, i, 'service', setting)}" has no effect for environment ${env.name}: ` +
            `its deploymentStrategy is ${strategy}`,
        );
      }
    }
    if (raw.environments[i].reviewUrl !== undefined && !env.requireApproval) {
      warnings.push(
        `${file}: field "environments[${i}].reviewUrl" has no effect: environment ${env.name} has ` +
          `requireApproval false, so no approval shows it`,
      );
    }
  }
  if (raw.pipeline.approvalTopicArn !== undefined && !environments.some((e) => e.requireApproval)) {
    warnings.push(
      `${file}: field "pipeline.approvalTopicArn" has no effect: no environment requires approval, so nothing is sent`,
    );
  }
  const accounts = new Set([raw.toolingAccount, raw.registry.account, ...raw.environments.map((e) => e.account)]);
  for (const account of Object.keys(raw.profiles ?? {})) {
    if (!accounts.has(account)) {
      warnings.push(`${file}: field "profiles.${account}" has no effect: no configured account is ${account}`);
    }
  }
  return warnings;
}

/** The schema's errors as one-line problems; an `if` only repeats the error of its `then`. */
function schemaProblems(file: string, data: unknown): string[] {
  if (validateSchema(data)) return [];
  const problems = validateSchema
    .errors!.filter((error) => error.keyword !== 'if')
    .map((error) => {
      // A problem inside one environment names it, as the merged-environment checks do.
      const index = /^\/environments\/(\d+)\//.exec(error.instancePath)?.[1];
      const name = index && (data as { environments?: Array<{ name?: unknown }> }).environments?.[Number(index)]?.name;
      const where = typeof name === 'string' && /^[a-z][a-z0-9]{1,15}$/.test(name) ? `, for environment ${name}` : '';
      return `${describeSchemaError(file, error)}${where}`;
    });
  return [...new Set(problems)];
}

/** Validates parsed JSON and fills in defaults. Throws ConfigError with one line naming every problem. */
export function parseConfig(data: unknown, file = DEFAULT_CONFIG_PATH): DeployConfig {
  const shapeProblems = schemaProblems(file, data);
  if (shapeProblems.length > 0) throw new ConfigError(shapeProblems, file);
  const raw = data as RawConfig;
  const problems = semanticProblems(file, raw);
  const environments = raw.environments.map((env) => mergeEnvironment(raw, env));
  const domains = new Map<string, string>();
  const sharedZones = new Set<string>();
  for (const [i, env] of environments.entries()) {
    const envProblem = environmentProblem(file, raw, i, env);
    if (envProblem) problems.push(envProblem);
    const domain = env.network.domainName;
    if (domain !== undefined && domains.has(domain)) {
      problems.push(
        `${file}: field "${settingField(raw, i, 'network', 'domainName')}" is ${echo(domain)}; expected a name ` +
          `no other environment uses (environment ${domains.get(domain)} has it), for environment ${env.name}`,
      );
    }
    if (domain !== undefined) domains.set(domain, env.name);
    // A zone lives in one account, and CloudFormation writes records only into zones of the stack's own account.
    const zone = env.network.hostedZone?.id;
    const owner = environments.find((other) => other.network.hostedZone?.id === zone && other.account !== env.account);
    if (zone !== undefined && owner && !sharedZones.has(zone)) {
      // Once per zone: the other environment's side of it is the same mistake.
      sharedZones.add(zone);
      problems.push(
        `${file}: field "${settingField(raw, i, 'network', 'hostedZone')}" is ${echo(env.network.hostedZone)}; ` +
          `expected a zone of this environment's account ${env.account}, not one environment ${owner.name} in ` +
          `account ${owner.account} also uses, for environment ${env.name}`,
      );
    }
  }
  if (problems.length > 0) throw new ConfigError(problems, file);
  return {
    sourcePath: file,
    projectName: raw.projectName,
    region: raw.region,
    partition: RegionInfo.get(raw.region).partition ?? 'aws',
    domainSuffix: RegionInfo.get(raw.region).domainSuffix ?? 'amazonaws.com',
    toolingAccount: raw.toolingAccount,
    registry: { keepLastImages: 30, untaggedExpiryDays: 1, ...raw.registry },
    environments,
    network: { ...NETWORK_DEFAULTS, ...raw.network },
    service: {
      ...SERVICE_DEFAULTS,
      maxCount: raw.service.desiredCount,
      ...raw.service,
    },
    pipeline: {
      cdkCliVersion: raw.pipeline?.cdkCliVersion ?? installedCdkCliVersion(),
      scanSeverityThreshold: 'CRITICAL',
      smokeTestTimeoutSeconds: 300,
      ...raw.pipeline,
    },
    logEncryption: raw.logEncryption ?? 'aws-owned',
    profiles: raw.profiles ?? {},
    github: raw.github && { diffRole: false, ...raw.github },
    warnings: noEffectWarnings(file, raw, environments),
  };
}

/** The largest config file read; the real one is about 1 KiB. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** Text for a one-line message: line breaks and other control characters escaped, at most `limit` characters. */
function oneLine(text: string, limit = 100): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1));
  return flat.length > limit ? `${flat.slice(0, limit - 1)}…` : flat;
}

/** The bytes of a config file, refusing anything that is not a regular file before reading it. */
function readConfigBytes(file: string, cwd: string): Buffer {
  const cannot = (reason: string) =>
    new ConfigError(
      `${file}: cannot read the config file (${reason}); expected a JSON file, see ${DEFAULT_CONFIG_PATH}`,
    );
  let fd: number;
  try {
    // O_NONBLOCK: opening a named pipe must not wait for a writer; fstat below then refuses it.
    fd = openSync(path.resolve(cwd, file), constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reasons: Record<string, string> = {
      ENOENT: 'no such file',
      EACCES: 'permission denied',
      EISDIR: 'it is a directory',
      ENOTDIR: 'a part of the path is not a directory',
    };
    throw cannot(reasons[code ?? ''] ?? oneLine((e as Error).message));
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw cannot('it is a directory');
    if (!stat.isFile()) throw cannot('it is a named pipe, socket or device, not a regular file');
    if (stat.size > MAX_CONFIG_BYTES) throw cannot(`it has ${stat.size} bytes; a config file has at most 1 MiB`);
    return readFileSync(fd);
  } catch (e) {
    throw e instanceof ConfigError ? e : cannot(oneLine((e as Error).message));
  } finally {
    closeSync(fd);
  }
}

/** UTF-8 text of a config file; a UTF-8 byte-order mark is dropped, UTF-16 and invalid UTF-8 are refused. */
function decodeConfig(file: string, bytes: Buffer): string {
  const refuse = (what: string) => new ConfigError(`${file}: ${what}; expected JSON saved as UTF-8`);
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw refuse('the file is UTF-16 (it starts with a UTF-16 byte-order mark)');
  }
  if (bytes.includes(0)) throw refuse('the file holds NUL bytes, as UTF-16 text does');
  try {
    // Some Windows editors start UTF-8 files with a byte-order mark; the decoder drops it (ignoreBOM: false).
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw refuse('the file is not valid UTF-8');
  }
}

/** Reads and validates a configuration file. Throws ConfigError with one line naming the problem. */
export function loadConfig(file: string = DEFAULT_CONFIG_PATH, cwd = process.cwd()): DeployConfig {
  const text = decodeConfig(file, readConfigBytes(file, cwd));
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    // V8 quotes the input in some messages, line breaks included; RangeError on input nested too deep.
    throw new ConfigError(
      `${file}: not valid JSON (${oneLine((e as Error).message)}); expected a JSON object like ${DEFAULT_CONFIG_PATH}`,
    );
  }
  return parseConfig(data, file);
}

/** Whether an environment serves HTTPS: with the certificate given, or with one requested through its hosted zone. */
export function servesHttps(network: NetworkConfig): boolean {
  return network.certificateArn !== undefined || network.hostedZone !== undefined;
}

/** Every account the configuration deploys into, without repeats. */
export function configuredAccounts(config: DeployConfig): string[] {
  return [...new Set([config.toolingAccount, config.registry.account, ...config.environments.map((e) => e.account)])];
}
