// What status makes of AWS's answers, named as the app names them, and the screen it renders; no AWS call.
import type { StageState } from '@aws-sdk/client-codepipeline';
import { lookupRoleArn } from '../../../config/names';
import { buildDeliveryApp } from '../../../pipeline/build-app';
import { environmentStages } from '../../../tools/operator/status-pipeline';
import type { StatusReport } from '../../../tools/operator/status-report';
import { renderScreen } from '../../../tools/operator/status-screen';
import { alarmLabel, deploymentStatus, imageTag } from '../../../tools/operator/status-service';
import { configWith, newProjectApp } from '../../helpers/cdk';
import {
  IMAGE_TAG,
  PRODUCTION_ACCOUNT,
  PROJECT_NAME,
  REGION,
  STAGING_ACCOUNT,
  TOOLING_ACCOUNT,
} from '../../helpers/constants';
import { ALARM_5XX, REPOSITORY, SERVICE_STACK } from './status-fixtures';

describe('what status reads, named as the app names it', () => {
  test("stack names, stage ids, and each environment's stages and actions in the pipeline CDK Pipelines builds", () => {
    // GIVEN the app for two environments, and its pipeline's stages and actions as GetPipelineState lists them after
    // a full run (read from the built pipeline, without a synth)
    const config = configWith((j) => {
      j.environments = [
        { name: 'production', account: PRODUCTION_ACCOUNT, requireApproval: true },
        { name: 'staging', account: STAGING_ACCOUNT, requireApproval: false },
      ];
      j.profiles[STAGING_ACCOUNT] = 'account-c';
    });
    const delivery = buildDeliveryApp(newProjectApp(), config, IMAGE_TAG);
    const states: StageState[] = delivery.pipeline.pipeline.pipeline.stages.map((stage) => ({
      stageName: stage.stageName,
      latestExecution: { pipelineExecutionId: 'e1', status: 'Succeeded' },
      actionStates: stage.actions.map((a) => ({
        actionName: a.actionProperties.actionName,
        latestExecution: { status: 'Succeeded' },
      })),
    }));
    // THEN (the stack and stage names come from config/names.ts, which the app itself uses)
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
            {
              status: 'FAILED',
              targetArn: `arn:aws:lambda:${REGION}:${PRODUCTION_ACCOUNT}:function:hello-production-verifier`,
            },
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
    expect(imageTag(`${REPOSITORY}:${IMAGE_TAG}`)).toBe(IMAGE_TAG);
    expect(imageTag('localhost:5000/app')).toBe('latest');
    expect(imageTag(`${REPOSITORY}@sha256:abc`)).toBe('sha256:abc');
  });

  test('an account whose lookup role cannot be assumed gets one line saying so, not one per part', () => {
    // GIVEN a report where staging's role was refused and the rest was read
    const refused = {
      unreadable: `STS AssumeRole failed: AccessDenied: User: arn:aws:sts::${TOOLING_ACCOUNT}:assumed-role/operator/me is not authorized to perform: sts:AssumeRole`,
    };
    const report: StatusReport = {
      project: PROJECT_NAME,
      region: REGION,
      readAt: '2026-05-01T12:30:00.000Z',
      pipeline: {
        name: PROJECT_NAME,
        account: TOOLING_ACCOUNT,
        role: lookupRoleArn('aws', TOOLING_ACCOUNT, REGION),
        lastExecution: null,
      },
      environments: [
        {
          name: 'staging',
          account: STAGING_ACCOUNT,
          role: lookupRoleArn('aws', STAGING_ACCOUNT, REGION),
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
      `${PROJECT_NAME} in ${REGION}, read 2026-05-01 12:30 UTC as each account's CDK lookup role`,
      `pipeline ${PROJECT_NAME} (${TOOLING_ACCOUNT}): no execution yet`,
      '',
      `staging (${STAGING_ACCOUNT}, rolling)`,
      '  reads       unreadable: STS AssumeRole failed: AccessDenied: the role is not authorized to perform: ' +
        `sts:AssumeRole (as cdk-hnb659fds-lookup-role-${STAGING_ACCOUNT}-${REGION})`,
      '  pipeline    StagingNetwork  NotInPipeline',
      '              StagingService  NotInPipeline',
    ]);
  });
});
