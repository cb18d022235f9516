// The blue/green pre-traffic check, run by the in-VPC verifier when ECS invokes it as a lifecycle hook. After test
// traffic has moved to the new tasks, it runs the service checks through the test listener and tells ECS whether
// to go on: SUCCEEDED, IN_PROGRESS (ask again later) or FAILED (roll back). ECS reads the answer from the
// invocation's response, so the check makes no AWS call, except the address lookup an internet-facing load balancer
// needs.
import { runSmokeTest } from '../service-checks';

/** What the service stack puts in the hook's HookDetails; ECS passes it on every invocation. */
export interface HookDetails {
  /** The image tag this deployment rolls out: /version must return it. */
  readonly expectVersion: string;
  /** How long the new tasks may stay unreachable through the test listener before the deployment rolls back. */
  readonly deadlineSeconds: number;
  /** When the first check ran (epoch ms); returned with IN_PROGRESS, and ECS merges it back in. */
  readonly firstCheckAt?: number;
}

/**
 * The new tasks have passed their target group's health checks before ECS moves test traffic to them (ECS developer
 * guide, "Amazon ECS blue/green deployments"), so they normally answer at once; 10 minutes covers a slow listener
 * change without letting a dead version hold a deployment for the 24-hour hook timeout.
 */
export const HOOK_DEADLINE_SECONDS = 600;
/** Seconds until ECS asks again after IN_PROGRESS (its default is 30). */
export const HOOK_CALLBACK_DELAY_SECONDS = 15;
/** The budget of one invocation's checks, with retries; far inside the function's timeout. */
export const HOOK_ROUND_SECONDS = 20;

/** The fields of ECS's lifecycle hook event the check reads (ECS developer guide, "Lambda hooks"). */
export interface HookEvent {
  readonly lifecycleStage?: string;
  readonly executionDetails?: { readonly serviceArn?: string; readonly targetServiceRevisionArn?: string };
  readonly hookDetails?: Partial<HookDetails>;
}

export interface HookResponse {
  readonly hookStatus: 'SUCCEEDED' | 'FAILED' | 'IN_PROGRESS';
  readonly callBackDelay?: number;
  readonly hookDetails?: Partial<HookDetails>;
}

export function isHookEvent(event: unknown): event is HookEvent {
  return typeof event === 'object' && event !== null && ('executionDetails' in event || 'lifecycleStage' in event);
}

export interface HookOptions {
  /** The test listener's URL; with addresses, only its port and scheme are used. */
  readonly testUrl: string;
  /** Resolves the load balancer's private addresses, when its name does not lead there from the VPC. */
  readonly addresses?: () => Promise<string[]>;
  readonly now?: () => number;
  readonly log?: (line: string) => void;
  readonly roundSeconds?: number;
  readonly initialBackoffMs?: number;
}

/** 502, 503 and 504 come from the load balancer while it has no healthy target yet: not an answer of the tasks. */
const NOT_ANSWERING_YET = new Set([502, 503, 504]);

export async function runDeploymentHook(event: HookEvent, options: HookOptions): Promise<HookResponse> {
  const log = options.log ?? ((line: string) => console.log(line));
  const now = options.now ?? Date.now;
  const details = event.hookDetails ?? {};
  const expectVersion = String(details.expectVersion ?? '');
  const deadlineSeconds = Number(details.deadlineSeconds);
  if (!/^[\w.-]{1,128}$/.test(expectVersion) || !Number.isFinite(deadlineSeconds) || deadlineSeconds <= 0) {
    log(`FAILED: the hook's details name no image tag and deadline: ${JSON.stringify(details).slice(0, 200)}`);
    return { hookStatus: 'FAILED' };
  }
  const firstCheckAt = Number.isFinite(Number(details.firstCheckAt)) ? Number(details.firstCheckAt) : now();
  const revision = event.executionDetails?.targetServiceRevisionArn ?? 'the new revision';
  log(`checking ${revision} for version ${expectVersion} through the test listener (${event.lifecycleStage ?? ''})`);

  let urls = [options.testUrl];
  let notAnswering: string;
  try {
    if (options.addresses) {
      const test = new URL(options.testUrl);
      urls = (await options.addresses()).map((ip) => `${test.protocol}//${ip}:${test.port}`);
    }
    notAnswering = urls.length === 0 ? 'the load balancer has no private address yet' : '';
  } catch (error) {
    urls = [];
    notAnswering = `cannot look up the load balancer's addresses (${(error as Error).message})`;
  }
  // One budget for every address: silent addresses each spending a full round would pass the function's own timeout,
  // and a function that times out is a failed invocation, which rolls the deployment back (ECS guide, "Lambda hooks").
  const roundEndsAt = Date.now() + (options.roundSeconds ?? HOOK_ROUND_SECONDS) * 1000;
  for (const url of urls) {
    const leftSeconds = (roundEndsAt - Date.now()) / 1000;
    if (leftSeconds < 0.5) break;
    const result = await runSmokeTest({
      url,
      expectVersion,
      timeoutSeconds: leftSeconds,
      log,
      initialBackoffMs: options.initialBackoffMs,
    });
    if (result.ok) {
      log(`SUCCEEDED: ${result.summary}`);
      return { hookStatus: 'SUCCEEDED' };
    }
    if (result.lastStatus !== undefined && !NOT_ANSWERING_YET.has(result.lastStatus)) {
      // The new tasks answered, and answered wrong: a version mismatch, a missing page or an error status.
      log(`FAILED: ${result.summary}`);
      return { hookStatus: 'FAILED' };
    }
    notAnswering = result.summary;
  }
  const waitedSeconds = Math.round((now() - firstCheckAt) / 1000);
  if (waitedSeconds >= deadlineSeconds) {
    log(`FAILED: the new tasks did not answer within ${deadlineSeconds} s: ${notAnswering}`);
    return { hookStatus: 'FAILED' };
  }
  log(`IN_PROGRESS: not answering yet after ${waitedSeconds} s of ${deadlineSeconds} s: ${notAnswering}`);
  return { hookStatus: 'IN_PROGRESS', callBackDelay: HOOK_CALLBACK_DELAY_SECONDS, hookDetails: { firstCheckAt } };
}
