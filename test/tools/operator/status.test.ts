// `npm run status` as an operator runs it: against moto (STS, CloudFormation, ECS services and task definitions,
// CloudWatch alarms), and a loopback stand-in for what moto lacks (ECS's service deployments, CodePipeline's state),
// with every AWS call recorded to show which role made it.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest, type Server as HttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CloudFormationClient, CreateStackCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { ECSClient, RegisterTaskDefinitionCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import type { StageState } from '@aws-sdk/client-codepipeline';
import { buildDeliveryApp } from '../../../pipeline/build-app';
import { AWS_CLIENT_BOUNDS, callBoundSeconds } from '../../../tools/cli/aws';
import { lookupRoleArn } from '../../../tools/operator/lookup-role';
import { environmentStages } from '../../../tools/operator/status-pipeline';
import type { StatusReport } from '../../../tools/operator/status-report';
import { renderScreen } from '../../../tools/operator/status-screen';
import { alarmLabel, deploymentStatus, imageTag } from '../../../tools/operator/status-service';
import { PROJECT_ROOT, configWith, defaultConfigJson, newProjectApp } from '../../helpers/cdk';
import { motoCredentials, startMoto, type Moto } from '../../helpers/moto';
import { runTool, type ToolRun } from '../../helpers/run-tool';

const SCRIPT = 'tools/operator/status.ts';
const REGION = 'us-east-2';
const TOOLING = '111111111111';
const PRODUCTION = '333333333333';
const STAGING = '444444444444';
const NEW_TAG = 'sha-0123456789abcdef';
const OLD_TAG = 'sha-fedcba9876543210';
const REPOSITORY = '222222222222.dkr.ecr.us-east-2.amazonaws.com/hello-privatelink';
const URL = 'http://hello-Publi-1ABC2DEF3GHI-123456789.us-east-2.elb.amazonaws.com';
const SERVICE_STACK = 'hello-privatelink-production-service';
/** The alarm names CloudFormation gives the service stack's two alarms: stack, logical id with CDK's hash, suffix. */
const ALARM_5XX = `${SERVICE_STACK}-Target5xxAlarm8F1E2D3C-1A2B3C4D5E6F`;
const ALARM_UNHEALTHY = `${SERVICE_STACK}-UnhealthyTasksAlarm0A1B2C3D-6F5E4D3C2B1A`;
const RECORDER = path.join(PROJECT_ROOT, 'test/helpers/aws-call-recorder.js');

const dir = mkdtempSync(path.join(tmpdir(), 'status-'));
/** Production in one workload account, a staging environment in another that was never deployed. */
const configFile = path.join(dir, 'deploy.json');
writeFileSync(
  configFile,
  JSON.stringify({
    ...defaultConfigJson(),
    environments: [
      { name: 'production', account: PRODUCTION, requireApproval: true },
      { name: 'staging', account: STAGING, requireApproval: false, service: { deploymentStrategy: 'rolling' } },
    ],
    profiles: { [TOOLING]: 'tooling', '222222222222': 'account-a', [PRODUCTION]: 'account-b', [STAGING]: 'account-c' },
  }),
);

/** One call as test/helpers/aws-call-recorder.js writes it. */
interface AwsCallRecord {
  client: string;
  command: string;
  input: Record<string, any>;
  accessKeyId?: string;
  assumed?: { accessKeyId: string };
  error?: string;
}

const at = (iso: string) => Date.parse(iso) / 1000;
const DEPLOYMENT_ARN = (id: string) => `arn:aws:ecs:${REGION}:${PRODUCTION}:service-deployment/cluster/service/${id}`;

/**
 * The stand-in: CodePipeline's GetPipelineState and ListPipelineExecutions, and ECS's ListServiceDeployments and
 * DescribeServiceDeployments (JSON 1.1, as AWS answers them); every other ECS call goes on to moto.
 */
