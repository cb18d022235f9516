// The one place AWS SDK clients are made (eslint refuses `new ...Client(` anywhere else): bounded connection and
// request times and a bounded number of attempts, so that no command hangs on an endpoint that accepts a
// connection and never answers.
//
// A request timeout of @smithy/node-http-handler only logs a warning unless the handler is built with
// `throwOnRequestTimeout: true` ("If exceeded, a warning will be emitted unless throwOnRequestTimeout=true, in which
// case a TimeoutError will be thrown": NodeHttpHandlerOptions in @smithy/types; the warning itself says "Init client
// requestHandler with throwOnRequestTimeout=true to turn this into an error"). TimeoutError is transient for the
// SDK's retry strategy (TRANSIENT_ERROR_CODES in @smithy/core's retry), so one call takes at most maxAttempts
// request timeouts plus the backoff between them.
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { CommandError, shorten } from './command';

/** How long a client waits, and how often it tries. */
export interface AwsClientBounds {
  readonly connectionTimeoutMs: number;
  /** The whole request and response of one attempt. */
  readonly requestTimeoutMs: number;
  readonly maxAttempts: number;
}

/** Connection and per-attempt request timeouts, and attempts per call. */
export const AWS_CLIENT_BOUNDS: AwsClientBounds = {
  connectionTimeoutMs: 3_000,
  requestTimeoutMs: 10_000,
  maxAttempts: 2,
};

/** What every command's usage says of its AWS calls. */
export function awsBoundsText(bounds: AwsClientBounds = AWS_CLIENT_BOUNDS): string {
  return (
    `Each AWS call gives up after ${bounds.maxAttempts} attempts of ${bounds.requestTimeoutMs / 1000} s, ` +
    `at most ${callBoundSeconds(bounds)} s, and names itself.`
  );
}

/**
 * The longest one call can take against an endpoint that never answers: every attempt's request timeout, and the
 * SDK's backoff between attempts (at most 20 s each, "full jitter" from a 100 ms base, so about 0.2 s after the
 * first attempt). A second's margin for each attempt covers that.
 */
export function callBoundSeconds(bounds: AwsClientBounds = AWS_CLIENT_BOUNDS): number {
  return Math.ceil((bounds.maxAttempts * (bounds.requestTimeoutMs + 1000)) / 1000);
}

/** The handler options that make the request timeout throw. */
function handlerOptions(bounds: AwsClientBounds) {
  return {
    connectionTimeout: bounds.connectionTimeoutMs,
    requestTimeout: bounds.requestTimeoutMs,
    throwOnRequestTimeout: true,
  } as const;
}

/**
 * The bounded settings for one client, merged into its configuration: a NodeHttpHandler that throws on its
 * request timeout. Also for the inner STS client of a credential provider (its `clientConfig`).
 */
export function boundedClientConfig<T extends object>(
  config: T,
  bounds: AwsClientBounds = AWS_CLIENT_BOUNDS,
): T & { maxAttempts: number; requestHandler: NodeHttpHandler } {
  return { ...config, maxAttempts: bounds.maxAttempts, requestHandler: new NodeHttpHandler(handlerOptions(bounds)) };
}

/** Makes an AWS SDK client whose every call is bounded. */
export function boundedClient<C, T extends object>(
  Client: new (config: T & { maxAttempts: number; requestHandler: NodeHttpHandler }) => C,
  config: T,
  bounds: AwsClientBounds = AWS_CLIENT_BOUNDS,
): C {
  return new Client(boundedClientConfig(config, bounds));
}

/**
 * The same bounds for a client of the SDK that a Lambda runtime provides, where bundling our own handler would add
 * 125 KiB to inline code: the handler's options instead of an instance. The SDK builds its own NodeHttpHandler
 * from them (`NodeHttpHandler.create(options)`; `RequestHandlerParams` in @smithy/types: "the user may provide the
 * requestHandler's constructor options").
 */
export function boundedRuntimeClient<C, T extends object>(
  Client: new (config: T & { maxAttempts: number; requestHandler: ReturnType<typeof handlerOptions> }) => C,
  config: T,
  bounds: AwsClientBounds = AWS_CLIENT_BOUNDS,
): C {
  return new Client({ ...config, maxAttempts: bounds.maxAttempts, requestHandler: handlerOptions(bounds) });
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
    const limit = /exceeded the configured (\d+) ms requestTimeout/.exec(e.message ?? '')?.[1];
    const detail = limit
      ? `nothing within ${Number(limit) / 1000} s`
      : e.name === 'AbortError'
        ? "stopped at the end of the command's own time budget"
        : shorten(e.message ?? e.name, 80);
    return `${label} failed: no answer in time (${detail})`;
  }
  return `${label} failed: ${e.name}: ${shorten((e.message ?? '').split('\n')[0], 200)}`;
}
