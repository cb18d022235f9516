// Every AWS SDK client the commands create: bounded connection and request times and a bounded number of
// attempts, so that no command hangs on an endpoint that accepts a connection and never answers.
import { CommandError, shorten } from './command';

/** Connection and per-attempt request timeouts, and attempts per call: at most about 3 x 13 s a call. */
export const AWS_CLIENT_BOUNDS = { connectionTimeoutMs: 3_000, requestTimeoutMs: 10_000, maxAttempts: 3 } as const;

/** The bounded settings for one client, merged into its configuration. */
export function boundedClientConfig<T extends object>(
  config: T,
): T & {
  maxAttempts: number;
  requestHandler: { connectionTimeout: number; requestTimeout: number };
} {
  return {
    ...config,
    maxAttempts: AWS_CLIENT_BOUNDS.maxAttempts,
    requestHandler: {
      connectionTimeout: AWS_CLIENT_BOUNDS.connectionTimeoutMs,
      requestTimeout: AWS_CLIENT_BOUNDS.requestTimeoutMs,
    },
  };
}

/**
 * Runs one AWS call and turns its failure into one line that names the call, such as `ECR DescribeImages`. An
 * endpoint that answers with something other than an AWS response is named as such, not by the parser's error.
 */
export async function awsCall<T>(label: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new CommandError(describeAwsFailure(label, error));
  }
}

export function describeAwsFailure(label: string, error: unknown): string {
  const e = error as Error & { $metadata?: { httpStatusCode?: number }; $response?: { statusCode?: number } };
  const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
  if (e.name === 'SyntaxError' || /Deserialization error|not valid JSON|Unexpected token/.test(e.message ?? '')) {
    return `${label} failed: the endpoint did not answer like AWS${status ? ` (HTTP ${status})` : ''}`;
  }
  if (
    e.name === 'TimeoutError' ||
    e.name === 'AbortError' ||
    /timed? ?out|ETIMEDOUT|socket hang up/i.test(e.message ?? '')
  ) {
    return `${label} failed: no answer in time (${shorten(e.message ?? e.name, 80)})`;
  }
  return `${label} failed: ${e.name}: ${shorten((e.message ?? '').split('\n')[0], 200)}`;
}
