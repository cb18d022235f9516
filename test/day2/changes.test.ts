// Day 2: for each change a user can make in the config, the app is synthesized before and after, and the model
// (model.ts) says what the deployment does to what the previous one left live. A change either leaves every resource
// ECS owns alone, or the tools refuse it before anything deploys and name the safe procedure (unsafeChangeProcedure).
import { Template } from 'aws-cdk-lib/assertions';
import { createDeliveryStages } from '../../pipeline/delivery-stages';
import { bootstrapFirst, unsafeChangeProcedure } from '../../tools/report/day2';
import { EXAMPLE_ZONE, configWith, newProjectApp } from '../helpers/cdk';
import { liveTrafficRisks, type Environment } from './model';
import { IMAGE_TAG, PRODUCTION_ACCOUNT, REGION, STAGING_ACCOUNT } from '../helpers/constants';

type Change = (json: Record<string, any>) => void;

/** The first environment's network and service templates for a config. */
function synthesize(change: Change, imageTag = IMAGE_TAG): Environment {
  const [environment] = createDeliveryStages(newProjectApp(), configWith(change), imageTag).environments;
  return {
    network: Template.fromStack(environment.network.stack).toJSON() as Environment['network'],
    service: Template.fromStack(environment.service.stack).toJSON() as Environment['service'],
  };
}

const blueGreen: Change = () => {};
const rolling: Change = (json) => (json.service.deploymentStrategy = 'rolling');
const canary: Change = (json) => (json.service.deploymentStrategy = 'canary');
const linear: Change = (json) => (json.service.deploymentStrategy = 'linear');
const STRATEGIES: Array<[string, Change]> = [
  ['blue-green', blueGreen],
  ['canary', canary],
  ['linear', linear],
  ['rolling', rolling],
];
const withDomain: Change = (json) => {
  json.network.domainName = 'www.example.com';
  json.network.hostedZone = EXAMPLE_ZONE;
};

// GIVEN the default environment (blue/green, internet-facing, HTTP), synthesized once
const base = synthesize(blueGreen);

const SAFE: Array<[string, Environment]> = [
  ['blue-green to rolling', synthesize(rolling)],
  ['a new image', synthesize(blueGreen, 'sha-fedcba9876543210')],
  ['cpu and memory', synthesize((json) => Object.assign(json.service, { cpu: 512, memoryMiB: 1024 }))],
  ['the bake time', synthesize((json) => (json.service.bakeTimeMinutes = 15))],
  ['deletion protection off', synthesize((json) => (json.network.deletionProtection = false))],
  [
    'an alarm topic',
    synthesize((json) => (json.environments[0].alarmTopicArn = `arn:aws:sns:${REGION}:${PRODUCTION_ACCOUNT}:alarms`)),
  ],
  ['log groups under customer keys', synthesize((json) => (json.logEncryption = 'customer-key'))],
  [
    'an environment added',
    synthesize((json) => json.environments.push({ name: 'staging', account: STAGING_ACCOUNT, requireApproval: false })),
  ],
];

const UNSAFE: Array<[string, Environment, RegExp]> = [
  ['a domain with HTTPS added', synthesize(withDomain), /ListenerRule.* is replaced/],
  ['internet-facing to internal', synthesize((json) => (json.network.albScheme = 'internal')), /is replaced/],
];

describe('day 2: what each config change does to what the previous blue/green deployment left live', () => {
  test.each(SAFE)('%s leaves every resource ECS owns alone', (_name, after) => {
    expect(liveTrafficRisks(base, after)).toEqual([]);
  });

  test.each(UNSAFE)('%s would break live traffic, and the model says how', (_name, after, risk) => {
    expect(liveTrafficRisks(base, after).join('\n')).toMatch(risk);
  });

  test('internal to internet-facing replaces the load balancer and the production rule too', () => {
    const internal = synthesize((json) => (json.network.albScheme = 'internal'));
    expect(liveTrafficRisks(internal, base).join('\n')).toMatch(/ListenerRule.* is replaced/);
  });

  test('rolling to blue-green leaves every resource ECS may own alone too', () => {
    expect(liveTrafficRisks(synthesize(rolling), base)).toEqual([]);
  });

  test('a change between any two strategies leaves every resource ECS may own alone', () => {
    const synthesized = new Map(STRATEGIES.map(([name, change]) => [name, synthesize(change)]));
    for (const [from, before] of synthesized) {
      for (const [to, after] of synthesized) {
        if (from !== to) expect({ from, to, risks: liveTrafficRisks(before, after) }).toEqual({ from, to, risks: [] });
      }
    }
  });
});

describe('the tools refuse an unsafe change before anything deploys, naming the safe procedure', () => {
  const json = (change: Change) => {
    const config = configWith(change);
    return config;
  };

  test.each([
    ['a domain with HTTPS added', blueGreen, withDomain, /HTTPS/],
    [
      'internet-facing to internal',
      blueGreen,
      (j: Record<string, any>) => (j.network.albScheme = 'internal'),
      /albScheme/,
    ],
  ])('%s', (_name, from, to, message) => {
    const [line] = unsafeChangeProcedure(json(from), json(to));
    expect(line).toMatch(message);
    expect(line.split('\n')).toHaveLength(1);
  });

  test('asks for bootstrap first when a change alters what an account lets CloudFormation do, and only then', () => {
    const keys = (j: Record<string, any>) => (j.logEncryption = 'customer-key');
    expect(bootstrapFirst(json(blueGreen), json(keys))).toEqual([
      `account ${PRODUCTION_ACCOUNT} gets a new execution policy (hello-privatelink-cdk-execution): run npm run bootstrap before this change deploys`,
    ]);
    expect(bootstrapFirst(json(blueGreen), json(withDomain))).toHaveLength(1);
    expect(bootstrapFirst(json(blueGreen), json(rolling))).toEqual([]);
  });

  test('says nothing for the safe changes, nor for rolling to blue-green', () => {
    expect(
      unsafeChangeProcedure(
        json(blueGreen),
        json((j) => (j.service.bakeTimeMinutes = 15)),
      ),
    ).toEqual([]);
    for (const [, from] of STRATEGIES) {
      for (const [, to] of STRATEGIES) expect(unsafeChangeProcedure(json(from), json(to))).toEqual([]);
    }
  });
});
