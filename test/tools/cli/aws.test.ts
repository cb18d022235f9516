// The client factory against an endpoint that accepts connections and never answers.
import { createServer, type Server, type Socket } from 'node:net';
import { DescribeRepositoriesCommand, ECRClient, type ECRClientConfig } from '@aws-sdk/client-ecr';
import {
  boundedClient,
  boundedRuntimeClient,
  callBoundSeconds,
  describeAwsFailure,
  type AwsClientBounds,
} from '../../../tools/cli/aws';
import { REGION } from '../../helpers/constants';
import { lintSources } from '../../helpers/eslint';

const FAST: AwsClientBounds = { connectionTimeoutMs: 500, requestTimeoutMs: 800, maxAttempts: 2 };
const credentials = { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' };

let silent: Server | undefined;
const sockets: Socket[] = [];
let endpoint = '';

beforeAll(async () => {
  silent = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => silent!.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => (silent ? silent.close(resolve) : resolve(undefined)));
});

/** How the call ends: its error and the seconds it took, or 'pending' if it has not ended after `waitMs`. */
async function outcome(client: ECRClient, waitMs: number) {
  const started = Date.now();
  const call = client.send(new DescribeRepositoriesCommand({})).then(
    () => ({ error: undefined as Error | undefined }),
    (error: Error) => ({ error }),
  );
  const result = await Promise.race([call, new Promise<'pending'>((r) => setTimeout(() => r('pending'), waitMs))]);
  client.destroy();
  return { result, seconds: (Date.now() - started) / 1000 };
}

describe('the AWS client factory', () => {
  test('a client from boundedClient fails with TimeoutError within its bound on a silent endpoint', async () => {
    // GIVEN a client made by the factory, WHEN it calls an endpoint that never answers
    const { result, seconds } = await outcome(
      boundedClient(ECRClient, { region: REGION, endpoint, credentials }, FAST),
      10_000,
    );
    // THEN the call fails, naming the call, after both attempts and within the stated bound
    expect(result).not.toBe('pending');
    const { error } = result as { error: Error };
    expect(error.name).toBe('TimeoutError');
    expect(describeAwsFailure('ECR DescribeRepositories', error)).toBe(
      'ECR DescribeRepositories failed: no answer in time (nothing within 0.8 s)',
    );
    expect(seconds).toBeGreaterThanOrEqual(1.6);
    expect(seconds).toBeLessThanOrEqual(callBoundSeconds(FAST));
  });

  test('a client from boundedRuntimeClient (handler options, for a Lambda runtime SDK) fails the same way', async () => {
    const { result, seconds } = await outcome(
      boundedRuntimeClient(ECRClient, { region: REGION, endpoint, credentials }, FAST),
      10_000,
    );
    expect((result as { error: Error }).error?.name).toBe('TimeoutError');
    expect(seconds).toBeLessThanOrEqual(callBoundSeconds(FAST));
  });

  test('without throwOnRequestTimeout, the same timeout only warns and the call is still waiting', async () => {
    // The reason for the factory: a plain client with a request timeout never ends on a silent endpoint.
    const warnings: string[] = [];
    const plain = new ECRClient({
      region: REGION,
      endpoint,
      credentials,
      maxAttempts: 1,
      requestHandler: {
        connectionTimeout: 500,
        requestTimeout: 800,
        logger: { warn: (m: string) => warnings.push(m) },
      },
    } as ECRClientConfig);
    const { result } = await outcome(plain, 3000);
    expect(result).toBe('pending');
    expect(warnings.join('\n')).toMatch(/WARN.*throwOnRequestTimeout=true/);
  });

  test('a call stopped by its own abort signal says so, naming the call', () => {
    const abort = Object.assign(new Error('Request aborted'), { name: 'AbortError' });
    expect(describeAwsFailure('Lambda Invoke', abort)).toBe(
      "Lambda Invoke failed: no answer in time (stopped at the end of the command's own time budget)",
    );
  });

  test('eslint refuses an AWS client made outside the factory, and a handler imported elsewhere', () => {
    const source = [
      "import { NodeHttpHandler } from '@smithy/node-http-handler';",
      "import { S3Client } from '@aws-sdk/client-s3';",
      'export const s3 = new S3Client({ requestHandler: new NodeHttpHandler({}) });',
      '',
    ].join('\n');
    const refused = ['tools/operator/example.ts', 'stages/service/example.ts', 'bench/example.ts'];
    // One ESLint run over every case; the factory itself, last, may.
    const files = [...refused, 'tools/cli/aws.ts'];
    const rules = lintSources(files.map((file) => ({ source, file }))).map((messages, i) => [
      files[i],
      messages.map((m) => m.ruleId).sort(),
    ]);
    expect(rules).toEqual([
      ...refused.map((file) => [file, ['no-restricted-imports', 'no-restricted-syntax']]),
      ['tools/cli/aws.ts', []],
    ]);
  });
});