function standIn(motoEndpoint: string, state: { denyDeployments: boolean; requests: Array<Record<string, any>> }) {
  const answer = (operation: string, input: Record<string, any>): [number, unknown] => {
    state.requests.push({ operation, ...input });
    switch (operation) {
      case 'ListServiceDeployments':
        if (state.denyDeployments) {
          return [
            400,
            {
              __type: 'AccessDeniedException',
              message: `User: arn:aws:sts::${PRODUCTION}:assumed-role/cdk-hnb659fds-lookup-role-${PRODUCTION}-${REGION}/npm-run-status is not authorized to perform: ecs:ListServiceDeployments with an explicit deny in a service control policy`,
            },
          ];
        }
        // The older one first: the newest is found by its creation time, not by its place in the list.
        return [
          200,
          {
            serviceDeployments: [
              {
                serviceDeploymentArn: DEPLOYMENT_ARN('good'),
                status: 'SUCCESSFUL',
                createdAt: at('2026-04-30T09:00:00Z'),
                finishedAt: at('2026-04-30T09:06:00Z'),
              },
              {
                serviceDeploymentArn: DEPLOYMENT_ARN('bad'),
                status: 'ROLLBACK_SUCCESSFUL',
                createdAt: at('2026-05-01T12:03:00Z'),
                startedAt: at('2026-05-01T12:03:00Z'),
                finishedAt: at('2026-05-01T12:09:00Z'),
                statusReason: 'Service deployment rolled back because of a CloudWatch alarm.',
              },
            ],
          },
        ];
      case 'DescribeServiceDeployments':
        return [
          200,
          {
            serviceDeployments: input.serviceDeploymentArns.map((arn: string) => ({
              serviceDeploymentArn: arn,
              status: 'ROLLBACK_SUCCESSFUL',
              statusReason: 'Service deployment rolled back because of a CloudWatch alarm.',
              createdAt: at('2026-05-01T12:03:00Z'),
              startedAt: at('2026-05-01T12:03:00Z'),
              finishedAt: at('2026-05-01T12:09:00Z'),
              alarms: {
                status: 'TRIGGERED',
                alarmNames: [ALARM_5XX, ALARM_UNHEALTHY],
                triggeredAlarmNames: [ALARM_5XX],
              },
              deploymentCircuitBreaker: { status: 'MONITORING_COMPLETE', failureCount: 0, threshold: 3 },
              rollback: {
                reason: 'rolled back to the service revision of 2026-04-30',
                startedAt: at('2026-05-01T12:07:00Z'),
              },
            })),
          },
        ];
      case 'GetPipelineState':
        return [200, { pipelineName: input.name, stageStates: PIPELINE_STATE }];
      case 'ListPipelineExecutions':
        return [
          200,
          {
            pipelineExecutionSummaries: [
              {
                pipelineExecutionId: 'e7b1c2d3-0000-4000-8000-000000000003',
                status: 'Failed',
                startTime: at('2026-05-01T12:00:00Z'),
                lastUpdateTime: at('2026-05-01T12:10:00Z'),
                sourceRevisions: [{ actionName: 'Source', revisionId: 'v3' }],
              },
              {
                pipelineExecutionId: 'a0000000-0000-4000-8000-000000000002',
                status: 'Succeeded',
                startTime: at('2026-04-30T09:00:00Z'),
              },
            ],
          },
        ];
      default:
        return [400, { __type: 'UnknownOperationException', message: `the stand-in does not serve ${operation}` }];
    }
  };
  return createHttpServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const operation =
        String(request.headers['x-amz-target'] ?? '')
          .split('.')
          .pop() ?? '';
      if (['DescribeServices', 'DescribeTaskDefinition'].includes(operation)) {
        // moto serves these.
        const forward = httpRequest(
          `${motoEndpoint}${request.url}`,
          { method: request.method, headers: request.headers },
          (reply) => {
            response.writeHead(reply.statusCode ?? 500, reply.headers);
            reply.pipe(response);
          },
        );
        forward.on('error', () => response.destroy());
        forward.end(body);
        return;
      }
      const [status, payload] = answer(operation, body.length ? JSON.parse(body.toString()) : {});
      response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify(payload));
    });
  });
}

