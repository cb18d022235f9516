// `npm run drift` as a user runs it, against stand-ins for STS and CloudFormation (drift-stand-in.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { StackResourceDrift } from '@aws-sdk/client-cloudformation';
import { lookupRoleArn } from '../../../config/names';
import { callBoundSeconds } from '../../../tools/cli/aws';
import { EXIT_DRIFTED, EXIT_FAILED, EXIT_IN_SYNC } from '../../../tools/operator/drift-report';
import { PRODUCTION_ACCOUNT, REGION, REGISTRY_ACCOUNT, TOOLING_ACCOUNT } from '../../helpers/constants';
import { runTool } from '../../helpers/run-tool';
import {
  ALTERNATE_ARN,
  PRIMARY_ARN,
  alternate,
  blueGreen,
  idOfType,
  inSync,
  primary,
  rule,
  ruleRewritten,
  targetGroup,
  taskDefinition,
  testRule,
  weighted,
} from './drift-fixtures';
import { startStandIn, type StackScript } from './drift-stand-in';

describe('npm run drift, against stand-ins for STS and CloudFormation', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'drift-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = (args: string[], endpoint = 'http://127.0.0.1:9') =>
    runTool('tools/operator/drift.ts', args, {
      AWS_ACCESS_KEY_ID: 'AKIAGITHUBDRIFTROLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: '',
      AWS_PROFILE: '',
      AWS_CONFIG_FILE: path.join(dir, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'none'),
      AWS_ENDPOINT_URL: endpoint,
    });
  const own = (line: string) => line.startsWith('drift:');

  /** The default config's five stacks: registry, production network and service, pipeline, GitHub OIDC. */
  const names = {
    registry: 'hello-privatelink-registry',
    network: 'hello-privatelink-production-network',
    service: 'hello-privatelink-production-service',
    pipeline: 'hello-privatelink-pipeline',
    github: 'hello-privatelink-github-oidc',
  };
  // The service after a blue/green deployment: ECS has moved the weights and the tasks, and nothing else changed.
  const deployedService: StackScript = {
    template: blueGreen,
    drifts: [
      inSync(idOfType('AWS::ECS::Service'), 'AWS::ECS::Service'),
      ruleRewritten(rule),
      ruleRewritten(testRule, weighted([PRIMARY_ARN, 100], [ALTERNATE_ARN, 0])),
      targetGroup(primary, PRIMARY_ARN, [['/Targets', '[]', '[{"Id":"10.0.1.5"}]']]),
      targetGroup(alternate, ALTERNATE_ARN),
      inSync(taskDefinition, 'AWS::ECS::TaskDefinition'),
    ],
  };

  test('reports real drift with property paths, one line each, leaves out what ECS owns, and exits 2', async () => {
    // GIVEN a security group opened by hand in the network, a bucket policy deleted in the pipeline stack, the
    // service as ECS leaves it, and no GitHub OIDC stack
    const standIn = await startStandIn({
      [names.registry]: {},
      [names.network]: {
        drifts: [
          {
            LogicalResourceId: 'LoadBalancerSecurityGroup',
            PhysicalResourceId: 'sg-0123',
            ResourceType: 'AWS::EC2::SecurityGroup',
            StackResourceDriftStatus: 'MODIFIED',
            PropertyDifferences: [
              {
                PropertyPath: '/SecurityGroupIngress/1',
                DifferenceType: 'ADD',
                ActualValue: '{"CidrIp":"0.0.0.0/0","FromPort":22,"IpProtocol":"tcp","ToPort":22}',
              },
            ],
          } as StackResourceDrift,
        ],
      },
      [names.service]: deployedService,
      [names.pipeline]: {
        drifts: [
          {
            LogicalResourceId: 'SourceBucketPolicy',
            ResourceType: 'AWS::S3::BucketPolicy',
            StackResourceDriftStatus: 'DELETED',
          } as StackResourceDrift,
        ],
      },
      [names.github]: { missing: true },
    });
    try {
      // WHEN drift runs
      const result = await run([], standIn.endpoint);
      // THEN it exits 2 and says what drifted, where, as the issue will show it
      expect([result.code, result.stderr.split('\n').filter(own)]).toEqual([EXIT_DRIFTED, []]);
      expect(result.stdout.trim().split('\n')).toEqual([
        `${names.registry} (${REGISTRY_ACCOUNT}): in sync`,
        `${names.network} (${PRODUCTION_ACCOUNT}): 1 drifted resource(s)`,
        `  ${names.network}/LoadBalancerSecurityGroup (AWS::EC2::SecurityGroup) modified: /SecurityGroupIngress/1 added: {"CidrIp":"0.0.0.0/0","FromPort":22,"IpProtocol":"tcp","ToPort":22}`,
        `${names.service} (${PRODUCTION_ACCOUNT}): in sync; 5 difference(s) ECS owns by design left out`,
        `${names.pipeline} (${TOOLING_ACCOUNT}): 1 drifted resource(s)`,
        `  ${names.pipeline}/SourceBucketPolicy (AWS::S3::BucketPolicy) deleted`,
        `${names.github} (${TOOLING_ACCOUNT}): not deployed, nothing to compare`,
        'drift: 2 drifted resource(s) in 2 of 4 deployed stack(s)',
      ]);
      // AND each stack was examined in its own account, through that account's lookup role, with no other call
      expect([...new Set(standIn.assumed)].sort()).toEqual(
        [TOOLING_ACCOUNT, REGISTRY_ACCOUNT, PRODUCTION_ACCOUNT].map((a) => lookupRoleArn('aws', a, REGION)),
      );
      const where = new Set(standIn.calls.map((c) => c.split(' ').slice(1).join(' ')));
      expect([...where].sort()).toEqual(
        [
          `${TOOLING_ACCOUNT} ${names.github}`,
          `${TOOLING_ACCOUNT} ${names.pipeline}`,
          `${REGISTRY_ACCOUNT} ${names.registry}`,
          `${PRODUCTION_ACCOUNT} ${names.network}`,
          `${PRODUCTION_ACCOUNT} ${names.service}`,
        ].sort(),
      );
      expect(standIn.calls.filter((c) => c.startsWith('GetTemplate'))).toEqual([
        `GetTemplate ${PRODUCTION_ACCOUNT} ${names.service}`,
      ]);
    } finally {
      await standIn.stop();
    }
  });

  test('exits 0 when the only differences are the ones ECS makes', async () => {
    const standIn = await startStandIn({
      [names.registry]: {},
      [names.network]: {},
      [names.service]: deployedService,
      [names.pipeline]: {},
      [names.github]: {},
    });
    try {
      const result = await run(['--timeout', '60'], standIn.endpoint);
      expect(result.code).toBe(EXIT_IN_SYNC);
      expect(result.stdout.trim().split('\n').pop()).toBe('drift: 5 deployed stack(s) in sync');
    } finally {
      await standIn.stop();
    }
  });

  test('exits 1 naming the account whose lookup role refused, and checks the others', async () => {
    const standIn = await startStandIn(
      { [names.registry]: {}, [names.network]: {}, [names.service]: {}, [names.pipeline]: {}, [names.github]: {} },
      [lookupRoleArn('aws', REGISTRY_ACCOUNT, REGION)],
    );
    try {
      const result = await run([], standIn.endpoint);
      expect(result.code).toBe(EXIT_FAILED);
      const lines = result.stdout.trim().split('\n');
      expect(lines.find((l) => l.startsWith(names.registry))).toMatch(
        new RegExp(
          `^hello-privatelink-registry \\(${REGISTRY_ACCOUNT}\\): not checked: STS AssumeRole of arn:aws:iam::${REGISTRY_ACCOUNT}:role/cdk-hnb659fds-lookup-role-${REGISTRY_ACCOUNT}-${REGION} failed: AccessDenied: .*not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${REGISTRY_ACCOUNT}:role/cdk-hnb659fds-lookup-role-${REGISTRY_ACCOUNT}-${REGION}$`,
        ),
      );
      expect(lines.pop()).toBe('drift: 1 of 5 deployed stack(s) not checked; no drift in the rest');
      // One refused AssumeRole, and no CloudFormation call in that account
      const registryRole = lookupRoleArn('aws', REGISTRY_ACCOUNT, REGION);
      expect(standIn.assumed.filter((r) => r === registryRole)).toHaveLength(1);
      expect(standIn.calls.filter((c) => c.includes(names.registry))).toEqual([]);
    } finally {
      await standIn.stop();
    }
  });

  test('ends within one bounded call against an endpoint that never answers, naming each stack it could not check', async () => {
    // GIVEN an endpoint that accepts connections and never answers
    const sockets: Socket[] = [];
    const silent = createNetServer((socket) => sockets.push(socket));
    try {
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      // WHEN drift runs against it
      const started = Date.now();
      const result = await run([], `http://127.0.0.1:${(silent.address() as AddressInfo).port}`);
      // THEN it ends within one call's bound (the accounts are asked at once), and says why for every stack
      expect((Date.now() - started) / 1000).toBeLessThan(callBoundSeconds() + 15);
      expect(result.code).toBe(EXIT_FAILED);
      const lines = result.stdout.trim().split('\n');
      expect(lines.filter((l) => / not checked: STS AssumeRole of .* failed: no answer in time/.test(l))).toHaveLength(
        5,
      );
      expect(lines.pop()).toBe('drift: 5 of 5 deployed stack(s) not checked; no drift in the rest');
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  }, 90_000);

  test('--help prints the usage only and calls nothing', async () => {
    const standIn = await startStandIn({});
    try {
      const result = await run(['--timeout', '-1', '--help'], standIn.endpoint);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(
        /^usage: npm run drift -- \[--config FILE\] \[--profile NAME\] \[--timeout SECONDS\]\n/,
      );
      expect(result.stdout).toContain('Exit status: 0 in sync, 2 drift found, 1 a stack could not be checked');
      expect(result.stderr).toBe('');
      expect([standIn.calls, standIn.assumed]).toEqual([[], []]);
    } finally {
      await standIn.stop();
    }
  });

  test.each([
    [['--timeout', 'soon'], 'drift: --timeout is "soon"; expected a number of seconds above 0 and at most 86400'],
    [['--stack', 'x'], 'drift: unknown option --stack; see --help'],
    [['--profile', 'two words'], 'drift: --profile is "two words"; expected an AWS CLI profile name, such as tooling'],
    [['extra'], 'drift: unexpected argument extra; see --help'],
  ])('refuses %j with one line and calls nothing', async (args, line) => {
    const result = await run(args);
    expect([result.code, result.stdout, result.stderr.trim().split('\n')]).toEqual([1, '', [line]]);
  });

  test('refuses a config file that is not there with one line', async () => {
    const result = await run(['--config', path.join(dir, 'missing.json')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^drift: .*missing\.json/)]);
  });
});
