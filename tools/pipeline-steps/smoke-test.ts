// `smoke-test URL [--expect-version TAG] [--timeout S] [--via-function ARN]`: is the service up, and is it the
// expected image? The pipeline runs it after the service stage: CloudFormation reports a circuit-breaker rollback
// as success, so only asking the running tasks for their version catches it. An internal service is out of the
// step's reach, so the step asks the verifier in the service's VPC to run the same checks there.
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { VERIFIER_TIMEOUT_SECONDS } from '../../runtime/lambda/verifier-timeout';
import { runSmokeTest, type SmokeTestOptions, type SmokeTestResult } from '../../runtime/service-checks';
import type { VerifyRequest, VerifyResponse } from '../../runtime/lambda/verifier-handler';
import { AWS_CLIENT_BOUNDS, awsCall, boundedClient, type AwsClientBounds } from '../cli/aws';
import { CommandError, httpUrl, parseCommandLine, runCommand, seconds, shorten } from '../cli/command';

const SPEC = {
  name: 'smoke-test',
  usage: `
usage: npm run smoke-test -- URL [--expect-version TAG] [--timeout SECONDS] [--via-function ARN]

Checks a running service: /healthz answers 200, / carries the hello page, and /version is TAG. Retries inside
the timeout; exits 0 only when every check passes.

  URL                     the service, such as the network stage's ExternalUrl
  --expect-version TAG    the image tag /version must return (default: any)
  --timeout SECONDS       the budget for all checks and their retries (default 120)
  --via-function ARN      run the checks in the service's VPC, through the verifier Lambda with this ARN
  --help                  print this and do nothing

With --via-function, the invoke waits for the function's answer within each round's budget and 10 s more.
`,
  options: { 'expect-version': { type: 'string' }, timeout: { type: 'string' }, 'via-function': { type: 'string' } },
  positionals: { min: 1, max: 1, names: 'the service URL' },
} as const;

export interface SmokeCommand extends Omit<SmokeTestOptions, 'log'> {
  /** The in-VPC verifier's ARN. @default - check from here */
  readonly viaFunction?: string;
}

const FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:([a-z0-9-]+):\d{12}:function:[\w-]{1,64}$/;

/** Parses the command line; undefined after --help; throws CommandError with one line otherwise. */
export function parseSmokeArgs(args: readonly string[]): SmokeCommand | undefined {
  const parsed = parseCommandLine(SPEC, args);
  if (!parsed) return undefined;
  const expectVersion = parsed.values['expect-version'];
  if (expectVersion !== undefined && !/^[\w.-]{1,128}$/.test(expectVersion)) {
    throw new CommandError(`--expect-version is "${shorten(expectVersion)}"; expected an image tag`);
  }
  return {
    url: httpUrl('the URL', parsed.positionals[0]),
    expectVersion,
    timeoutSeconds: seconds('--timeout', parsed.values.timeout, 120),
    viaFunction: functionArn(parsed.values['via-function']),
  };
}

function functionArn(raw: string | undefined): string | undefined {
  if (raw !== undefined && !FUNCTION_ARN.test(raw)) {
    throw new CommandError(
      `--via-function is "${shorten(raw)}"; expected a Lambda function ARN, arn:aws:lambda:<region>:<account>:function:<name>`,
    );
  }
  return raw;
}

/** One invocation of the verifier: its answer, or a CommandError naming why there is none. */
export type InvokeVerifier = (request: VerifyRequest) => Promise<VerifyResponse & { readonly notReady?: boolean }>;

/** The pause before invoking a verifier that is not active yet again. */
export const NOT_READY_PAUSE_MS = 5_000;

/** The function answers within its own timeout; the read waits that long and a little more. */
export const VERIFIER_INVOKE_BOUNDS: AwsClientBounds = {
  ...AWS_CLIENT_BOUNDS,
  requestTimeoutMs: (VERIFIER_TIMEOUT_SECONDS + 10) * 1000,
};

/** How much longer than a round's budget its invoke may take: Lambda's own start and the answer's trip. */
export const INVOKE_MARGIN_SECONDS = 10;

