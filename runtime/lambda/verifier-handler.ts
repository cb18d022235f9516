// The in-VPC verifier: a Lambda in the workload VPC's isolated subnets that runs the service checks where only the
// VPC can reach the load balancer. Two callers:
// - the pipeline's post-deploy check, across accounts, when the load balancer is internal (SERVICE_URL);
// - ECS, as the blue/green lifecycle hook that checks the new tasks through the test listener (TEST_URL): directly for
//   an internal load balancer, through the relay outside the VPC (hook-relay-handler.ts) for an internet-facing one,
//   which adds the load balancer's private addresses.
// Either reads the answer from the invocation's response. It is bundled into the template as inline code.
import { HOOK_ROUND_SECONDS, isHookEvent, runDeploymentHook, type HookResponse } from './deployment-hook';
import type { RelayedHookEvent } from './hook-relay-handler';
import { runSmokeTest } from '../service-checks';

/** What the pipeline's post-deploy check sends. */
export interface VerifyRequest {
  /** The service URL; it must be the one this verifier is for (its SERVICE_URL). */
  readonly url: string;
  /** The image tag /version must return. */
  readonly expectVersion?: string;
  /** The budget of this invocation; the function's own remaining time caps it. */
  readonly timeoutSeconds: number;
}

export interface VerifyResponse {
  readonly ok: boolean;
  /** One line: what passed, or what failed and why. */
  readonly summary: string;
  /** The progress lines of each attempt. */
  readonly lines: readonly string[];
}

/** The part of Lambda's context object the verifier uses. */
export interface LambdaContext {
  getRemainingTimeInMillis(): number;
}

/** Time kept back from the function's own timeout, to answer before Lambda stops it. */
const ANSWER_MARGIN_MS = 2000;

function refuse(summary: string): VerifyResponse {
  return { ok: false, summary, lines: [] };
}

/** At most this many addresses: a load balancer has one per zone, and a relayed list is checked one by one. */
const MAX_ADDRESSES = 16;

/**
 * The load balancer's private addresses the relay looked up, or why it could not; undefined when ECS invoked the
 * verifier directly. Only IPv4 addresses are taken: the security group lets the function reach nothing else anyway.
 */
function relayedAddresses(event: RelayedHookEvent): (() => Promise<string[]>) | undefined {
  if (event.addressLookupError !== undefined) {
    const reason = String(event.addressLookupError).slice(0, 300);
    return () => Promise.reject(new Error(reason));
  }
  if (event.loadBalancerAddresses === undefined) return undefined;
  const addresses = (Array.isArray(event.loadBalancerAddresses) ? event.loadBalancerAddresses : [])
    .filter((ip) => typeof ip === 'string' && /^(\d{1,3}\.){3}\d{1,3}$/.test(ip))
    .slice(0, MAX_ADDRESSES);
  return () => Promise.resolve(addresses);
}

export async function handler(event: unknown, context?: LambdaContext): Promise<VerifyResponse | HookResponse> {
  // The schedule that keeps the function active (KEEP_WARM_EVENT in stages/service/in-vpc-verifier.ts): nothing to check.
  if ((event as { keepWarm?: unknown } | null)?.keepWarm === true) return { ok: true, summary: 'kept warm', lines: [] };
  const remainingSeconds = ((context?.getRemainingTimeInMillis() ?? Infinity) - ANSWER_MARGIN_MS) / 1000;
  if (isHookEvent(event)) {
    const testUrl = process.env.TEST_URL;
    if (!testUrl) {
      console.log('FAILED: the verifier has no TEST_URL, so it cannot check a blue/green deployment');
      return { hookStatus: 'FAILED' };
    }
    return runDeploymentHook(event, {
      testUrl,
      addresses: relayedAddresses(event),
      roundSeconds: Math.max(1, Math.min(HOOK_ROUND_SECONDS, remainingSeconds)),
    });
  }
  const serviceUrl = process.env.SERVICE_URL;
  const request = (event ?? {}) as Partial<VerifyRequest>;
  if (!serviceUrl) return refuse('refused: the verifier has no SERVICE_URL');
  // Only its own service: an invoker cannot point it at other addresses inside the VPC.
  if (request.url !== serviceUrl) {
    return refuse(`refused: this verifier checks ${serviceUrl} only, not ${String(request.url).slice(0, 200)}`);
  }
  if (request.expectVersion !== undefined && !/^[\w.-]{1,128}$/.test(String(request.expectVersion))) {
    return refuse('refused: expectVersion is not an image tag');
  }
  const requested = Number(request.timeoutSeconds);
  if (!Number.isFinite(requested) || requested <= 0) return refuse('refused: timeoutSeconds must be a positive number');
  const lines: string[] = [];
  const result = await runSmokeTest({
    url: serviceUrl,
    expectVersion: request.expectVersion,
    timeoutSeconds: Math.max(1, Math.min(requested, remainingSeconds)),
    log: (line) => lines.push(line),
  });
  return { ...result, lines };
}
