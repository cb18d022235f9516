import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { StackResourceDrift } from '@aws-sdk/client-cloudformation';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parse } from 'yaml';
import { buildDeliveryApp } from '../../../pipeline/build-app';
import { createDeliveryStages } from '../../../pipeline/delivery-stages';
import { DRIFT_ENVIRONMENT } from '../../../pipeline/github-oidc-stack';
import { callBoundSeconds } from '../../../tools/cli/aws';
import { bootstrapTargets } from '../../../tools/operator/bootstrap';
import { driftTargets } from '../../../tools/operator/drift';
import { detectStackDrift, type CloudFormationApi } from '../../../tools/operator/drift-detection';
import { EXIT_DRIFTED, EXIT_FAILED, EXIT_IN_SYNC, formatReport, realDrift } from '../../../tools/operator/drift-report';
import { ecsOwnedResources } from '../../../tools/operator/ecs-owned';
import { lookupRoleArn } from '../../../tools/operator/lookup-role';
import { ecsOwned, type Template as ModelTemplate } from '../../day2/model';
import { PROJECT_ROOT, configWith, newProjectApp } from '../../helpers/cdk';
import { DeployedStack } from '../../helpers/deployed-policies';
import { decide } from '../../helpers/iam';
import { runTool } from '../../helpers/run-tool';

type Change = (json: Record<string, any>) => void;

/** The first environment's service template for a config. */
function serviceTemplate(change: Change = () => {}): ModelTemplate {
  const [environment] = createDeliveryStages(newProjectApp(), configWith(change), 'sha-0123456789abcdef').environments;
  return Template.fromStack(environment.service.stack).toJSON() as ModelTemplate;
}

// GIVEN the default service (blue/green), synthesized once, and the resources the day-2 model says ECS owns
const blueGreen = serviceTemplate();
const rolling = serviceTemplate((json) => (json.service.deploymentStrategy = 'rolling'));
const [rule, primary, alternate] = ecsOwned(blueGreen).map((o) => o.id);
const idOfType = (type: string, not: string[] = []) =>
  Object.keys(blueGreen.Resources).find((id) => blueGreen.Resources[id].Type === type && !not.includes(id))!;
const testRule = idOfType('AWS::ElasticLoadBalancingV2::ListenerRule', [rule]);
const taskDefinition = idOfType('AWS::ECS::TaskDefinition');
const PRIMARY_ARN = 'arn:aws:elasticloadbalancing:us-east-2:333333333333:targetgroup/primary/1111';
const ALTERNATE_ARN = 'arn:aws:elasticloadbalancing:us-east-2:333333333333:targetgroup/alternate/2222';
const FOREIGN_ARN = 'arn:aws:elasticloadbalancing:us-east-2:333333333333:targetgroup/someone-elses/3333';

/** A weighted forward, as ECS leaves a rule after a deployment. */
const weighted = (...groups: Array<[string, number]>) =>
  JSON.stringify({
    Actions: [
      {
        Type: 'forward',
        ForwardConfig: { TargetGroups: groups.map(([TargetGroupArn, Weight]) => ({ TargetGroupArn, Weight })) },
      },
    ],
    Priority: 10,
  });

/** What CloudFormation reports for a rule whose single forward ECS turned into a weighted one. */
const ruleRewritten = (id: string, actual = weighted([PRIMARY_ARN, 0], [ALTERNATE_ARN, 100])): StackResourceDrift =>
  ({
    LogicalResourceId: id,
    PhysicalResourceId: `arn:aws:elasticloadbalancing:us-east-2:333333333333:listener-rule/app/lb/1/2/${id}`,
    ResourceType: 'AWS::ElasticLoadBalancingV2::ListenerRule',
    StackResourceDriftStatus: 'MODIFIED',
    ActualProperties: actual,
    PropertyDifferences: [
      { PropertyPath: '/Actions/0/TargetGroupArn', DifferenceType: 'REMOVE', ExpectedValue: PRIMARY_ARN },
      { PropertyPath: '/Actions/0/ForwardConfig', DifferenceType: 'ADD', ActualValue: '{"TargetGroups":[…]}' },
    ],
  }) as StackResourceDrift;