const actionState = (actionName: string, status?: string, lastStatusChange?: string, message?: string) => ({
  actionName,
  ...(status
    ? {
        latestExecution: {
          status,
          lastStatusChange: at(lastStatusChange!),
          ...(message ? { errorDetails: { code: 'JobFailed', message } } : {}),
        },
      }
    : {}),
});
const EXECUTION = 'e7b1c2d3-0000-4000-8000-000000000003';
/** The pipeline as CDK Pipelines builds it for two environments, after an execution whose service deploy failed. */
const PIPELINE_STATE = [
  {
    stageName: 'Foundation',
    latestExecution: { pipelineExecutionId: EXECUTION, status: 'Succeeded' },
    actionStates: [
      actionState('Registry.hello-privatelink-registry.Deploy', 'Succeeded', '2026-05-01T12:01:00Z'),
      actionState('ProductionNetwork.hello-privatelink-production-network.Deploy', 'Succeeded', '2026-05-01T12:02:00Z'),
      actionState('Registry.PublishImage', 'Succeeded', '2026-05-01T12:02:30Z'),
    ],
  },
  {
    stageName: 'ProductionService',
    latestExecution: { pipelineExecutionId: EXECUTION, status: 'Failed' },
    actionStates: [
      actionState('Approve-production', 'Succeeded', '2026-05-01T12:03:00Z'),
      actionState(
        'hello-privatelink-production-service.Deploy',
        'Failed',
        '2026-05-01T12:10:00Z',
        'Resource handler returned message: "ECS Deployment Circuit Breaker was triggered"',
      ),
      actionState('SmokeTest-production'),
    ],
  },
  { stageName: 'StagingNetwork', actionStates: [actionState('Deploy')] },
  { stageName: 'StagingService', actionStates: [actionState('hello-privatelink-staging-service.Deploy')] },
];

