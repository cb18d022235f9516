import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ConfigError, loadConfig, parseConfig } from '../../config/load';
import { PROJECT_ROOT, configWith, defaultConfigJson } from '../helpers/cdk';

/** Applies a change to the default config JSON and returns the loader's error message, or fails. */
function errorFor(change: (json: Record<string, any>) => void): string {
  const json = structuredClone(defaultConfigJson());
  change(json);
  try {
    parseConfig(json, 'deploy.json');
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    const message = (e as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected the config to be rejected');
}

describe('config loader', () => {
  test('loads the committed default with its placeholder accounts and defaults', () => {
    // GIVEN the committed file WHEN it is loaded
    const config = loadConfig('config/deploy.json', PROJECT_ROOT);
    // THEN the placeholder accounts and the documented defaults are there
    expect(config.toolingAccount).toBe('111111111111');
    expect(config.registry.account).toBe('222222222222');
    expect(config.environments.map((e) => e.account)).toEqual(['333333333333']);
    expect(config.service).toMatchObject({ cpuArchitecture: 'ARM64', containerPort: 8080, desiredCount: 2 });
    expect(config.service.maxCount).toBe(config.service.desiredCount);
  });

  test('fills defaults for optional fields', () => {
    const config = configWith((json) => {
      delete json.service.cpuArchitecture;
      delete json.network.albScheme;
      delete json.environments[0].requireApproval;
    });
    expect(config.service.cpuArchitecture).toBe('ARM64');
    expect(config.network.albScheme).toBe('internet-facing');
    expect(config.environments[0].requireApproval).toBe(true);
  });

  test('derives the partition and service domain from the region', () => {
    expect(configWith()).toMatchObject({ partition: 'aws', domainSuffix: 'amazonaws.com' });
    expect(configWith((json) => (json.region = 'cn-north-1'))).toMatchObject({
      partition: 'aws-cn',
      domainSuffix: 'amazonaws.com.cn',
    });
  });

  test('accepts a single account for registry and workload (A = B)', () => {
    const config = configWith((json) => (json.environments[0].account = json.registry.account));
    expect(config.environments[0].account).toBe(config.registry.account);
  });

  test.each([
    [
      'an account that is not 12 digits',
      (j: any) => (j.registry.account = '12345'),
      'registry.account',
      '"12345"',
      '12-digit',
    ],
    ['a numeric account', (j: any) => (j.toolingAccount = 111111111111), 'toolingAccount', '111111111111', '12-digit'],
    ['an unknown region', (j: any) => (j.region = 'us-middle-1'), 'region', '"us-middle-1"', 'known AWS region'],
    [
      'a bad CIDR',
      (j: any) => (j.network.vpcCidr = '10.0.0.300/16'),
      'network.vpcCidr',
      '"10.0.0.300/16"',
      'IPv4 CIDR',
    ],
    [
      'a CIDR with host bits',
      (j: any) => (j.network.vpcCidr = '10.0.0.1/16'),
      'network.vpcCidr',
      '"10.0.0.1/16"',
      'no host bits',
    ],
    [
      'a CIDR too small for 4 subnets',
      (j: any) => (j.network.vpcCidr = '10.0.0.0/26'),
      'network.vpcCidr',
      '"10.0.0.0/26"',
      '4 subnets',
    ],
    ['a desired count below 1', (j: any) => (j.service.desiredCount = 0), 'service.desiredCount', '0', 'from 1 to 100'],
    ['an invalid Fargate cpu', (j: any) => (j.service.cpu = 300), 'service.cpu', '300', 'Fargate CPU units'],
    [
      'a memory that does not fit the cpu',
      (j: any) => (j.service.memoryMiB = 4096),
      'service.memoryMiB',
      '4096',
      'for cpu 256: one of 512, 1024, 2048',
    ],
    [
      'a memory off the step for its cpu',
      (j: any) => ((j.service.cpu = 1024), (j.service.memoryMiB = 2500)),
      'service.memoryMiB',
      '2500',
      'for cpu 1024: 2048 to 8192 in steps of 1024',
    ],
    ['a max count below the desired count', (j: any) => (j.service.maxCount = 1), 'service.maxCount', '1', 'at least'],
    ['an unknown key', (j: any) => (j.service.replicas = 3), 'service.replicas', 'unknown key', 'cpu, memoryMiB'],
    ['an unknown top-level key', (j: any) => (j.acount = '1'), 'acount', 'unknown key', 'projectName'],
    ['a missing field', (j: any) => delete j.registry.repositoryName, 'registry.repositoryName', 'missing', 'required'],
    [
      'an environment account that is not 12 digits',
      (j: any) => (j.environments[0].account = 'abc'),
      'environments[0].account',
      '"abc"',
      '12-digit',
    ],
    [
      'duplicate environment names',
      (j: any) => j.environments.push({ ...j.environments[0] }),
      'environments[1].name',
      '"production"',
      'no other',
    ],
    [
      'an unknown ALB scheme',
      (j: any) => (j.network.albScheme = 'public'),
      'network.albScheme',
      '"public"',
      'internet-facing or internal',
    ],
    [
      'a malformed certificate ARN',
      (j: any) => (j.network.certificateArn = 'cert'),
      'network.certificateArn',
      '"cert"',
      'ACM certificate ARN',
    ],
    [
      'an unsupported log retention',
      (j: any) => (j.service.logRetentionDays = 10),
      'service.logRetentionDays',
      '10',
      'retention in days',
    ],
  ])('fails when given %s', (_case, change, field, value, expected) => {
    // GIVEN a config with one bad value WHEN it is parsed
    const message = errorFor(change);
    // THEN one line names the field, the value and what is expected
    expect(message).toContain(field);
    expect(message).toContain(value);
    expect(message).toContain(expected);
  });

  test('fails when the file is missing', () => {
    expect(() => loadConfig('config/nope.json', PROJECT_ROOT)).toThrow(
      /config\/nope\.json: cannot read the config file \(no such file\)/,
    );
  });

  test('fails when the file is not JSON', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'config-'));
    writeFileSync(path.join(dir, 'bad.json'), '{ "region": ');
    expect(() => loadConfig('bad.json', dir)).toThrow(/bad\.json: not valid JSON/);
  });
});