const targetGroup = (id: string, arn: string, differences: Array<[string, string, string]> = []): StackResourceDrift =>
  ({
    LogicalResourceId: id,
    PhysicalResourceId: arn,
    ResourceType: 'AWS::ElasticLoadBalancingV2::TargetGroup',
    StackResourceDriftStatus: differences.length ? 'MODIFIED' : 'IN_SYNC',
    PropertyDifferences: differences.map(([PropertyPath, ExpectedValue, ActualValue]) => ({
      PropertyPath,
      ExpectedValue,
      ActualValue,
      DifferenceType: 'NOT_EQUAL',
    })),
  }) as StackResourceDrift;

const inSync = (id: string, type: string): StackResourceDrift =>
  ({ LogicalResourceId: id, PhysicalResourceId: id, ResourceType: type, StackResourceDriftStatus: 'IN_SYNC' }) as any;

describe('what drift detection leaves to ECS', () => {
  test('the same resources as the day-2 model, for blue/green and rolling alike', () => {
    for (const template of [blueGreen, rolling]) {
      const mine = ecsOwnedResources(template).filter((o) => o.id !== testRule);
      expect(mine.map(({ id, owns }) => ({ id, owns }))).toEqual(ecsOwned(template));
    }
    // Rolling keeps the groups, rules and advanced configuration: what blue/green left behind stays ECS's.
    expect(ecsOwned(blueGreen).length).toBe(3);
    expect(ecsOwned(rolling).length).toBe(3);
  });

  test('also the test listener rule, which ECS shifts over the same two target groups', () => {
    expect(ecsOwnedResources(blueGreen).find((o) => o.id === testRule)).toEqual({
      id: testRule,
      owns: 'Actions (test traffic over both target groups)',
      property: 'Actions',
      targetGroups: [primary, alternate],
    });
  });

  test("leaves out ECS's weights and registrations, and reports everything else with its property paths", () => {
    // GIVEN a blue/green service after a deployment: both rules weighted within their pair, tasks moved between
    // the groups, and two changes nobody owns: a health check path and the task definition's memory
    const records = [
      ruleRewritten(rule),
      ruleRewritten(testRule, weighted([PRIMARY_ARN, 100], [ALTERNATE_ARN, 0])),
      targetGroup(primary, PRIMARY_ARN, [['/Targets', '[]', '[{"Id":"10.0.1.5","Port":8080}]']]),
      targetGroup(alternate, ALTERNATE_ARN, [
        ['/Targets/0/Id', '10.0.1.5', '10.0.2.7'],
        ['/HealthCheckPath', '/healthz', '/'],
      ]),
      {
        ...inSync(taskDefinition, 'AWS::ECS::TaskDefinition'),
        StackResourceDriftStatus: 'MODIFIED',
        PropertyDifferences: [
          { PropertyPath: '/Memory', ExpectedValue: '512', ActualValue: '1024', DifferenceType: 'NOT_EQUAL' },
        ],
      } as StackResourceDrift,
    ];
    // WHEN the real drift is kept
    const { drifted, ignored } = realDrift(records, blueGreen);
    // THEN only the health check and the memory remain; the 2 + 2 rule differences and 2 registrations are left out
    expect(ignored).toBe(6);
    expect(drifted).toEqual([
      {
        logicalId: alternate,
        type: 'AWS::ElasticLoadBalancingV2::TargetGroup',
        status: 'MODIFIED',
        differences: [{ path: '/HealthCheckPath', type: 'NOT_EQUAL', expected: '/healthz', actual: '/' }],
      },
      {
        logicalId: taskDefinition,
        type: 'AWS::ECS::TaskDefinition',
        status: 'MODIFIED',
        differences: [{ path: '/Memory', type: 'NOT_EQUAL', expected: '512', actual: '1024' }],
      },
    ]);
  });

  test.each([
    ['forwards to a target group outside its pair', weighted([PRIMARY_ARN, 50], [FOREIGN_ARN, 50])],
    [
      'answers with a fixed response',
      JSON.stringify({ Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '503' } }] }),
    ],
    ['reads as no JSON at all', 'not json'],
  ])('reports the production rule when it %s: that is no shift of ECS', (_case, actual) => {
    const { drifted, ignored } = realDrift(
      [ruleRewritten(rule, actual), targetGroup(primary, PRIMARY_ARN), targetGroup(alternate, ALTERNATE_ARN)],
      blueGreen,
    );
    expect(ignored).toBe(0);
    expect(drifted.map((d) => [d.logicalId, d.differences.map((x) => x.path)])).toEqual([
      [rule, ['/Actions/0/TargetGroupArn', '/Actions/0/ForwardConfig']],
    ]);
  });

  test('reports a rule change ECS does not make beside the weights it does, and any deleted resource', () => {
    const rewritten = ruleRewritten(rule);
    const records = [
      {
        ...rewritten,
        PropertyDifferences: [
          ...rewritten.PropertyDifferences!,
          { PropertyPath: '/Priority', ExpectedValue: '10', ActualValue: '1', DifferenceType: 'NOT_EQUAL' },
        ],
      } as StackResourceDrift,
      targetGroup(primary, PRIMARY_ARN),
      { ...targetGroup(alternate, ALTERNATE_ARN), StackResourceDriftStatus: 'DELETED' } as StackResourceDrift,
    ];
    const { drifted, ignored } = realDrift(records, blueGreen);
    expect(ignored).toBe(2);
    expect(drifted.map((d) => [d.logicalId, d.status, d.differences.map((x) => x.path)])).toEqual([
      [rule, 'MODIFIED', ['/Priority']],
      [alternate, 'DELETED', []],
    ]);
  });

  test('leaves nothing out of a service with no advanced configuration: ECS owns no rule there', () => {
    // GIVEN the service as it would be without ECS's blue/green configuration
    const plain = structuredClone(blueGreen);
    for (const lb of plain.Resources[idOfType('AWS::ECS::Service')].Properties.LoadBalancers) {
      delete lb.AdvancedConfiguration;
    }
    const records = [ruleRewritten(rule), targetGroup(primary, PRIMARY_ARN), targetGroup(alternate, ALTERNATE_ARN)];
    // WHEN ECS-like changes show THEN they are all reported
    expect(ecsOwnedResources(plain)).toEqual([]);
    const { drifted, ignored } = realDrift(records, plain);
    expect([drifted.map((d) => d.logicalId), ignored]).toEqual([[rule], 0]);
    expect(realDrift(records, blueGreen)).toEqual({ drifted: [], ignored: 2 });
  });
});

