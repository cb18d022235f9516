import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  ConfigError,
  ECHO_LIMIT,
  loadConfig,
  parseConfig,
  s3BucketNameProblem,
  sourceBucketNameFor,
} from '../../config/load';
import { sourceBucketName } from '../../pipeline/pipeline-stack';
import { EXAMPLE_ZONE, PROJECT_ROOT, configWith, defaultConfigJson } from '../helpers/cdk';

const CERT_ID = '11111111-2222-3333-4444-555555555555';

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
    expect(config.service).toMatchObject({ cpuArchitecture: 'ARM64', desiredCount: 2 });
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
    [
      'an unknown deployment strategy',
      (j: any) => (j.service.deploymentStrategy = 'blue-grey'),
      'service.deploymentStrategy',
      '"blue-grey"',
      'blue-green',
    ],
    [
      'a bake time over a day',
      (j: any) => (j.service.bakeTimeMinutes = 2000),
      'service.bakeTimeMinutes',
      '2000',
      'an integer from 0 to 1440',
    ],
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
      'expected "10.0.0.0/16", the network address, no host bits set',
    ],
    [
      'a CIDR with leading zeros, which AWS would read as another block',
      (j: any) => (j.network.vpcCidr = '010.0.0.0/16'),
      'network.vpcCidr',
      '"010.0.0.0/16"',
      'expected "10.0.0.0/16", the same block without leading zeros',
    ],
    [
      'a CIDR with leading zeros and host bits',
      (j: any) => (j.network.vpcCidr = '10.00.1.0/16'),
      'network.vpcCidr',
      '"10.00.1.0/16"',
      'expected "10.0.0.0/16", the network address',
    ],
    [
      'a project name whose source bucket has the reserved prefix xn--',
      (j: any) => (j.projectName = 'xn--app'),
      'projectName',
      '"xn--app"',
      'bucket "xn--app-source-111111111111" S3 accepts: S3 reserves the prefix xn--',
    ],
    [
      'a project name whose source bucket has the reserved prefix sthree-',
      (j: any) => (j.projectName = 'sthree-app'),
      'projectName',
      '"sthree-app"',
      'S3 reserves the prefix sthree-',
    ],
    [
      'a project name whose source bucket has the reserved prefix amzn-s3-demo-',
      (j: any) => (j.projectName = 'amzn-s3-demo-app'),
      'projectName',
      '"amzn-s3-demo-app"',
      'S3 reserves the prefix amzn-s3-demo-',
    ],
    [
      'a certificate ARN of the aws partition for a China region',
      (j: any) => (
        (j.region = 'cn-north-1'),
        (j.network.certificateArn = `arn:aws:acm:cn-north-1:333333333333:certificate/${CERT_ID}`)
      ),
      'network.certificateArn',
      '"arn:aws:acm:cn-north-1:333333333333:certificate/11111111-2…;',
      'expected an ARN in partition aws-cn, the partition of region cn-north-1',
    ],
    [
      'a certificate ARN of the aws-cn partition for a commercial region',
      (j: any) => (j.network.certificateArn = `arn:aws-cn:acm:us-east-2:333333333333:certificate/${CERT_ID}`),
      'network.certificateArn',
      '"arn:aws-cn:acm:us-east-2:333333333333:certificate/',
      'expected an ARN in partition aws, the partition of region us-east-2',
    ],
    [
      'an approval topic of another partition',
      (j: any) => (j.pipeline.approvalTopicArn = 'arn:aws-us-gov:sns:us-east-2:111111111111:approvals'),
      'pipeline.approvalTopicArn',
      '"arn:aws-us-gov:sns:us-east-2:111111111111:approvals"',
      'partition aws',
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
      'a memory that does not match the cpu',
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
    // The image listens on one port only (stages/service/image-port.ts); another would fail every health check.
    ['a container port', (j: any) => (j.service.containerPort = 9090), 'service.containerPort', 'unknown key', 'cpu'],
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
      'a certificate without a domain name, which could only be served on the load balancer name',
      (j: any) => (j.network.certificateArn = `arn:aws:acm:us-east-2:333333333333:certificate/${CERT_ID}`),
      'field "network.certificateArn"',
      `"arn:aws:acm:us-east-2:333333333333:certificate/${CERT_ID.slice(0, 11)}`,
      "expected it with network.domainName, the host name the certificate covers: no certificate can cover the load balancer's own DNS name, for environment production",
    ],
    [
      'a certificate of another account than the environment',
      (j: any) => (
        (j.network.domainName = 'www.example.com'),
        (j.network.certificateArn = `arn:aws:acm:us-east-2:444444444444:certificate/${CERT_ID}`)
      ),
      'field "network.certificateArn"',
      '"arn:aws:acm:us-east-2:444444444444:',
      "expected a certificate in the environment's account 333333333333, for environment production",
    ],
    [
      'a certificate of another region',
      (j: any) => (
        (j.network.domainName = 'www.example.com'),
        (j.network.certificateArn = `arn:aws:acm:us-east-1:333333333333:certificate/${CERT_ID}`)
      ),
      'field "network.certificateArn"',
      '"arn:aws:acm:us-east-1:333333333333:',
      'expected a certificate in the workload region us-east-2, for environment production',
    ],
    [
      'a hosted zone without a domain name',
      (j: any) => (j.network.hostedZone = EXAMPLE_ZONE),
      'field "network.hostedZone"',
      '{"id":"Z0123456789ABCDEFGHIJ","name":"example.com"}',
      "expected it with network.domainName, the name the zone's alias record points at the load balancer",
    ],
    [
      'a domain name outside its hosted zone',
      (j: any) => ((j.network.domainName = 'www.example.org'), (j.network.hostedZone = EXAMPLE_ZONE)),
      'field "network.domainName"',
      '"www.example.org"',
      'expected a name inside the hosted zone example.com (example.com itself or *.example.com), for environment production',
    ],
    [
      'a domain name that only ends like the zone',
      (j: any) => ((j.network.domainName = 'notexample.com'), (j.network.hostedZone = EXAMPLE_ZONE)),
      'field "network.domainName"',
      '"notexample.com"',
      'expected a name inside the hosted zone example.com',
    ],
    ...[
      '*.example.com',
      'Www.Example.com',
      'www..example.com',
      '-www.example.com',
      'localhost',
      'www.example.com.',
    ].map((name): [string, (j: any) => void, string, string, string] => [
      `the domain name ${name}`,
      (j: any) => (j.network.domainName = name),
      'field "network.domainName"',
      JSON.stringify(name),
      'expected a lowercase host name such as www.example.com',
    ]),
    [
      'a domain name too long for the certificate the stack requests',
      (j: any) => ((j.network.domainName = `${'a'.repeat(60)}.example.com`), (j.network.hostedZone = EXAMPLE_ZONE)),
      'field "network.domainName"',
      '"aaaaaaaaaa',
      'expected at most 64 characters for the certificate the stack requests, or give network.certificateArn, for environment production',
    ],
    [
      'a malformed hosted zone id',
      (j: any) => (
        (j.network.domainName = 'www.example.com'),
        (j.network.hostedZone = { id: 'example.com', name: 'example.com' })
      ),
      'field "network.hostedZone.id"',
      '"example.com"',
      'expected a Route 53 hosted zone id',
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

  test('fails when a value is long, with the value cut to a short echo', () => {
    // GIVEN a 300-character repository name WHEN it is parsed
    const message = errorFor((j) => (j.registry.repositoryName = `${'a'.repeat(300)}!`));
    // THEN the message quotes its start, cut with an ellipsis, and stays short
    const echoed = /is ("a+…);/.exec(message)![1];
    expect(echoed).toHaveLength(ECHO_LIMIT);
    expect(message).not.toContain('a'.repeat(ECHO_LIMIT));
    expect(message.length).toBeLessThan(250);
  });

  test('fails when an unknown key holds a line break, on one line', () => {
    // GIVEN a key with a newline in it WHEN it is parsed THEN the key is quoted with the break escaped
    const message = errorFor((j) => (j.network['evil\nkey'] = 1));
    expect(message).toContain('unknown key "network."evil\\nkey""');
  });
});

