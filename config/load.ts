import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import schema from './deploy.schema.json';

/** The default configuration file, relative to the project root. */
export const DEFAULT_CONFIG_PATH = 'config/deploy.json';

export type CpuArchitecture = 'ARM64' | 'X86_64';
export type AlbScheme = 'internet-facing' | 'internal';

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

export interface NetworkConfig {
  readonly vpcCidr: string;
  readonly albScheme: AlbScheme;
  /** ACM certificate ARN; when set the ALB serves HTTPS on 443 and redirects 80. */
  readonly certificateArn?: string;
  readonly diagnosticsHost: boolean;
  readonly logRetentionDays: number;
}

export interface ServiceConfig {
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly desiredCount: number;
  /** When above desiredCount, CPU auto scaling runs between the two. */
  readonly maxCount: number;
  readonly containerPort: number;
  readonly cpuArchitecture: CpuArchitecture;
  readonly logRetentionDays: number;
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
}

/** The CDK CLI this project installs; the pipeline uses the same one unless config pins another. */
const INSTALLED_CDK_CLI_VERSION: string = JSON.parse(
  readFileSync(require.resolve('aws-cdk/package.json'), 'utf8'),
).version;

/** A configuration problem, with a one-line message naming the field, the value and what is expected. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
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

function isIpv4Cidr(value: string): boolean {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
  if (!match) return false;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return false;
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  // Host bits must be zero, or AWS rejects the block.
  return address % 2 ** (32 - prefix) === 0;
}

const ajv = new Ajv({ allErrors: false, verbose: true, useDefaults: false });
ajv.addFormat('aws-region', (v: string) => KNOWN_REGIONS.has(v));
ajv.addFormat('ipv4-cidr', isIpv4Cidr);
const validateSchema = ajv.compile(schema);

/** Turns an ajv instance path (`/service/cpu`, `/environments/0/account`) into `service.cpu`, `environments[0].account`. */
function fieldName(instancePath: string, child?: string): string {
  const parts = instancePath.split('/').slice(1);
  if (child !== undefined) parts.push(child);
  const name = parts.map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`)).join('');
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
  const expected = parentSchema?.description ?? `a value that ${error.message ?? 'matches the schema'}`;
  return `${file}: field "${fieldName(error.instancePath)}" is ${JSON.stringify(error.data)}; expected ${expected}`;
}

type RawConfig = {
  projectName: string;
  region: string;
  toolingAccount: string;
  registry: Partial<RegistryConfig> & Pick<RegistryConfig, 'account' | 'repositoryName'>;
  environments: Array<Partial<EnvironmentConfig> & Pick<EnvironmentConfig, 'name' | 'account'>>;
  network: Partial<NetworkConfig> & Pick<NetworkConfig, 'vpcCidr'>;
  service: Partial<ServiceConfig> & Pick<ServiceConfig, 'cpu' | 'memoryMiB' | 'desiredCount'>;
  pipeline: Partial<PipelineConfig> & Pick<PipelineConfig, 'source'>;
  profiles?: Record<string, string>;
  github?: Partial<GitHubConfig> & Pick<GitHubConfig, 'repository'>;
};

/** Cross-field rules a JSON schema cannot express. Returns a one-line problem, or undefined. */
function semanticProblem(file: string, raw: RawConfig): string | undefined {
  const prefix = Number(raw.network.vpcCidr.split('/')[1]);
  if (prefix < VPC_PREFIX_RANGE.largest || prefix > VPC_PREFIX_RANGE.smallest) {
    return (
      `${file}: field "network.vpcCidr" is "${raw.network.vpcCidr}"; expected a prefix from ` +
      `/${VPC_PREFIX_RANGE.largest} to /${VPC_PREFIX_RANGE.smallest}, room for 4 subnets of at least /26`
    );
  }
  const memories = FARGATE_MEMORY_BY_CPU[raw.service.cpu];
  if (!memories.includes(raw.service.memoryMiB)) {
    return (
      `${file}: field "service.memoryMiB" is ${raw.service.memoryMiB}; expected a valid Fargate memory ` +
      `for cpu ${raw.service.cpu}: ${describeMemories(memories)}`
    );
  }
  if (raw.service.maxCount !== undefined && raw.service.maxCount < raw.service.desiredCount) {
    return (
      `${file}: field "service.maxCount" is ${raw.service.maxCount}; expected at least ` +
      `service.desiredCount (${raw.service.desiredCount})`
    );
  }
  const seen = new Set<string>();
  for (const [i, env] of raw.environments.entries()) {
    if (seen.has(env.name)) {
      return `${file}: field "environments[${i}].name" is "${env.name}"; expected a name no other environment uses`;
    }
    seen.add(env.name);
  }
  const topicAccount = raw.pipeline.approvalTopicArn?.split(':')[4];
  if (topicAccount !== undefined && topicAccount !== raw.toolingAccount) {
    return (
      `${file}: field "pipeline.approvalTopicArn" is "${raw.pipeline.approvalTopicArn}"; expected a topic in ` +
      `the tooling account ${raw.toolingAccount}, where the pipeline runs`
    );
  }
  const certRegion = raw.network.certificateArn?.split(':')[3];
  if (certRegion !== undefined && certRegion !== raw.region) {
    return (
      `${file}: field "network.certificateArn" is "${raw.network.certificateArn}"; expected a certificate ` +
      `in the workload region ${raw.region}`
    );
  }
  return undefined;
}

/** Validates parsed JSON and fills in defaults. Throws ConfigError with one line on the first problem. */
export function parseConfig(data: unknown, file = DEFAULT_CONFIG_PATH): DeployConfig {
  if (!validateSchema(data)) {
    throw new ConfigError(describeSchemaError(file, validateSchema.errors![0]));
  }
  const raw = data as RawConfig;
  const problem = semanticProblem(file, raw);
  if (problem) throw new ConfigError(problem);
  return {
    sourcePath: file,
    projectName: raw.projectName,
    region: raw.region,
    partition: RegionInfo.get(raw.region).partition ?? 'aws',
    domainSuffix: RegionInfo.get(raw.region).domainSuffix ?? 'amazonaws.com',
    toolingAccount: raw.toolingAccount,
    registry: { keepLastImages: 30, untaggedExpiryDays: 1, ...raw.registry },
    environments: raw.environments.map((env) => ({ requireApproval: true, ...env })),
    network: { albScheme: 'internet-facing', diagnosticsHost: false, logRetentionDays: 30, ...raw.network },
    service: {
      containerPort: 8080,
      cpuArchitecture: 'ARM64',
      logRetentionDays: 30,
      maxCount: raw.service.desiredCount,
      ...raw.service,
    },
    pipeline: {
      cdkCliVersion: INSTALLED_CDK_CLI_VERSION,
      scanSeverityThreshold: 'CRITICAL',
      smokeTestTimeoutSeconds: 300,
      ...raw.pipeline,
    },
    profiles: raw.profiles ?? {},
    github: raw.github && { diffRole: false, ...raw.github },
  };
}

/** Reads and validates a configuration file. Throws ConfigError with one line naming the problem. */
export function loadConfig(file: string = DEFAULT_CONFIG_PATH, cwd = process.cwd()): DeployConfig {
  let text: string;
  try {
    text = readFileSync(path.resolve(cwd, file), 'utf8');
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    throw new ConfigError(
      `${file}: cannot read the config file (${reason}); expected a JSON file, see ${DEFAULT_CONFIG_PATH}`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(
      `${file}: not valid JSON (${(e as Error).message}); expected a JSON object like ${DEFAULT_CONFIG_PATH}`,
    );
  }
  return parseConfig(data, file);
}

/** Every account the configuration deploys into, without repeats. */
export function configuredAccounts(config: DeployConfig): string[] {
  return [...new Set([config.toolingAccount, config.registry.account, ...config.environments.map((e) => e.account)])];
}