describe('status against moto and a stand-in for what moto lacks', () => {
  let moto: Moto | undefined;
  let server: HttpServer | undefined;
  const state = { denyDeployments: false, requests: [] as Array<Record<string, any>> };
  let serviceArn = '';
  let runs = 0;

  /** Runs status as the operator (moto's default credentials in the tooling account), recording every AWS call. */
  async function status(args: string[]): Promise<ToolRun & { calls: AwsCallRecord[] }> {
    const log = path.join(dir, `calls-${++runs}.jsonl`);
    const standInUrl = `http://127.0.0.1:${(server!.address() as { port: number }).port}`;
    const run = await runTool(SCRIPT, ['--config', configFile, ...args], {
      NODE_OPTIONS: `--require ${RECORDER}`,
      AWS_CALL_LOG: log,
      AWS_ENDPOINT_URL: moto!.endpoint,
      AWS_ENDPOINT_URL_ECS: standInUrl,
      AWS_ENDPOINT_URL_CODEPIPELINE: standInUrl,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_PROFILE: '',
      AWS_CONFIG_FILE: path.join(dir, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'no-credentials'),
    });
    const calls = existsSync(log)
      ? readFileSync(log, 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as AwsCallRecord)
      : [];
    return { ...run, calls };
  }

  beforeAll(async () => {
    moto = await startMoto();
    server = standIn(moto.endpoint, state);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    // GIVEN production's stacks as CloudFormation left them, in its own account
    const as = {
      region: REGION,
      endpoint: moto.endpoint,
      credentials: await motoCredentials(moto.endpoint, `arn:aws:iam::${PRODUCTION}:role/admin`),
    };
    const cloudformation = new CloudFormationClient(as);
    await cloudformation.send(
      new CreateStackCommand({
        StackName: 'hello-privatelink-production-network',
        TemplateBody: JSON.stringify({
          Resources: { Handle: { Type: 'AWS::CloudFormation::WaitConditionHandle' } },
          Outputs: { ExternalUrl: { Value: URL } },
        }),
      }),
    );
    const container = (tag: string) => ({ Name: 'web', Image: `${REPOSITORY}:${tag}`, Memory: 512 });
    await cloudformation.send(
      new CreateStackCommand({
        StackName: SERVICE_STACK,
        TemplateBody: JSON.stringify({
          Resources: {
            Cluster: { Type: 'AWS::ECS::Cluster' },
            TaskDefinitionB66D1CC5: {
              Type: 'AWS::ECS::TaskDefinition',
              Properties: { Family: 'service', ContainerDefinitions: [container(NEW_TAG)] },
            },
            ServiceD69D759B: {
              Type: 'AWS::ECS::Service',
              Properties: {
                Cluster: { Ref: 'Cluster' },
                TaskDefinition: { Ref: 'TaskDefinitionB66D1CC5' },
                DesiredCount: 2,
              },
            },
          },
          Outputs: { ImageTag: { Value: NEW_TAG } },
        }),
      }),
    );
    const resources = await cloudformation.send(new ListStackResourcesCommand({ StackName: SERVICE_STACK }));
    const physical = (type: string) =>
      resources.StackResourceSummaries!.find((r) => r.ResourceType === type)!.PhysicalResourceId!;
    serviceArn = physical('AWS::ECS::Service');
    // ... and ECS's rollback, which put the service back on the previous image while the stack says the new one
    const ecs = new ECSClient(as);
    const previous = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'service',
        containerDefinitions: [{ name: 'web', image: `${REPOSITORY}:${OLD_TAG}`, memory: 512 }],
      }),
    );
    await ecs.send(
      new UpdateServiceCommand({
        cluster: physical('AWS::ECS::Cluster'),
        service: serviceArn,
        taskDefinition: previous.taskDefinition!.taskDefinitionArn,
      }),
    );
    // ... and the two deployment alarms, the 5XX one in ALARM
    const cloudwatch = new CloudWatchClient(as);
    for (const AlarmName of [ALARM_5XX, ALARM_UNHEALTHY]) {
      await cloudwatch.send(
        new PutMetricAlarmCommand({
          AlarmName,
          Namespace: 'AWS/ApplicationELB',
          MetricName: 'HTTPCode_Target_5XX_Count',
          Statistic: 'Sum',
          Period: 60,
          EvaluationPeriods: 2,
          Threshold: 5,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        }),
      );
    }
    await cloudwatch.send(
      new SetAlarmStateCommand({ AlarmName: ALARM_5XX, StateValue: 'ALARM', StateReason: 'Threshold Crossed' }),
    );
    await cloudwatch.send(
      new SetAlarmStateCommand({ AlarmName: ALARM_UNHEALTHY, StateValue: 'OK', StateReason: 'ok' }),
    );
  }, 60_000);

  afterAll(async () => {
    await Promise.all([moto?.stop(), new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)))]);
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    state.denyDeployments = false;
    state.requests.length = 0;
  });

  /** The screen with the two times that depend on the clock (when it read, when moto set the alarm) as <time>. */
  const steady = (screen: string) =>
    screen
      .replace(/, read \d{4}-\d\d-\d\d \d\d:\d\d UTC as/, ', read <time> as')
      .replace(/ALARM since \d{4}-\d\d-\d\d \d\d:\d\d UTC/, 'ALARM since <time>');

  test('shows one block per environment: URL, image, deployment and why, alarms, and the pipeline', async () => {
    // WHEN the operator runs status
    const run = await status([]);
    // THEN it exits 0 and the screen says what runs where
    expect([run.code, run.stderr.split('\n').filter((l) => l.startsWith('status'))]).toEqual([0, []]);
    expect(steady(run.stdout.trimEnd()).split('\n')).toEqual([
      "hello-privatelink in us-east-2, read <time> as each account's CDK lookup role",
      'pipeline hello-privatelink (111111111111): last execution e7b1c2d3 Failed, started 2026-05-01 12:00 UTC, revision v3',
      '',
      'production (333333333333, blue-green)',
      `  url         ${URL}`,
      `  image       ${OLD_TAG}, 0 of 2 tasks running; the service stack's ImageTag is ${NEW_TAG}`,
      '  deployment  rolled back: alarm Target5xxAlarm triggered; rolled back to the service revision of 2026-04-30; ' +
        'Service deployment rolled back because of a CloudWatch alarm. (2026-05-01 12:09 UTC)',
      '  alarms      Target5xxAlarm ALARM since <time>, UnhealthyTasksAlarm OK',
      '  pipeline    ProductionNetwork  Succeeded, execution e7b1c2d3, 2026-05-01 12:02 UTC',
      '              ProductionService  Failed at hello-privatelink-production-service.Deploy: Resource handler ' +
        'returned message: "ECS Deployment Circuit Breaker was triggered", execution e7b1c2d3, 2026-05-01 12:10 UTC',
      '',
      'staging (444444444444, rolling)',
      '  stacks      not deployed: no hello-privatelink-staging-network or hello-privatelink-staging-service',
      '  pipeline    StagingNetwork  NeverRan',
      '              StagingService  NeverRan',
    ]);
    // ... and asked ECS about the service CloudFormation created, and about the newest of its deployments
    expect(state.requests.filter((r) => r.operation === 'ListServiceDeployments')).toEqual([
      expect.objectContaining({ service: serviceArn }),
    ]);
    expect(state.requests.find((r) => r.operation === 'DescribeServiceDeployments')).toMatchObject({
      serviceDeploymentArns: [DEPLOYMENT_ARN('bad')],
    });
  });

  test("reads as each account's CDK lookup role only, and only reads", async () => {
    const run = await status(['--json']);
    expect(run.code).toBe(0);
    // The operator's own credentials (moto's default key) only assume roles; every other call is signed by the
    // session of the lookup role of the account it reads.
    const sessions = new Map(
      run.calls.filter((c) => c.assumed).map((c) => [c.assumed!.accessKeyId, c.input.RoleArn as string]),
    );
    const assumed = run.calls.filter((c) => c.command === 'AssumeRoleCommand');
    expect(new Set(assumed.map((c) => c.input.RoleArn))).toEqual(
      new Set([TOOLING, PRODUCTION, STAGING].map((a) => lookupRoleArn('aws', a, REGION))),
    );
    expect(assumed.every((c) => c.accessKeyId === 'testing')).toBe(true);
    const reads = run.calls.filter((c) => c.command !== 'AssumeRoleCommand');
    expect(reads.length).toBeGreaterThan(5);
    const made = reads.map(
      (c) =>
        `${c.client.replace(/Client$/, '')} ${c.command.replace(/Command$/, '')} as ${sessions.get(c.accessKeyId ?? '')?.split(':')[4] ?? c.accessKeyId}`,
    );
    expect(new Set(made)).toEqual(
      new Set([
        `CodePipeline GetPipelineState as ${TOOLING}`,
        `CodePipeline ListPipelineExecutions as ${TOOLING}`,
        `CloudFormation DescribeStacks as ${PRODUCTION}`,
        `CloudFormation ListStackResources as ${PRODUCTION}`,
        `ECS DescribeServices as ${PRODUCTION}`,
        `ECS DescribeTaskDefinition as ${PRODUCTION}`,
        `ECS ListServiceDeployments as ${PRODUCTION}`,
        `ECS DescribeServiceDeployments as ${PRODUCTION}`,
        `CloudWatch DescribeAlarms as ${PRODUCTION}`,
        `CloudFormation DescribeStacks as ${STAGING}`,
      ]),
    );
    expect(reads.every((c) => /^(Describe|List|Get)/.test(c.command))).toBe(true);
  });

  test('--json prints the same report as the screen', async () => {
    const [json, screen] = await Promise.all([status(['--json']), status([])]);
    expect([json.code, screen.code]).toEqual([0, 0]);
    const report = JSON.parse(json.stdout) as StatusReport;
    // THEN the screen is exactly the JSON rendered, and the JSON carries the values, not their rendering
    expect(steady(renderScreen(report))).toBe(steady(screen.stdout.trimEnd()));
    const [production, staging] = report.environments;
    expect(production).toMatchObject({
      name: 'production',
      account: PRODUCTION,
      role: lookupRoleArn('aws', PRODUCTION, REGION),
      url: URL,
      image: { running: [{ tag: OLD_TAG, deployment: 'PRIMARY', desiredTasks: 2 }], stackOutput: NEW_TAG },
      deployment: {
        state: 'rolled back',
        ecsStatus: 'ROLLBACK_SUCCESSFUL',
        startedAt: '2026-05-01T12:03:00.000Z',
        finishedAt: '2026-05-01T12:09:00.000Z',
        arn: DEPLOYMENT_ARN('bad'),
      },
      alarms: [
        { name: ALARM_5XX, label: 'Target5xxAlarm', state: 'ALARM', reason: 'Threshold Crossed' },
        { name: ALARM_UNHEALTHY, label: 'UnhealthyTasksAlarm', state: 'OK' },
      ],
    });
    expect(staging).toMatchObject({
      stacks: {
        network: { name: 'hello-privatelink-staging-network', status: 'NOT_DEPLOYED' },
        service: { name: 'hello-privatelink-staging-service', status: 'NOT_DEPLOYED' },
      },
      url: null,
      image: null,
      deployment: null,
      alarms: [],
    });
    expect(report.pipeline).toEqual({
      name: 'hello-privatelink',
      account: TOOLING,
      role: lookupRoleArn('aws', TOOLING, REGION),
      lastExecution: {
        id: EXECUTION,
        status: 'Failed',
        startedAt: '2026-05-01T12:00:00.000Z',
        updatedAt: '2026-05-01T12:10:00.000Z',
        revision: 'v3',
      },
    });
  });

  test('a call the lookup role is denied is named in its line, and everything else is still shown', async () => {
    // GIVEN an organisation that denies ecs:ListServiceDeployments to the lookup role
    state.denyDeployments = true;
    const run = await status([]);
    // THEN the deployment line names the call and AWS's reason; the rest is read; one warning says so; exit 0
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines.find((l) => l.startsWith('  deployment'))).toMatch(
      /^ {2}deployment {2}unreadable: ECS ListServiceDeployments failed: AccessDeniedException: the role is not authorized to perform: ecs:ListServiceDeployments with an explicit deny/,
    );
    expect(lines.find((l) => l.startsWith('  image'))).toContain(OLD_TAG);
    // (moto's CloudFormation lists no AWS::CloudWatch::Alarm resources, so the denied deployment was the only source
    // of alarm names here; on AWS the stack's own resources name them too.)
    expect(lines.find((l) => l.startsWith('  alarms'))).toBe('  alarms      none found');
    expect(run.stderr.split('\n').filter((l) => l.startsWith('status'))).toEqual([
      'status warning: 1 of 13 parts could not be read; each says why',
    ]);
  });
});

