// The third layer: rules a JSON schema cannot express, across fields and across environments. Each returns every
// one-line problem it finds, so that one run shows every mistake.
import { parse as parseArn } from '@aws-sdk/util-arn-parser';
import {
  FARGATE_MEMORY_BY_CPU,
  VPC_PREFIX_RANGE,
  canonicalCidr,
  describeMemories,
  regionFacts,
  s3BucketNameProblem,
} from './aws-facts';
import { echo } from './messages';
import { sourceBucketName } from './names';
import type { EnvironmentConfig, RawConfig } from './types';

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
export function settingField(raw: RawConfig, i: number, section: 'network' | 'service', key: string): string {
  const override = (raw.environments[i][section] ?? {}) as Record<string, unknown>;
  return key in override ? `environments[${i}].${section}.${key}` : `${section}.${key}`;
}

/** The rules on the file as written: names, the VPC block, ARNs' partitions and accounts. */
export function configProblems(file: string, raw: RawConfig): string[] {
  const problems: string[] = [];
  const bucket = sourceBucketName(raw);
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
  const { partition } = regionFacts(raw.region);
  for (const [field, arn] of arnFields(raw)) {
    if (arn !== undefined && parseArn(arn).partition !== partition) {
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
  const approvalTopic = raw.pipeline.approvalTopicArn;
  if (approvalTopic !== undefined && parseArn(approvalTopic).accountId !== raw.toolingAccount) {
    problems.push(
      `${file}: field "pipeline.approvalTopicArn" is ${echo(approvalTopic)}; expected a topic in ` +
        `the tooling account ${raw.toolingAccount}, where the pipeline runs`,
    );
  }
  return problems;
}

/** The rules each merged environment must meet, and those between environments; every message names one. */
export function environmentProblems(
  file: string,
  raw: RawConfig,
  environments: readonly EnvironmentConfig[],
): string[] {
  const problems: string[] = [];
  const domains = new Map<string, string>();
  const sharedZones = new Set<string>();
  for (const [i, env] of environments.entries()) {
    const envProblem = serviceProblem(file, raw, i, env) ?? domainProblem(file, raw, i, env);
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
  return problems;
}

/** The task size and scaling rules of one merged environment. */
function serviceProblem(file: string, raw: RawConfig, i: number, env: EnvironmentConfig): string | undefined {
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
  return undefined;
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
  const certificate = certificateArn === undefined ? undefined : parseArn(certificateArn);
  if (certificate && certificate.region !== raw.region) {
    return (
      `${file}: field "${field('certificateArn')}" is ${echo(certificateArn)}; ` +
      `expected a certificate in the workload region ${raw.region}${where}`
    );
  }
  if (certificate && certificate.accountId !== env.account) {
    // The load balancer can only use a certificate of its own account.
    return (
      `${file}: field "${field('certificateArn')}" is ${echo(certificateArn)}; ` +
      `expected a certificate in the environment's account ${env.account}${where}`
    );
  }
  return undefined;
}
