// What AWS accepts, as the configuration rules need it: Fargate task sizes, VPC and CIDR limits, S3 bucket names,
// and the partition of a region. Facts, not policy: the rules in rules.ts decide what to do with them.
// The regions and their partitions come from the AWS SDK's endpoint table (the partitions.json of
// @aws-sdk/util-endpoints, in @aws-sdk/core, which @aws-sdk/util-arn-parser and every client depend on), not from
// aws-cdk-lib: the publish step loads the config in CodeBuild, and carries no CDK.
import { partition } from '@aws-sdk/core/client';

/**
 * Valid Fargate memory sizes (MiB) for each CPU value, from the ECS task-size table:
 * https://docs.aws.amazon.com/AmazonECS/latest/userguide/task-cpu-memory-error.html
 */
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
export function describeMemories(memories: readonly number[]): string {
  if (memories.length <= 3) return `one of ${memories.join(', ')}`;
  return `${memories[0]} to ${memories[memories.length - 1]} in steps of ${memories[1] - memories[0]}`;
}

/** A VPC needs 4 subnets (2 AZs x public/private) of at least /26 each, and AWS allows at most /16. */
export const VPC_PREFIX_RANGE = { largest: 16, smallest: 24 } as const;

/**
 * Whether the SDK's endpoint table lists this region. partition() answers a listed region with its own entry (its
 * description) over its partition's outputs, and any other name with a partition's outputs alone; the `*-global`
 * entries (aws-global, aws-cn-global…) are endpoint aliases, not regions.
 */
export function isKnownRegion(region: string): boolean {
  return !region.endsWith('-global') && 'description' in partition(region);
}

/** A region's ARN partition (aws, aws-cn, aws-us-gov) and service domain (amazonaws.com, amazonaws.com.cn). */
export function regionFacts(region: string): { partition: string; domainSuffix: string } {
  const { name, dnsSuffix } = partition(region);
  return { partition: name, domainSuffix: dnsSuffix };
}

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** The shape a.b.c.d/n with octets up to 255 and a prefix up to 32; canonical form is checked separately. */
export function isIpv4Cidr(value: string): boolean {
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
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
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
