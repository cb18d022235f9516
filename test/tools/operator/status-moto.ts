// `npm run status` against moto (STS, CloudFormation, ECS services and task definitions, CloudWatch alarms) and the
// stand-in for what moto lacks (status-stand-in.ts), with production deployed and rolled back by ECS, and every AWS
// call of a run recorded to show which role made it.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server as HttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CloudFormationClient, CreateStackCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { ECSClient, RegisterTaskDefinitionCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { PROJECT_ROOT, defaultConfigJson } from '../../helpers/cdk';
import { motoCredentials, startMoto, type Moto } from '../../helpers/moto';
import { runTool, type ToolRun } from '../../helpers/run-tool';
import {
  IMAGE_TAG,
  PRODUCTION_ACCOUNT,
  REGION,
  REGISTRY_ACCOUNT,
  STAGING_ACCOUNT,
  TOOLING_ACCOUNT,
} from '../../helpers/constants';
import { ALARM_5XX, ALARM_UNHEALTHY, OLD_TAG, REPOSITORY, SCRIPT, SERVICE_STACK, URL } from './status-fixtures';
import { standIn } from './status-stand-in';

const RECORDER = path.join(PROJECT_ROOT, 'test/helpers/aws-call-recorder.js');

const dir = mkdtempSync(path.join(tmpdir(), 'status-'));
/** Production in one workload account, a staging environment in another that was never deployed. */
const configFile = path.join(dir, 'deploy.json');
writeFileSync(
  configFile,
  JSON.stringify({
    ...defaultConfigJson(),
    environments: [
      { name: 'production', account: PRODUCTION_ACCOUNT, requireApproval: true },
      { name: 'staging', account: STAGING_ACCOUNT, requireApproval: false, service: { deploymentStrategy: 'rolling' } },
    ],
    profiles: {
      [TOOLING_ACCOUNT]: 'tooling',
      [REGISTRY_ACCOUNT]: 'account-a',
      [PRODUCTION_ACCOUNT]: 'account-b',
      [STAGING_ACCOUNT]: 'account-c',
    },
  }),
);

/** One call as test/helpers/aws-call-recorder.js writes it. */
export interface AwsCallRecord {
  client: string;
  command: string;
  input: Record<string, any>;
  accessKeyId?: string;
  assumed?: { accessKeyId: string };
  error?: string;
}

/**
 * Starts moto and the stand-in before the calling describe's tests, with the deployment in place, and stops both
 * after them (also when either failed to start); each test starts with the stand-in's state reset.
 */
export function statusAgainstMoto() {
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
      credentials: await motoCredentials(moto.endpoint, `arn:aws:iam::${PRODUCTION_ACCOUNT}:role/admin`),
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
              Properties: { Family: 'service', ContainerDefinitions: [container(IMAGE_TAG)] },
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
          Outputs: { ImageTag: { Value: IMAGE_TAG } },
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

  return { status, state, serviceArn: () => serviceArn };
}
