import { parseConfig } from '../../config/load';
import { EXAMPLE_ZONE, configWith, defaultConfigJson } from '../helpers/cdk';
import { PRODUCTION_ACCOUNT, STAGING_ACCOUNT } from '../helpers/constants';
import { errorFor, withStaging } from './config-errors';

describe('per-environment settings', () => {
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
      withStaging((e) => (e.network.certificateArn = `arn:aws:acm:eu-west-1:${STAGING_ACCOUNT}:certificate/x`)),
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
    // GIVEN a shared zone, staging and production in their own accounts
    const message = errorFor((j) => {
      j.network.hostedZone = EXAMPLE_ZONE;
      j.environments[0].network = { domainName: 'www.example.com' };
      withStaging((e) => (e.network.domainName = 'staging.example.com'))(j);
    });
    expect(message).toBe(
      'deploy.json: field "network.hostedZone" is {"id":"Z0123456789ABCDEFGHIJ","name":"example.com"}; expected a ' +
        `zone of this environment's account ${STAGING_ACCOUNT}, not one environment production in account ${PRODUCTION_ACCOUNT} ` +
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