const BOOTSTRAP_TEMPLATE = parse(
  readFileSync(path.join(PROJECT_ROOT, 'node_modules/aws-cdk/lib/api/bootstrap/bootstrap-template.yaml'), 'utf8'),
);

/**
 * The lookup role's trust policy in `account` as CloudFormation would resolve the CDK CLI's own bootstrap template
 * with the parameters `cdk bootstrap --trust-for-lookup` and `--trust` set (Ref, Fn::If, Fn::Equals, Fn::Not,
 * Fn::Join, Fn::Sub of pseudo parameters: all it uses there).
 */
function lookupRoleTrust(account: string, trusted: string[]): any {
  const parameters: Record<string, unknown> = {
    'AWS::AccountId': account,
    'AWS::Partition': 'aws',
    TrustedAccountsForLookup: trusted,
    TrustedAccounts: trusted,
    DenyExternalId: 'true',
  };
  const NO_VALUE = Symbol('AWS::NoValue');
  const resolve = (value: any): any => {
    if (Array.isArray(value)) return value.map(resolve).filter((v) => v !== NO_VALUE);
    if (!value || typeof value !== 'object') return value;
    if ('Ref' in value) return value.Ref === 'AWS::NoValue' ? NO_VALUE : parameters[value.Ref];
    if ('Fn::If' in value) {
      const [condition, then, otherwise] = value['Fn::If'];
      return resolve(resolve(BOOTSTRAP_TEMPLATE.Conditions[condition]) ? then : otherwise);
    }
    if ('Fn::Equals' in value) {
      const [a, b] = resolve(value['Fn::Equals']);
      return JSON.stringify(a) === JSON.stringify(b);
    }
    if ('Fn::Not' in value) return !resolve(value['Fn::Not'][0]);
    if ('Fn::Join' in value) return resolve(value['Fn::Join'][1]).join(value['Fn::Join'][0]);
    if ('Fn::Sub' in value) return value['Fn::Sub'].replace(/\$\{([\w:]+)\}/g, (_: string, k: string) => parameters[k]);
    const entries = Object.entries(value).map(([k, v]) => [k, resolve(v)] as const);
    return Object.fromEntries(entries.filter(([, v]) => v !== NO_VALUE));
  };
  return resolve(BOOTSTRAP_TEMPLATE.Resources.LookupRole.Properties.AssumeRolePolicyDocument);
}