describe('status, bounded and strict', () => {
  let silent: Server | undefined;
  const sockets: Socket[] = [];
  let silentUrl = '';
  const dir = mkdtempSync(path.join(tmpdir(), 'status-input-'));
  const env = () => ({
    AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_PROFILE: '',
    AWS_CONFIG_FILE: path.join(dir, 'none'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'none'),
    AWS_ENDPOINT_URL: silentUrl,
  });
  /** Its own lines: `status: ...`, never a stack trace. */
  const own = (run: ToolRun) => run.stderr.split('\n').filter((l) => l.startsWith('status'));

  beforeAll(async () => {
    silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent!.listen(0, '127.0.0.1', resolve));
    silentUrl = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => (silent ? silent.close(resolve) : resolve(undefined)));
    rmSync(dir, { recursive: true, force: true });
  });

  test("against an endpoint that never answers, it ends within one call's bound, naming the call", async () => {
    const started = Date.now();
    const run = await runTool(SCRIPT, [], env());
    const seconds = (Date.now() - started) / 1000;
    expect([run.code, own(run)]).toEqual([
      1,
      ['status: nothing could be read: STS AssumeRole failed: no answer in time (nothing within 10 s)'],
    ]);
    expect(run.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    expect(seconds).toBeGreaterThanOrEqual((AWS_CLIENT_BOUNDS.requestTimeoutMs * AWS_CLIENT_BOUNDS.maxAttempts) / 1000);
    expect(seconds).toBeLessThanOrEqual(callBoundSeconds() + 15);
  });

  test('--timeout ends it sooner, saying the budget stopped it', async () => {
    const started = Date.now();
    const run = await runTool(SCRIPT, ['--timeout', '2'], env());
    expect([run.code, own(run)]).toEqual([
      1,
      [
        "status: nothing could be read: STS AssumeRole failed: no answer in time (stopped at the end of the command's own time budget)",
      ],
    ]);
    expect((Date.now() - started) / 1000).toBeLessThanOrEqual(2 + 15);
  });

  test.each([
    [['--jsn'], 'status: unknown option --jsn; see --help'],
    [['now'], 'status: unexpected argument now; see --help'],
    [['--json=yes'], 'status: --json takes no value; see --help'],
    [['--profile'], 'status: --profile needs a value; see --help'],
    [['--profile', 'two words'], 'status: --profile is "two words"; expected an AWS CLI profile name, such as tooling'],
    [['--timeout', '0'], 'status: --timeout is "0"; expected a number of seconds above 0 and at most 86400'],
    [['--timeout', '-5'], 'status: --timeout is "-5"; expected a number of seconds above 0 and at most 86400'],
    [['--timeout', 'soon'], 'status: --timeout is "soon"; expected a number of seconds above 0 and at most 86400'],
    [['--config', ''], 'status: --config is ""; expected a config file path, such as config/deploy.json'],
  ])('%j is refused in one line, before any AWS call', async (args, line) => {
    const run = await runTool(SCRIPT, args, env());
    expect([run.code, own(run), run.stdout]).toEqual([1, [line], '']);
  });

  test('a config file that does not exist is named', async () => {
    const run = await runTool(SCRIPT, ['--config', path.join(dir, 'missing.json')], env());
    expect(run.code).toBe(1);
    expect(own(run)).toEqual([expect.stringMatching(/^status: .*missing\.json.*no such file/)]);
  });

  test('--help prints the usage and does nothing, whatever else is on the line', async () => {
    const connections = sockets.length;
    const run = await runTool(SCRIPT, ['--help', '--jsn'], env());
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^usage: npm run status -- \[--json\]/);
    expect(run.stdout).toContain('cdk-hnb659fds-lookup-role-<account>-<region>');
    expect(sockets).toHaveLength(connections);
  });
});

