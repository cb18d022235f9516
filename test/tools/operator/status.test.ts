// `npm run status` as an operator runs it, against moto and a stand-in for what moto lacks (status-moto.ts).
import { lookupRoleArn } from '../../../config/names';
import type { StatusReport } from '../../../tools/operator/status-report';
import { renderScreen } from '../../../tools/operator/status-screen';
import {
  IMAGE_TAG,
  PRODUCTION_ACCOUNT,
  PROJECT_NAME,
  REGION,
  STAGING_ACCOUNT,
  TOOLING_ACCOUNT,
} from '../../helpers/constants';
import { ALARM_5XX, ALARM_UNHEALTHY, DEPLOYMENT_ARN, EXECUTION, OLD_TAG, URL } from './status-fixtures';
import { statusAgainstMoto } from './status-moto';

describe('status against moto and a stand-in for what moto lacks', () => {
  const { status, state, serviceArn } = statusAgainstMoto();

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
      `${PROJECT_NAME} in ${REGION}, read <time> as each account's CDK lookup role`,
      `pipeline ${PROJECT_NAME} (${TOOLING_ACCOUNT}): last execution e7b1c2d3 Failed, started 2026-05-01 12:00 UTC, revision v3`,
      '',
      `production (${PRODUCTION_ACCOUNT}, blue-green)`,
      `  url         ${URL}`,
      `  image       ${OLD_TAG}, 0 of 2 tasks running; the service stack's ImageTag is ${IMAGE_TAG}`,
      '  deployment  rolled back: alarm Target5xxAlarm triggered; rolled back to the service revision of 2026-04-30; ' +
        'Service deployment rolled back because of a CloudWatch alarm. (2026-05-01 12:09 UTC)',
      '  alarms      Target5xxAlarm ALARM since <time>, UnhealthyTasksAlarm OK',
      '  pipeline    ProductionNetwork  Succeeded, execution e7b1c2d3, 2026-05-01 12:02 UTC',
      '              ProductionService  Failed at hello-privatelink-production-service.Deploy: Resource handler ' +
        'returned message: "ECS Deployment Circuit Breaker was triggered", execution e7b1c2d3, 2026-05-01 12:10 UTC',
      '',
      `staging (${STAGING_ACCOUNT}, rolling)`,
      '  stacks      not deployed: no hello-privatelink-staging-network or hello-privatelink-staging-service',
      '  pipeline    StagingNetwork  NeverRan',
      '              StagingService  NeverRan',
    ]);
    // ... and asked ECS about the service CloudFormation created, and about the newest of its deployments
    expect(state.requests.filter((r) => r.operation === 'ListServiceDeployments')).toEqual([
      expect.objectContaining({ service: serviceArn() }),
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
      new Set([TOOLING_ACCOUNT, PRODUCTION_ACCOUNT, STAGING_ACCOUNT].map((a) => lookupRoleArn('aws', a, REGION))),
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
        `CodePipeline GetPipelineState as ${TOOLING_ACCOUNT}`,
        `CodePipeline ListPipelineExecutions as ${TOOLING_ACCOUNT}`,
        `CloudFormation DescribeStacks as ${PRODUCTION_ACCOUNT}`,
        `CloudFormation ListStackResources as ${PRODUCTION_ACCOUNT}`,
        `ECS DescribeServices as ${PRODUCTION_ACCOUNT}`,
        `ECS DescribeTaskDefinition as ${PRODUCTION_ACCOUNT}`,
        `ECS ListServiceDeployments as ${PRODUCTION_ACCOUNT}`,
        `ECS DescribeServiceDeployments as ${PRODUCTION_ACCOUNT}`,
        `CloudWatch DescribeAlarms as ${PRODUCTION_ACCOUNT}`,
        `CloudFormation DescribeStacks as ${STAGING_ACCOUNT}`,
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
      account: PRODUCTION_ACCOUNT,
      role: lookupRoleArn('aws', PRODUCTION_ACCOUNT, REGION),
      url: URL,
      image: { running: [{ tag: OLD_TAG, deployment: 'PRIMARY', desiredTasks: 2 }], stackOutput: IMAGE_TAG },
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
      name: PROJECT_NAME,
      account: TOOLING_ACCOUNT,
      role: lookupRoleArn('aws', TOOLING_ACCOUNT, REGION),
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
