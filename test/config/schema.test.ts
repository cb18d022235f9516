import { ECHO_LIMIT } from '../../config/load';
import { TOOLING_ACCOUNT } from '../helpers/constants';
import { errorFor, expectFieldError } from './config-errors';

describe('config schema', () => {
  test.each([
    [
      'an account that is not 12 digits',
      (j: any) => (j.registry.account = '12345'),
      'registry.account',
      '"12345"',
      '12-digit',
    ],
    [
      'a numeric account',
      (j: any) => (j.toolingAccount = Number(TOOLING_ACCOUNT)),
      'toolingAccount',
      TOOLING_ACCOUNT,
      '12-digit',
    ],
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
    ['a desired count below 1', (j: any) => (j.service.desiredCount = 0), 'service.desiredCount', '0', 'from 1 to 100'],
    ['an invalid Fargate cpu', (j: any) => (j.service.cpu = 300), 'service.cpu', '300', 'Fargate CPU units'],
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
  ])('fails when given %s', expectFieldError);

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

  test('one mistake is reported as before, with no count', () => {
    expect(errorFor((j) => (j.service.memoryMiB = 4096))).toMatch(/^deploy\.json: field "service\.memoryMiB" is 4096/);
  });
});