describe('what status reads, named as the app names it', () => {
  test("stack names, stage ids, and each environment's stages and actions in the pipeline CDK Pipelines builds", () => {
    // GIVEN the app for two environments, and its pipeline's stages and actions as GetPipelineState lists them after
    // a full run (read from the built pipeline, without a synth)
    const config = configWith((j) => {
      j.environments = [
        { name: 'production', account: PRODUCTION, requireApproval: true },
        { name: 'staging', account: STAGING, requireApproval: false },
      ];
      j.profiles[STAGING] = 'account-c';
    });
    const delivery = buildDeliveryApp(newProjectApp(), config, NEW_TAG);
    const states: StageState[] = delivery.pipeline.pipeline.pipeline.stages.map((stage) => ({
      stageName: stage.stageName,
      latestExecution: { pipelineExecutionId: 'e1', status: 'Succeeded' },
      actionStates: stage.actions.map((a) => ({
        actionName: a.actionProperties.actionName,
        latestExecution: { status: 'Succeeded' },
      })),
    }));
    // THEN (the stack and stage names come from pipeline/names.ts, which the app itself uses)
    // ... and each environment has its network and its service, with their own actions only
    const found = (name: string) =>
      environmentStages(states, name).map((s) => [s.stage, s.pipelineStage, s.status, s.actions.map((a) => a.name)]);
    expect(found('production')).toEqual([
      [
        'ProductionNetwork',
        'Foundation',
        'Succeeded',
        ['ProductionNetwork.hello-privatelink-production-network.Deploy'],
      ],
      [
        'ProductionService',
        'ProductionService',
        'Succeeded',
        ['Approve-production', 'hello-privatelink-production-service.Deploy', 'SmokeTest-production'],
      ],
    ]);
    expect(found('staging')).toEqual([
      ['StagingNetwork', 'StagingNetwork', 'Succeeded', ['Deploy']],
      [
        'StagingService',
        'StagingService',
        'Succeeded',
        ['hello-privatelink-staging-service.Deploy', 'SmokeTest-staging'],
      ],
    ]);
    expect(found('qa').map(([stage, , status]) => [stage, status])).toEqual([
      ['QaNetwork', 'NotInPipeline'],
      ['QaService', 'NotInPipeline'],
    ]);
  });
});

