// A loopback stand-in for what moto lacks in `npm run status`: ECS's service deployments and CodePipeline's state.
import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import { PRODUCTION_ACCOUNT, REGION } from '../../helpers/constants';
import { DEPLOYMENT_ARN, PIPELINE_STATE, ALARM_5XX, ALARM_UNHEALTHY, at } from './status-fixtures';

/**
 * The stand-in: CodePipeline's GetPipelineState and ListPipelineExecutions, and ECS's ListServiceDeployments and
 * DescribeServiceDeployments (JSON 1.1, as AWS answers them); every other ECS call goes on to moto.
 */
export function standIn(
  motoEndpoint: string,
  state: { denyDeployments: boolean; requests: Array<Record<string, any>> },
) {
  const answer = (operation: string, input: Record<string, any>): [number, unknown] => {
    state.requests.push({ operation, ...input });
    switch (operation) {
      case 'ListServiceDeployments':
        if (state.denyDeployments) {
          return [
            400,
            {
              __type: 'AccessDeniedException',
              message: `User: arn:aws:sts::${PRODUCTION_ACCOUNT}:assumed-role/cdk-hnb659fds-lookup-role-${PRODUCTION_ACCOUNT}-${REGION}/npm-run-status is not authorized to perform: ecs:ListServiceDeployments with an explicit deny in a service control policy`,
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
