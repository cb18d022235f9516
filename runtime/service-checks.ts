// The checks that prove a deployment serves the right image: /healthz answers 200, / carries the hello page, and
// /version is the expected tag. The pipeline's smoke test runs them from outside, and the in-VPC verifier (a Lambda
// in the isolated subnets) runs the same code where only the VPC can reach the load balancer.
/** The marker the hello page carries; a page without it is some other server's. */
export const PAGE_MARKER = 'data-page="hello-privatelink"';

export interface SmokeTestOptions {
  /** The service's base URL, such as the network stage's ExternalUrl. */
  readonly url: string;
  /** The image tag /version must return. @default - any version */
  readonly expectVersion?: string;
  /** Overall budget in seconds for all checks with their retries. */
  readonly timeoutSeconds: number;
  /** Where progress lines go. */
  readonly log?: (line: string) => void;
  /** The first pause between attempts; it doubles up to 5 s. */
  readonly initialBackoffMs?: number;
}

export interface SmokeTestResult {
  readonly ok: boolean;
  /** One line: what passed, or what failed and why. */
  readonly summary: string;
  /** On failure, the last HTTP status the service answered with; absent when nothing answered in time. */
  readonly lastStatus?: number;
}

/**
 * How many /version answers in a row must all be the expected version: one answer could come from a task that is
 * still draining or a target group the load balancer has not left yet; five in a row, spread over the load
 * balancer's nodes and targets, confirm production has moved to the new version.
 */
export const VERSION_ANSWERS_IN_A_ROW = 5;

interface Check {
  readonly path: string;
  /** Requests per attempt, each of which must pass. @default 1 */
  readonly times?: number;
  /** Returns a problem, or undefined when the response is right. */
  readonly verify: (status: number, body: string) => string | undefined;
}

function checks(expectVersion?: string): Check[] {
  const status200 = (status: number) => (status === 200 ? undefined : `bad status ${status}, expected 200`);
  return [
    { path: '/healthz', verify: (status) => status200(status) },
    {
      path: '/',
      verify: (status, body) =>
        status200(status) ?? (body.includes(PAGE_MARKER) ? undefined : `missing marker ${PAGE_MARKER} in the page`),
    },
    {
      path: '/version',
      times: expectVersion === undefined ? 1 : VERSION_ANSWERS_IN_A_ROW,
      verify: (status, body) => {
        const actual = body.trim();
        if (status !== 200) return status200(status);
        if (expectVersion !== undefined && actual !== expectVersion) {
          return `version mismatch: expected ${expectVersion}, got ${actual || '(empty)'}`;
        }
        return undefined;
      },
    },
  ];
}

function describeFetchError(error: unknown, attemptMs: number): string {
  const e = error as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `timeout: no answer within ${attemptMs / 1000} s`;
  const cause = e.cause?.code ?? e.cause?.message ?? e.message;
  // fetch verifies the server's certificate against Node's CA store: a name or chain it cannot trust fails here.
  if (/CERT|SELF_SIGNED|TLS|SSL/i.test(String(e.cause?.code))) {
    return `TLS certificate rejected (${cause}: ${e.cause?.message ?? ''})`;
  }
  return `unreachable (${cause})`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the checks in order, retrying each with backoff until it passes or the overall deadline passes. */
export async function runSmokeTest(options: SmokeTestOptions): Promise<SmokeTestResult> {
  const log = options.log ?? (() => {});
  const started = Date.now();
  const deadline = started + options.timeoutSeconds * 1000;
  const base = options.url.replace(/\/+$/, '');
  for (const check of checks(options.expectVersion)) {
    let backoff = options.initialBackoffMs ?? 1000;
    let attempt = 0;
    for (;;) {
      attempt++;
      const remaining = deadline - Date.now();
      const attemptMs = Math.max(1, Math.min(10_000, remaining));
      let problem: string | undefined;
      let status: number | undefined;
      const times = check.times ?? 1;
      for (let answer = 1; answer <= times && problem === undefined; answer++) {
        try {
          const response = await fetch(`${base}${check.path}`, {
            signal: AbortSignal.timeout(attemptMs),
            redirect: 'follow',
          });
          status = response.status;
          problem = check.verify(response.status, await response.text());
        } catch (error) {
          status = undefined;
          problem = describeFetchError(error, attemptMs);
        }
        if (problem !== undefined && answer > 1) problem += ` (answer ${answer} of ${times} in a row)`;
      }
      const elapsed = ((Date.now() - started) / 1000).toFixed(1);
      if (problem === undefined) {
        const answers = (check.times ?? 1) > 1 ? `, ${check.times} answers in a row` : '';
        log(`✓ ${check.path} (attempt ${attempt}${answers}, ${elapsed} s)`);
        break;
      }
      log(`… ${check.path}: ${problem} (attempt ${attempt}, ${elapsed} s)`);
      if (Date.now() + backoff >= deadline) {
        return {
          ok: false,
          summary: `${check.path}: ${problem} (gave up after ${attempt} attempts, ${elapsed} s of ${options.timeoutSeconds} s)`,
          lastStatus: status,
        };
      }
      await sleep(backoff);
      backoff = Math.min(backoff * 2, 5000);
    }
  }
  const version = options.expectVersion ? ` serving ${options.expectVersion}` : '';
  return { ok: true, summary: `${base} is healthy${version}` };
}