describe('per-environment settings', () => {
  // GIVEN staging in its own account with 1 small task behind an internal load balancer, production on the shared settings
  const withStaging =
    (change: (staging: Record<string, any>) => void = () => {}) =>
    (j: Record<string, any>) => {
      const staging = {
        name: 'staging',
        account: '444444444444',
        requireApproval: false,
        service: { desiredCount: 1 },
        network: { albScheme: 'internal' },
      };
      change(staging);
      j.environments.unshift(staging);
    };

  test('deploy blue/green with a 5-minute bake unless an environment chooses rolling', () => {
    const config = configWith(withStaging((e) => (e.service.deploymentStrategy = 'rolling')));
    const [staging, production] = config.environments;
    expect([staging.service.deploymentStrategy, production.service.deploymentStrategy]).toEqual([
      'rolling',
      'blue-green',
    ]);
    expect(production.service.bakeTimeMinutes).toBe(5);
  });

  test('merge each environment over the shared settings', () => {
    const json = structuredClone(defaultConfigJson());
    withStaging()(json);
    const [staging, production] = parseConfig(json, 'deploy.json').environments;
    expect([staging.service.desiredCount, staging.service.maxCount, staging.network.albScheme]).toEqual([
      1,
      1,
      'internal',
    ]);
    expect([production.service.desiredCount, production.service.maxCount, production.network.albScheme]).toEqual([
      2,
      2,
      'internet-facing',
    ]);
    expect(staging.service.cpu).toBe(production.service.cpu);
  });

  test.each([
    [
      'an override memory that does not match the cpu',
      withStaging((e) => (e.service.memoryMiB = 4096)),
      'field "environments[0].service.memoryMiB" is 4096',
    ],
    [
      'a shared memory that does not match an overridden cpu',
      withStaging((e) => (e.service.cpu = 1024)),
      'field "service.memoryMiB" is 512; expected a valid Fargate memory for cpu 1024',
    ],
    [
      'an override max count below the desired count',
      withStaging((e) => ((e.service.desiredCount = 3), (e.service.maxCount = 2))),
      'field "environments[0].service.maxCount" is 2; expected at least service.desiredCount (3)',
    ],
    [
      'an override certificate in another region',
      withStaging((e) => (e.network.certificateArn = 'arn:aws:acm:eu-west-1:444444444444:certificate/x')),
      'field "environments[0].network.certificateArn"',
    ],
    [
      'an override hosted zone that does not hold the shared domain',
      (j: Record<string, any>) => {
        j.network.domainName = 'www.example.com';
        withStaging((e) => (e.network.hostedZone = { id: 'Z1', name: 'staging.example.com' }))(j);
      },
      'field "network.domainName" is "www.example.com"; expected a name inside the hosted zone staging.example.com',
    ],
    ['an unknown override', withStaging((e) => (e.service.cpuArchitecture = 'X86_64')), 'unknown key'],
    [
      'an override strategy that does not exist',
      withStaging((e) => (e.service.deploymentStrategy = 'big-bang')),
      'field "environments[0].service.deploymentStrategy" is "big-bang"',
    ],
  ])('fails on %s, naming the field and the environment', (_case, change, expected) => {
    const message = errorFor(change);
    expect(message).toContain(expected);
    // A shared domain the override leaves outside its zone is also a domain two environments use: both are named.
    if (!message.includes('unknown key')) expect(message).toMatch(/, for environment staging(; \(2\) .*)?$/);
  });

  test('fails on one hosted zone shared by environments in two accounts', () => {
    // GIVEN a shared zone, staging in account 444444444444 and production in 333333333333
    const message = errorFor((j) => {
      j.network.hostedZone = EXAMPLE_ZONE;
      j.environments[0].network = { domainName: 'www.example.com' };
      withStaging((e) => (e.network.domainName = 'staging.example.com'))(j);
    });
    expect(message).toBe(
      'deploy.json: field "network.hostedZone" is {"id":"Z0123456789ABCDEFGHIJ","name":"example.com"}; expected a ' +
        "zone of this environment's account 444444444444, not one environment production in account 333333333333 " +
        'also uses, for environment staging',
    );
  });

  test('fails on a domain name another environment has, naming both environments', () => {
    // GIVEN a shared domain and two environments WHEN it is parsed THEN the second one is refused
    const message = errorFor((j) => {
      j.network.domainName = 'www.example.com';
      withStaging()(j);
    });
    expect(message).toBe(
      'deploy.json: field "network.domainName" is "www.example.com"; expected a name no other environment uses ' +
        '(environment staging has it), for environment production',
    );
  });
});