describe('reading ECS, and the screen', () => {
  test.each([
    ['IN_PROGRESS', 'in progress'],
    ['PENDING', 'pending'],
    ['SUCCESSFUL', 'completed'],
    ['ROLLBACK_IN_PROGRESS', 'rolling back'],
    ['ROLLBACK_SUCCESSFUL', 'rolled back'],
    ['ROLLBACK_FAILED', 'rollback failed'],
    ['STOPPED', 'stopped'],
  ])('ECS status %s reads as %s', (status, state) => {
    expect(deploymentStatus({ status: status as any }).state).toBe(state);
  });

  test('an unfinished deployment names its lifecycle stage; a circuit breaker and a failed hook give their reason', () => {
    expect(
      deploymentStatus(
        { status: 'IN_PROGRESS' },
        { status: 'IN_PROGRESS', lifecycleStage: 'BAKE_TIME', startedAt: new Date('2026-05-01T12:00:00Z') },
      ),
    ).toEqual({
      state: 'in progress',
      ecsStatus: 'IN_PROGRESS',
      lifecycleStage: 'BAKE_TIME',
      startedAt: '2026-05-01T12:00:00.000Z',
    });
    expect(
      deploymentStatus(
        { status: 'ROLLBACK_SUCCESSFUL' },
        {
          status: 'ROLLBACK_SUCCESSFUL',
          deploymentCircuitBreaker: { status: 'TRIGGERED', failureCount: 3, threshold: 3 },
          lifecycleHookDetails: [
            { status: 'FAILED', targetArn: 'arn:aws:lambda:us-east-2:333333333333:function:hello-production-verifier' },
          ],
        },
      ).reason,
    ).toBe('circuit breaker triggered: 3 failed tasks of 3 allowed; lifecycle hook hello-production-verifier FAILED');
  });

  test('alarm names shorten to their logical id, and other names stay whole', () => {
    expect(alarmLabel(ALARM_5XX, SERVICE_STACK)).toBe('Target5xxAlarm');
    expect(alarmLabel('my-own-alarm', SERVICE_STACK)).toBe('my-own-alarm');
  });

  test('an image tag is what follows the last colon of the name, or the digest', () => {
    expect(imageTag(`${REPOSITORY}:${NEW_TAG}`)).toBe(NEW_TAG);
    expect(imageTag('localhost:5000/app')).toBe('latest');
    expect(imageTag(`${REPOSITORY}@sha256:abc`)).toBe('sha256:abc');
  });

  test('an account whose lookup role cannot be assumed gets one line saying so, not one per part', () => {
    // GIVEN a report where staging's role was refused and the rest was read
    const refused = {
      unreadable: `STS AssumeRole failed: AccessDenied: User: arn:aws:sts::${TOOLING}:assumed-role/operator/me is not authorized to perform: sts:AssumeRole`,
    };
    const report: StatusReport = {
      project: 'hello-privatelink',
      region: REGION,
      readAt: '2026-05-01T12:30:00.000Z',
      pipeline: {
        name: 'hello-privatelink',
        account: TOOLING,
        role: lookupRoleArn('aws', TOOLING, REGION),
        lastExecution: null,
      },
      environments: [
        {
          name: 'staging',
          account: STAGING,
          role: lookupRoleArn('aws', STAGING, REGION),
          deploymentStrategy: 'rolling',
          stacks: refused,
          url: refused,
          image: refused,
          deployment: refused,
          alarms: refused,
          pipeline: environmentStages([], 'staging'),
        },
      ],
    };
    // THEN its block has that one line and the pipeline's
    expect(renderScreen(report).split('\n')).toEqual([
      "hello-privatelink in us-east-2, read 2026-05-01 12:30 UTC as each account's CDK lookup role",
      'pipeline hello-privatelink (111111111111): no execution yet',
      '',
      'staging (444444444444, rolling)',
      '  reads       unreadable: STS AssumeRole failed: AccessDenied: the role is not authorized to perform: ' +
        'sts:AssumeRole (as cdk-hnb659fds-lookup-role-444444444444-us-east-2)',
      '  pipeline    StagingNetwork  NotInPipeline',
      '              StagingService  NotInPipeline',
    ]);
  });
});