/** Invokes the verifier synchronously across accounts with the step's credentials; each call is bounded. */
export function lambdaVerifier(arn: string): InvokeVerifier {
  const region = FUNCTION_ARN.exec(arn)![1];
  const client = boundedClient(LambdaClient, { region }, VERIFIER_INVOKE_BOUNDS);
  return async (request) => {
    const answer = await awsCall('Lambda Invoke', async () => {
      try {
        // The round's own budget bounds the call, retries included: the function answers within
        // request.timeoutSeconds, and an endpoint that never answers must not hold the step longer than that.
        return await client.send(new InvokeCommand({ FunctionName: arn, Payload: JSON.stringify(request) }), {
          abortSignal: AbortSignal.timeout((request.timeoutSeconds + INVOKE_MARGIN_SECONDS) * 1000),
        });
      } catch (error) {
        // A VPC function idle for weeks turns Inactive: the next invoke fails and Lambda restores its network
        // interfaces, Pending meanwhile (Lambda developer guide, "Lambda function states"). Another round waits.
        const name = (error as Error).name;
        if (name !== 'ResourceNotReadyException' && name !== 'ResourceConflictException') throw error;
        return { notReady: name };
      }
    });
    if ('notReady' in answer) {
      return { ok: false, summary: `the verifier is not active yet (${answer.notReady})`, lines: [], notReady: true };
    }
    const text = Buffer.from(answer.Payload ?? []).toString('utf8');
    if (answer.FunctionError) {
      throw new CommandError(`the verifier ${arn} failed: ${answer.FunctionError}: ${shorten(text, 300)}`);
    }
    return JSON.parse(text) as VerifyResponse;
  };
}

/**
 * Runs the checks through the in-VPC verifier, in rounds that fit the function's timeout, until they pass or the
 * budget is spent. Each round's own retries run inside the function.
 */
export async function checkThroughVerifier(
  options: SmokeTestOptions & { readonly invoke: InvokeVerifier },
): Promise<SmokeTestResult> {
  const log = options.log ?? (() => {});
  const deadline = Date.now() + options.timeoutSeconds * 1000;
  for (let round = 1; ; round++) {
    const remaining = Math.ceil((deadline - Date.now()) / 1000);
    const timeoutSeconds = Math.max(1, Math.min(remaining, VERIFIER_TIMEOUT_SECONDS - 10));
    const answer = await options.invoke({ url: options.url, expectVersion: options.expectVersion, timeoutSeconds });
    for (const line of answer.lines) log(`[in VPC, round ${round}] ${line}`);
    if (answer.notReady) log(`[in VPC, round ${round}] … ${answer.summary}`);
    // A refusal is a wrong setup, which another round does not mend.
    if (answer.ok || answer.summary.startsWith('refused:') || Date.now() >= deadline - 1000) {
      return { ok: answer.ok, summary: `${answer.summary} (in the VPC, ${round} round${round > 1 ? 's' : ''})` };
    }
    if (answer.notReady)
      await new Promise((resolve) => setTimeout(resolve, Math.min(NOT_READY_PAUSE_MS, deadline - Date.now())));
  }
}

async function main(): Promise<number> {
  const parsed = parseSmokeArgs(process.argv.slice(2));
  if (!parsed) return 0;
  const where = parsed.viaFunction ? `, from inside its VPC through ${parsed.viaFunction}` : '';
  console.log(`smoke-test: ${parsed.url} (timeout ${parsed.timeoutSeconds} s${where})`);
  const log = (line: string) => console.log(`  ${line}`);
  const result = parsed.viaFunction
    ? await checkThroughVerifier({ ...parsed, log, invoke: lambdaVerifier(parsed.viaFunction) })
    : await runSmokeTest({ ...parsed, log });
  if (!result.ok) throw new CommandError(`FAILED: ${result.summary}`);
  console.log(`smoke-test: PASSED: ${result.summary}`);
  return 0;
}

if (require.main === module) runCommand(SPEC.name, main);