describe('which stacks drift detection checks, and as whom', () => {
  test("every stack the app deploys, in its own account, through that account's CDK lookup role", () => {
    // GIVEN an app with two environments in two accounts
    const config = configWith((json) =>
      json.environments.push({ name: 'staging', account: '444444444444', requireApproval: false }),
    );
    const { app } = buildDeliveryApp(newProjectApp(), config, 'sha-0123456789abcdef');
    const deployed = app.node
      .findAll()
      .filter(Stack.isStack)
      .map((s) => [s.stackName, s.account]);
    // WHEN drift detection lists its targets THEN they are exactly the app's stacks
    const targets = driftTargets(config).map((t) => [t.stackName, t.account]);
    expect(targets.slice().sort()).toEqual(deployed.slice().sort());
    expect(targets).toHaveLength(7);
    expect(lookupRoleArn('aws', '444444444444', 'us-east-2')).toBe(
      'arn:aws:iam::444444444444:role/cdk-hnb659fds-lookup-role-444444444444-us-east-2',
    );
  });

  test('the lookup role the CDK CLI bootstraps is ReadOnlyAccess (with cloudformation:Detect*), and trusts the tooling account', () => {
    const role = BOOTSTRAP_TEMPLATE.Resources.LookupRole.Properties;
    expect(role.RoleName).toEqual({ 'Fn::Sub': 'cdk-${Qualifier}-lookup-role-${AWS::AccountId}-${AWS::Region}' });
    expect(BOOTSTRAP_TEMPLATE.Parameters.Qualifier.Default).toBe('hnb659fds');
    expect(role.ManagedPolicyArns).toEqual([{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/ReadOnlyAccess' }]);
    // Its only inline statement denies kms:Decrypt, which no drift detection of these stacks' resources needs.
    expect(role.Policies.flatMap((p: any) => p.PolicyDocument.Statement)).toEqual([
      { Sid: 'DontReadSecrets', Effect: 'Deny', Action: ['kms:Decrypt'], Resource: '*' },
    ]);
    // npm run bootstrap lets the tooling account look up in every other account.
    const config = configWith();
    for (const target of bootstrapTargets(config).filter((t) => t.account !== config.toolingAccount)) {
      expect(target.command.join(' ')).toContain(`--trust-for-lookup ${config.toolingAccount}`);
    }
  });

  test('the drift role may assume each lookup role and nothing else, trusted only to its own environment', async () => {
    // GIVEN the drift role as deployed, with the tooling account's boundary, and each lookup role's trust as the
    // CDK CLI's bootstrap template writes it with the parameters npm run bootstrap passes
    const config = configWith();
    const github = DeployedStack.of(buildDeliveryApp(newProjectApp(), config, 'sha-0123456789abcdef').github!);
    const [driftRole] = github.ofType('AWS::IAM::Role').filter((id) => id.startsWith('DriftRole'));
    const boundary = bootstrapTargets(config).find((t) => t.account === config.toolingAccount)!.boundary;
    const assume = (resource: string) => {
      const account = resource.split(':')[4];
      return decide({
        principal: github.arnOf(driftRole),
        action: 'sts:AssumeRole',
        resource,
        resourceAccount: account,
        identityPolicies: github.identityPolicies(driftRole),
        permissionsBoundary: boundary,
        resourcePolicy: lookupRoleTrust(account, account === config.toolingAccount ? [] : [config.toolingAccount]),
      });
    };
    // WHEN it assumes each account's lookup role, and then other bootstrap roles
    // THEN each lookup role lets it in, and nothing else does
    for (const target of driftTargets(config)) {
      expect([target.account, await assume(lookupRoleArn('aws', target.account, config.region))]).toEqual([
        target.account,
        'Allowed',
      ]);
    }
    for (const other of ['deploy', 'cfn-exec']) {
      const arn = `arn:aws:iam::333333333333:role/cdk-hnb659fds-${other}-role-333333333333-us-east-2`;
      expect([other, await assume(arn)]).toEqual([other, 'ImplicitlyDenied']);
    }
    expect(JSON.stringify(github.trustPolicy(driftRole))).toContain(
      `repo:my-org/hello-privatelink:environment:${DRIFT_ENVIRONMENT}`,
    );
  });
});

/** A stand-in for CloudFormation's drift calls, played per call as given. */
function fakeCloudFormation(answer: (name: string, input: Record<string, any>) => unknown) {
  const calls: string[] = [];
  const api: CloudFormationApi = {
    send: (async (command: { input: Record<string, any> }) => {
      const name = command.constructor.name.replace(/Command$/, '');
      calls.push(name);
      const out = answer(name, command.input);
      if (out instanceof Error) throw out;
      return out;
    }) as CloudFormationApi['send'],
  };
  return { api, calls };
}

/** A clock that advances by each sleep, so timeouts need no real waiting. */
function virtualClock() {
  let t = 0;
  return { now: () => t, sleep: async (ms: number) => void (t += ms) };
}

const TARGET = { stackName: 'p-production-service', account: '333333333333' };

describe('drift detection on one stack', () => {
  test('gives up at the deadline, naming the detection still in progress, after polling every 5 s', async () => {
    const { api, calls } = fakeCloudFormation((name) =>
      name === 'DetectStackDrift' ? { StackDriftDetectionId: 'd-1' } : { DetectionStatus: 'DETECTION_IN_PROGRESS' },
    );
    const clock = virtualClock();
    const report = await detectStackDrift(api, TARGET, { deadline: 60_000, ...clock });
    expect(report.failure).toBe('detection d-1 still in progress at the end of the time budget (--timeout)');
    expect(clock.now()).toBe(60_000);
    expect(calls.filter((c) => c === 'DescribeStackDriftDetectionStatus')).toHaveLength(13);
  });

  test('reads no resource drifts of a stack in sync', async () => {
    const { api, calls } = fakeCloudFormation((name) =>
      name === 'DetectStackDrift'
        ? { StackDriftDetectionId: 'd-1' }
        : { DetectionStatus: 'DETECTION_COMPLETE', StackDriftStatus: 'IN_SYNC' },
    );
    const report = await detectStackDrift(api, TARGET, { deadline: 60_000, ...virtualClock() });
    expect(report).toEqual({ target: TARGET, drifted: [], ignored: 0, failure: undefined });
    expect(calls).toEqual(['DetectStackDrift', 'DescribeStackDriftDetectionStatus']);
  });

  test('says a missing stack is not deployed, and calls nothing more', async () => {
    const { api, calls } = fakeCloudFormation(() =>
      Object.assign(new Error('Stack with id p-production-service does not exist'), { name: 'ValidationError' }),
    );
    expect(await detectStackDrift(api, TARGET, { deadline: 60_000, ...virtualClock() })).toEqual({
      target: TARGET,
      missing: true,
      drifted: [],
      ignored: 0,
    });
    expect(calls).toEqual(['DetectStackDrift']);
  });

  test('reads every page, the template only when a rule or target group drifted, and reports a partial detection', async () => {
    // GIVEN a detection that failed for part of the stack, and resource drifts over two pages
    const pages: Record<string, { StackResourceDrifts: StackResourceDrift[]; NextToken?: string }> = {
      first: {
        StackResourceDrifts: [
          ruleRewritten(rule),
          targetGroup(primary, PRIMARY_ARN),
          inSync('Service', 'AWS::ECS::Service'),
        ],
        NextToken: 'second',
      },
      second: {
        StackResourceDrifts: [
          targetGroup(alternate, ALTERNATE_ARN, [['/Port', '8080', '80']]),
          inSync(taskDefinition, 'AWS::ECS::TaskDefinition'),
        ],
      },
    };
    const { api, calls } = fakeCloudFormation((name, input) => {
      if (name === 'DetectStackDrift') return { StackDriftDetectionId: 'd-1' };
      if (name === 'DescribeStackDriftDetectionStatus') {
        return {
          DetectionStatus: 'DETECTION_FAILED',
          DetectionStatusReason: 'Failed to detect drift on resource [VerifierInlineFunction]',
          StackDriftStatus: 'DRIFTED',
        };
      }
      if (name === 'DescribeStackResourceDrifts') return pages[input.NextToken ?? 'first'];
      if (name === 'GetTemplate') return { TemplateBody: JSON.stringify(blueGreen) };
      return new Error(`unexpected ${name}`);
    });
    // WHEN it runs
    const report = await detectStackDrift(api, TARGET, { deadline: 60_000, ...virtualClock() });
    // THEN the rule's weights are left out, the port is drift, and the part not checked is said
    expect(calls).toEqual([
      'DetectStackDrift',
      'DescribeStackDriftDetectionStatus',
      'DescribeStackResourceDrifts',
      'DescribeStackResourceDrifts',
      'GetTemplate',
    ]);
    expect(report.ignored).toBe(2);
    expect(report.drifted.map((d) => [d.logicalId, d.differences.map((x) => x.path)])).toEqual([
      [alternate, ['/Port']],
    ]);
    expect(report.failure).toBe(
      'detection failed for part of the stack: Failed to detect drift on resource [VerifierInlineFunction]',
    );
    expect(formatReport([report])).toEqual({
      code: EXIT_DRIFTED,
      lines: [
        `p-production-service (333333333333): 1 drifted resource(s); 2 difference(s) ECS owns by design left out`,
        `  p-production-service/${alternate} (AWS::ElasticLoadBalancingV2::TargetGroup) modified: /Port expected 8080, actual 80`,
        'p-production-service (333333333333): not checked: detection failed for part of the stack: Failed to detect drift on resource [VerifierInlineFunction]',
        'drift: 1 drifted resource(s) in 1 of 1 deployed stack(s)',
      ],
    });
  });

  test('names a refused call and its reason in the one line of a stack it could not check', async () => {
    const { api } = fakeCloudFormation(() =>
      Object.assign(new Error('User: arn:aws:sts::1:assumed-role/x is not authorized to perform: sts:AssumeRole'), {
        name: 'AccessDenied',
      }),
    );
    const report = await detectStackDrift(api, TARGET, { deadline: 60_000, ...virtualClock() });
    expect(formatReport([report])).toEqual({
      code: EXIT_FAILED,
      lines: [
        'p-production-service (333333333333): not checked: CloudFormation DetectStackDrift failed: AccessDenied: ' +
          'User: arn:aws:sts::1:assumed-role/x is not authorized to perform: sts:AssumeRole',
        'drift: 1 of 1 deployed stack(s) not checked; no drift in the rest',
      ],
    });
  });
});

/** XML as the query protocol answers: objects as elements, arrays as members, text escaped. */
function xml(value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => `<member>${xml(v)}</member>`).join('');
  if (value && typeof value === 'object') {
    return Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `<${k}>${xml(v)}</${k}>`)
      .join('');
  }
  return String(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** How one stack answers: not deployed, or its resource drifts (none: in sync) and its template. */
interface StackScript {
  readonly missing?: boolean;
  readonly drifts?: StackResourceDrift[];
  readonly template?: object;
}

interface StandIn {
  readonly endpoint: string;
  /** `Action account stack`, in order: the account is the one whose lookup role signed the call. */
  readonly calls: string[];
  /** The roles assumed. */
  readonly assumed: string[];
  stop(): Promise<void>;
}

/**
 * A loopback stand-in for STS and CloudFormation, which moto serves without drift detection: AssumeRole hands out
 * a key naming the role's account, and each CloudFormation call is answered for the stack it names, in the account
 * whose key signed it. Roles in `refuse` are refused, as IAM would refuse an untrusted caller.
 */
async function startStandIn(stacks: Record<string, StackScript>, refuse: string[] = []): Promise<StandIn> {
  const calls: string[] = [];
  const assumed: string[] = [];
  const roles = new Map<string, string>();
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const input = Object.fromEntries(new URLSearchParams(body));
      const action = input.Action;
      const key = /Credential=([^/]+)\//.exec(String(request.headers.authorization))?.[1] ?? '';
      const reply = (status: number, text: string) => {
        response.writeHead(status, { 'content-type': 'text/xml' });
        response.end(text);
      };
      const ok = (namespace: string, result: unknown) =>
        reply(
          200,
          `<${action}Response xmlns="${namespace}"><${action}Result>${xml(result)}</${action}Result></${action}Response>`,
        );
      const error = (status: number, namespace: string, code: string, message: string) =>
        reply(
          status,
          `<ErrorResponse xmlns="${namespace}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${xml(message)}</Message></Error><RequestId>1</RequestId></ErrorResponse>`,
        );
      if (action === 'AssumeRole') {
        const sts = 'https://sts.amazonaws.com/doc/2011-06-15/';
        assumed.push(input.RoleArn);
        if (refuse.includes(input.RoleArn)) {
          return error(
            403,
            sts,
            'AccessDenied',
            `User: ${key} is not authorized to perform: sts:AssumeRole on resource: ${input.RoleArn}`,
          );
        }
        const accessKey = `ASIA${input.RoleArn.split(':')[4]}`;
        roles.set(accessKey, input.RoleArn);
        return ok(sts, {
          Credentials: {
            AccessKeyId: accessKey,
            SecretAccessKey: 'secret',
            SessionToken: 'token',
            Expiration: '2099-01-01T00:00:00Z',
          },
          AssumedRoleUser: { Arn: `${input.RoleArn}/drift`, AssumedRoleId: 'AROA:drift' },
        });
      }
      const cfn = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
      const role = roles.get(key);
      const account = role?.split(':')[4] ?? `unknown key ${key}`;
      const stackName = input.StackName ?? input.StackDriftDetectionId?.replace(/^detection-/, '');
      calls.push(`${action} ${account} ${stackName}`);
      const script = stacks[stackName];
      if (!script || script.missing)
        return error(400, cfn, 'ValidationError', `Stack with id ${stackName} does not exist`);
      switch (action) {
        case 'DetectStackDrift':
          return ok(cfn, { StackDriftDetectionId: `detection-${stackName}` });
        case 'DescribeStackDriftDetectionStatus':
          return ok(cfn, {
            StackId: `arn:aws:cloudformation:us-east-2:${account}:stack/${stackName}/1`,
            StackDriftDetectionId: input.StackDriftDetectionId,
            DetectionStatus: 'DETECTION_COMPLETE',
            StackDriftStatus: script.drifts?.length ? 'DRIFTED' : 'IN_SYNC',
            Timestamp: '2026-01-01T00:00:00Z',
          });
        case 'DescribeStackResourceDrifts':
          return ok(cfn, { StackResourceDrifts: script.drifts ?? [] });
        case 'GetTemplate':
          return ok(cfn, { TemplateBody: JSON.stringify(script.template ?? {}) });
        default:
          return error(400, cfn, 'InvalidAction', `the stand-in does not serve ${action}`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    assumed,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

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
        `${names.registry} (222222222222): in sync`,
        `${names.network} (333333333333): 1 drifted resource(s)`,
        `  ${names.network}/LoadBalancerSecurityGroup (AWS::EC2::SecurityGroup) modified: /SecurityGroupIngress/1 added: {"CidrIp":"0.0.0.0/0","FromPort":22,"IpProtocol":"tcp","ToPort":22}`,
        `${names.service} (333333333333): in sync; 5 difference(s) ECS owns by design left out`,
        `${names.pipeline} (111111111111): 1 drifted resource(s)`,
        `  ${names.pipeline}/SourceBucketPolicy (AWS::S3::BucketPolicy) deleted`,
        `${names.github} (111111111111): not deployed, nothing to compare`,
        'drift: 2 drifted resource(s) in 2 of 4 deployed stack(s)',
      ]);
      // AND each stack was examined in its own account, through that account's lookup role, with no other call
      expect([...new Set(standIn.assumed)].sort()).toEqual(
        ['111111111111', '222222222222', '333333333333'].map((a) => lookupRoleArn('aws', a, 'us-east-2')),
      );
      const where = new Set(standIn.calls.map((c) => c.split(' ').slice(1).join(' ')));
      expect([...where].sort()).toEqual(
        [
          `111111111111 ${names.github}`,
          `111111111111 ${names.pipeline}`,
          `222222222222 ${names.registry}`,
          `333333333333 ${names.network}`,
          `333333333333 ${names.service}`,
        ].sort(),
      );
      expect(standIn.calls.filter((c) => c.startsWith('GetTemplate'))).toEqual([
        `GetTemplate 333333333333 ${names.service}`,
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
      [lookupRoleArn('aws', '222222222222', 'us-east-2')],
    );
    try {
      const result = await run([], standIn.endpoint);
      expect(result.code).toBe(EXIT_FAILED);
      const lines = result.stdout.trim().split('\n');
      expect(lines.find((l) => l.startsWith(names.registry))).toMatch(
        /^hello-privatelink-registry \(222222222222\): not checked: STS AssumeRole of arn:aws:iam::222222222222:role\/cdk-hnb659fds-lookup-role-222222222222-us-east-2 failed: AccessDenied: .*not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::222222222222:role\/cdk-hnb659fds-lookup-role-222222222222-us-east-2$/,
      );
      expect(lines.pop()).toBe('drift: 1 of 5 deployed stack(s) not checked; no drift in the rest');
      // One refused AssumeRole, and no CloudFormation call in that account
      const registryRole = lookupRoleArn('aws', '222222222222', 'us-east-2');
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