describe('config file reading', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'config-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const defaultText = () => readFileSync(path.join(PROJECT_ROOT, 'config/deploy.json'), 'utf8');

  /** Writes a file into the test folder and returns the loader's one-line error for it, or fails. */
  function errorForFile(name: string, content: string | Buffer): string {
    writeFileSync(path.join(dir, name), content);
    return oneLineError(() => loadConfig(name, dir));
  }

  function oneLineError(load: () => unknown): string {
    try {
      load();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const message = (e as Error).message;
      expect(message.split('\n')).toHaveLength(1);
      return message;
    }
    throw new Error('expected the config file to be refused');
  }

  test('reads a UTF-8 file that starts with a byte-order mark', () => {
    // GIVEN the default config saved with a UTF-8 BOM, as some Windows editors do
    writeFileSync(
      path.join(dir, 'bom.json'),
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(defaultText())]),
    );
    // WHEN it is loaded THEN it reads as the default does
    expect(loadConfig('bom.json', dir).projectName).toBe('hello-privatelink');
  });

  test.each([
    ['UTF-16 little-endian with its byte-order mark', 'utf16le', [0xff, 0xfe], 'UTF-16 (it starts with a UTF-16 byte'],
    ['UTF-16 big-endian with its byte-order mark', 'utf16be', [0xfe, 0xff], 'UTF-16 (it starts with a UTF-16 byte'],
    ['UTF-16 without a byte-order mark', 'utf16le', [], 'NUL bytes, as UTF-16 text does'],
  ] as const)('fails when the file is %s, naming the file', (_case, encoding, bom, expected) => {
    // GIVEN the default config saved as UTF-16
    const le = Buffer.from(defaultText(), 'utf16le');
    const body = encoding === 'utf16be' ? Buffer.from(le).swap16() : le;
    // WHEN it is loaded THEN one line names the file and asks for UTF-8
    const message = errorForFile('utf16.json', Buffer.concat([Buffer.from(bom), body]));
    expect(message).toMatch(/^utf16\.json: /);
    expect(message).toContain(expected);
    expect(message).toContain('expected JSON saved as UTF-8');
  });

  test('fails when the file is not valid UTF-8', () => {
    const message = errorForFile('latin1.json', Buffer.from('{"projectName": "caf\xe9"}', 'latin1'));
    expect(message).toBe('latin1.json: the file is not valid UTF-8; expected JSON saved as UTF-8');
  });

  test('fails when the file is not JSON', () => {
    expect(errorForFile('bad.json', '{ "region": ')).toMatch(/^bad\.json: not valid JSON/);
  });

  test('fails when the JSON error quotes input with line breaks, still on one line', () => {
    // GIVEN JSON whose parser message quotes the input, line breaks included
    const message = errorForFile('breaks.json', '{\n"a": x,\n"b": 1}');
    // THEN the message is one line that still shows where it went wrong
    expect(message).toMatch(/^breaks\.json: not valid JSON \(Unexpected token 'x', .*\\n.*\); expected a JSON object/);
  });

  test('fails when the file nests 100,000 brackets, with one line and no stack trace', () => {
    // GIVEN 100,000 nested arrays, too deep for JSON.stringify
    const depth = 100_000;
    const message = errorForFile('nested.json', '['.repeat(depth) + ']'.repeat(depth));
    // THEN one line says what the top level should be, echoing the value without recursing into it
    expect(message).toBe(
      'nested.json: field "(top level)" is […]; expected a JSON object with the fields of config/deploy.json',
    );
  });

  test('fails when a field nests 100,000 brackets, with one line', () => {
    const depth = 100_000;
    const text = defaultText().replace('"hello-privatelink"', '['.repeat(depth) + ']'.repeat(depth));
    const message = errorForFile('nested-field.json', text);
    expect(message).toMatch(/^nested-field\.json: field "projectName" is \[…\]; expected 3 to 32 lowercase/);
  });

  test('fails when the brackets never close, with one line', () => {
    expect(errorForFile('open.json', '['.repeat(100_000))).toMatch(/^open\.json: not valid JSON \(.{1,100}\); /);
  });

  test('fails when the path is a directory, naming it', () => {
    mkdirSync(path.join(dir, 'folder.json'));
    expect(oneLineError(() => loadConfig('folder.json', dir))).toBe(
      'folder.json: cannot read the config file (it is a directory); expected a JSON file, see config/deploy.json',
    );
  });

  test('fails at once when the path is a named pipe, instead of waiting for a writer', async () => {
    // GIVEN a FIFO, and a writer that would only unblock a reader after 3 s
    const fifo = path.join(dir, 'pipe.json');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const writer = spawn('sh', ['-c', 'sleep 3; echo "{}" > "$0"', fifo], { stdio: 'ignore' });
    const exited = new Promise((resolve) => writer.once('exit', resolve));
    try {
      // WHEN it is loaded
      const started = Date.now();
      const message = oneLineError(() => loadConfig('pipe.json', dir));
      // THEN it is refused by name without waiting
      expect(Date.now() - started).toBeLessThan(1000);
      expect(message).toBe(
        'pipe.json: cannot read the config file (it is a named pipe, socket or device, not a regular file); ' +
          'expected a JSON file, see config/deploy.json',
      );
    } finally {
      writer.kill();
      await exited;
    }
  });

  test('fails when the file is larger than any config, before reading it', () => {
    expect(errorForFile('huge.json', Buffer.alloc(1024 * 1024 + 1, 0x20))).toBe(
      'huge.json: cannot read the config file (it has 1048577 bytes; a config file has at most 1 MiB); ' +
        'expected a JSON file, see config/deploy.json',
    );
  });
});

