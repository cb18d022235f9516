// What the status tests share besides the accounts, region and tag of test/helpers/constants.ts: the tag before, the
// names of the deployment they read, and the pipeline's state after an execution whose service deploy failed.
import { PRODUCTION_ACCOUNT, REGION, REGISTRY_ACCOUNT } from '../../helpers/constants';

export const SCRIPT = 'tools/operator/status.ts';
/** The tag the service ran before: IMAGE_TAG is the new one. */
export const OLD_TAG = 'sha-fedcba9876543210';
export const REPOSITORY = `${REGISTRY_ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/hello-privatelink`;
export const URL = `http://hello-Publi-1ABC2DEF3GHI-123456789.${REGION}.elb.amazonaws.com`;
export const SERVICE_STACK = 'hello-privatelink-production-service';
/** The alarm names CloudFormation gives the service stack's two alarms: stack, logical id with CDK's hash, suffix. */
export const ALARM_5XX = `${SERVICE_STACK}-Target5xxAlarm8F1E2D3C-1A2B3C4D5E6F`;
export const ALARM_UNHEALTHY = `${SERVICE_STACK}-UnhealthyTasksAlarm0A1B2C3D-6F5E4D3C2B1A`;

export const at = (iso: string) => Date.parse(iso) / 1000;
export const DEPLOYMENT_ARN = (id: string) =>
  `arn:aws:ecs:${REGION}:${PRODUCTION_ACCOUNT}:service-deployment/cluster/service/${id}`;

export const actionState = (actionName: string, status?: string, lastStatusChange?: string, message?: string) => ({
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
export const EXECUTION = 'e7b1c2d3-0000-4000-8000-000000000003';
/** The pipeline as CDK Pipelines builds it for two environments, after an execution whose service deploy failed. */
export const PIPELINE_STATE = [
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
