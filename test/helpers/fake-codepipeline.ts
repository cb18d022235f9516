// A stand-in for the CodePipeline API, which moto does not serve: the JSON 1.1 protocol on a loopback port, for
// the calls the deploy and watch tools make. Every execution it starts has already succeeded.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeCodePipeline {
  readonly endpoint: string;
  /** The operations it was asked for, in order. */
  readonly operations: string[];
  stop(): Promise<void>;
}

export async function startFakeCodePipeline(): Promise<FakeCodePipeline> {
  const operations: string[] = [];
  const executions: Array<{ id: string; revision: string }> = [];
  const answer = (operation: string, input: Record<string, any>): [number, unknown] => {
    switch (operation) {
      case 'StartPipelineExecution': {
        const id = `execution-${executions.length + 1}`;
        executions.push({ id, revision: input.sourceRevisions?.[0]?.revisionValue ?? 'latest' });
        return [200, { pipelineExecutionId: id }];
      }
      case 'GetPipelineExecution':
        return [
          200,
          {
            pipelineExecution: {
              pipelineName: input.pipelineName,
              pipelineExecutionId: input.pipelineExecutionId,
              status: 'Succeeded',
            },
          },
        ];
      case 'ListActionExecutions':
        return [
          200,
          {
            actionExecutionDetails: [
              { stageName: 'Build', actionName: 'Synth', status: 'Succeeded' },
              { stageName: 'UpdatePipeline', actionName: 'SelfMutate', status: 'Succeeded' },
            ],
          },
        ];
      case 'ListPipelineExecutions':
        return [
          200,
          {
            pipelineExecutionSummaries: executions.map((e, i) => ({
              pipelineExecutionId: e.id,
              status: 'Succeeded',
              startTime: i,
              sourceRevisions: [{ actionName: 'Source', revisionId: e.revision }],
            })),
          },
        ];
      default:
        return [400, { __type: 'UnknownOperationException', message: `the stand-in does not serve ${operation}` }];
    }
  };
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const operation =
        String(request.headers['x-amz-target'] ?? '')
          .split('.')
          .pop() ?? '';
      operations.push(operation);
      const [status, payload] = answer(operation, body ? JSON.parse(body) : {});
      response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify(payload));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    operations,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