describe('S3 bucket names', () => {
  test('the config derives the source bucket name exactly as the pipeline names it', () => {
    const config = configWith();
    expect(sourceBucketNameFor(config.projectName, config.toolingAccount)).toBe(sourceBucketName(config));
  });

  test('accepts the default source bucket name', () => {
    expect(s3BucketNameProblem('hello-privatelink-source-111111111111')).toBeUndefined();
  });

  test.each([
    ['ab', 'S3 allows 3 to 63 characters, not 2'],
    ['a'.repeat(64), 'S3 allows 3 to 63 characters, not 64'],
    ['My-bucket', 'only lowercase letters'],
    ['bucket-', 'only lowercase letters'],
    ['my..bucket', 'two adjacent dots'],
    ['192.168.5.4', 'IP address'],
    ['xn--bucket', 'prefix xn--'],
    ['sthree-bucket', 'prefix sthree-'],
    ['amzn-s3-demo-bucket', 'prefix amzn-s3-demo-'],
    ['bucket-s3alias', 'suffix -s3alias'],
    ['bucket--ol-s3', 'suffix --ol-s3'],
    ['bucket.mrap', 'suffix .mrap'],
    ['bucket--x-s3', 'suffix --x-s3'],
    ['bucket--table-s3', 'suffix --table-s3'],
  ])('fails for %s', (name, expected) => {
    expect(s3BucketNameProblem(name)).toContain(expected);
  });
});

describe('several mistakes and settings with no effect', () => {
  test('reports every mistake in one line, numbered, not only the first', () => {
    // GIVEN a config with three mistakes of the schema's kind WHEN it is loaded
    const message = errorFor((j) => {
      j.service.cpu = 3;
      j.registry.keepLastImages = 0;
      j.region = 'moon-1';
    });
    // THEN one line names all three, each with its field
    expect(message).toMatch(/^deploy\.json: 3 problems: \(1\) field "/);
    for (const field of ['"region"', '"registry.keepLastImages"', '"service.cpu"']) expect(message).toContain(field);
  });

  test('reports every cross-field mistake too, such as a bad CIDR and a topic in another account', () => {
    const message = errorFor((j) => {
      j.network.vpcCidr = '10.0.0.1/16';
      j.pipeline.approvalTopicArn = 'arn:aws:sns:us-east-2:999999999999:approvals';
    });
    expect(message).toBe(
      'deploy.json: 2 problems: (1) field "network.vpcCidr" is "10.0.0.1/16"; expected "10.0.0.0/16", the network ' +
        'address, no host bits set; (2) field "pipeline.approvalTopicArn" is ' +
        '"arn:aws:sns:us-east-2:999999999999:approvals"; expected a topic in the tooling account 111111111111, where ' +
        'the pipeline runs',
    );
  });

  test('one mistake is reported as before, with no count', () => {
    expect(errorFor((j) => (j.service.memoryMiB = 4096))).toMatch(/^deploy\.json: field "service\.memoryMiB" is 4096/);
  });

  test('warns that bakeTimeMinutes does nothing for an environment that rolls', () => {
    // GIVEN a shared bake time and an environment that chose rolling
    const config = configWith((j) => {
      j.service.bakeTimeMinutes = 10;
      j.environments[0].service = { deploymentStrategy: 'rolling' };
    });
    // THEN the config loads, with one warning naming the field, its value and why
    expect(config.warnings).toEqual([
      'config/deploy.json: field "service.bakeTimeMinutes" is 10 and has no effect for environment production: its ' +
        'deploymentStrategy is rolling, which does not bake',
    ]);
  });

  test('warns that canary or linear settings do nothing for an environment with another strategy', () => {
    const config = configWith((j) => {
      j.service.canary = { percent: 10, bakeMinutes: 3 };
      j.environments[0].service = { deploymentStrategy: 'linear', linear: { stepPercent: 20, intervalMinutes: 4 } };
    });
    expect(config.warnings).toEqual([
      'config/deploy.json: field "service.canary" has no effect for environment production: its deploymentStrategy is linear',
    ]);
    expect(config.environments[0].service.linear).toEqual({ stepPercent: 20, intervalMinutes: 4 });
    expect(configWith().environments[0].service.canary).toEqual({ percent: 20, bakeMinutes: 5 });
  });

  test('warns about a review link with no approval, a topic no approval uses, and a profile of no account', () => {
    const config = configWith((j) => {
      j.environments[0].requireApproval = false;
      j.environments[0].reviewUrl = 'https://example.com/review';
      j.pipeline.approvalTopicArn = 'arn:aws:sns:us-east-2:111111111111:approvals';
      j.profiles['999999999999'] = 'old';
    });
    expect(config.warnings).toEqual([
      'config/deploy.json: field "environments[0].reviewUrl" has no effect: environment production has ' +
        'requireApproval false, so no approval shows it',
      'config/deploy.json: field "pipeline.approvalTopicArn" has no effect: no environment requires approval, so ' +
        'nothing is sent',
      'config/deploy.json: field "profiles.999999999999" has no effect: no configured account is 999999999999',
    ]);
  });

  test('the committed config has no setting without effect', () => {
    expect(configWith().warnings).toEqual([]);
  });
});
