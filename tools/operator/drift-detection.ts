// CloudFormation drift detection on the app's stacks, each call bounded by the command's deadline: detect, wait for
// the detection, read the resource drifts, and keep the real ones (drift-report.ts).
import {
  DescribeStackDriftDetectionStatusCommand,
  DescribeStackResourceDriftsCommand,
  DetectStackDriftCommand,
  GetTemplateCommand,
  type CloudFormationClient,
  type StackResourceDrift,
} from '@aws-sdk/client-cloudformation';
import { describeAwsFailure } from '../cli/aws';
import { shorten } from '../cli/command';
import { realDrift, type DriftTarget, type StackReport } from './drift-report';
import type { TemplateResources } from './ecs-owned';

/** The part of CloudFormationClient drift detection uses; tests pass a fake. */
export interface CloudFormationApi {
  send: CloudFormationClient['send'];
}

export interface DetectOptions {
  /** When every stack must be done. */
  readonly deadline: number;
  readonly pollMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The types of resource ECS may rewrite. */
const OWNABLE_TYPES = new Set([
  'AWS::ElasticLoadBalancingV2::ListenerRule',
  'AWS::ElasticLoadBalancingV2::TargetGroup',
]);

/** At most this many pages of resource drifts (100 each): far more resources than a CloudFormation stack may hold. */
const MAX_PAGES = 20;

/** Every call gives up by the deadline, whatever the endpoint does; a failure keeps the raw error for its name. */
function boundedSend(api: CloudFormationApi, options: DetectOptions) {
  const now = options.now ?? Date.now;
  return <T>(command: unknown): Promise<T> =>
    (api.send as (c: unknown, o: unknown) => Promise<T>)(command, {
      abortSignal: AbortSignal.timeout(Math.max(1000, options.deadline - now() + 1000)),
    });
}

const label = (command: string) => `CloudFormation ${command}`;

/** Drift detection on one stack: detect, wait for it, read the resource drifts, keep the real ones. */
export async function detectStackDrift(
  api: CloudFormationApi,
  target: DriftTarget,
  options: DetectOptions,
): Promise<StackReport> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const send = boundedSend(api, options);
  const { stackName: StackName } = target;
  const failed = (reason: string): StackReport => ({ target, drifted: [], ignored: 0, failure: reason });

  let detectionId: string | undefined;
  try {
    ({ StackDriftDetectionId: detectionId } = await send<{ StackDriftDetectionId?: string }>(
      new DetectStackDriftCommand({ StackName }),
    ));
  } catch (error) {
    if (/does not exist/.test((error as Error).message ?? ''))
      return { target, missing: true, drifted: [], ignored: 0 };
    return failed(describeAwsFailure(label('DetectStackDrift'), error));
  }
  if (!detectionId) return failed(`${label('DetectStackDrift')} returned no detection id`);

  let status: { DetectionStatus?: string; DetectionStatusReason?: string; StackDriftStatus?: string };
  for (;;) {
    try {
      status = await send(new DescribeStackDriftDetectionStatusCommand({ StackDriftDetectionId: detectionId }));
    } catch (error) {
      return failed(describeAwsFailure(label('DescribeStackDriftDetectionStatus'), error));
    }
    if (status.DetectionStatus !== 'DETECTION_IN_PROGRESS') break;
    if (now() >= options.deadline) {
      return failed(`detection ${detectionId} still in progress at the end of the time budget (--timeout)`);
    }
    await sleep(Math.max(0, Math.min(options.pollMs ?? 5000, options.deadline - now())));
  }
  // DETECTION_FAILED means detection failed for at least one resource (the reason names it); the resources it did
  // check are still reported, so they are read and the stack is also marked as not wholly checked.
  const partial =
    status.DetectionStatus === 'DETECTION_FAILED'
      ? `detection failed for part of the stack: ${shorten(status.DetectionStatusReason ?? 'no reason given', 200)}`
      : undefined;
  if (status.StackDriftStatus === 'IN_SYNC') return { target, drifted: [], ignored: 0, failure: partial };

  const records: StackResourceDrift[] = [];
  try {
    let NextToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const out = await send<{ StackResourceDrifts?: StackResourceDrift[]; NextToken?: string }>(
        new DescribeStackResourceDriftsCommand({ StackName, MaxResults: 100, NextToken }),
      );
      records.push(...(out.StackResourceDrifts ?? []));
      NextToken = out.NextToken;
      if (!NextToken) break;
    }
  } catch (error) {
    return failed(describeAwsFailure(label('DescribeStackResourceDrifts'), error));
  }

  const changed = records.filter(
    (r) => r.StackResourceDriftStatus === 'MODIFIED' || r.StackResourceDriftStatus === 'DELETED',
  );
  if (changed.length === 0) return { target, drifted: [], ignored: 0, failure: partial };
  // ECS owns only listener rules and target groups; the deployed template says which ones (those of its services).
  let template: TemplateResources = { Resources: {} };
  if (changed.some((r) => OWNABLE_TYPES.has(r.ResourceType ?? ''))) {
    try {
      const { TemplateBody } = await send<{ TemplateBody?: string }>(new GetTemplateCommand({ StackName }));
      template = parseTemplate(TemplateBody);
    } catch (error) {
      return failed(describeAwsFailure(label('GetTemplate'), error));
    }
  }
  const { drifted, ignored } = realDrift(records, template);
  return { target, drifted, ignored, failure: partial };
}

/** A deployed template as CDK writes it (JSON); anything else owns nothing, so every difference is reported. */
function parseTemplate(body: string | undefined): TemplateResources {
  try {
    const parsed = JSON.parse(body ?? '');
    return parsed && typeof parsed === 'object' && parsed.Resources ? parsed : { Resources: {} };
  } catch {
    return { Resources: {} };
  }
}

/** Runs `work` over `items`, at most `limit` at a time, keeping their order. */
async function pooled<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Drift detection on every target: the accounts at once, each first asked whether its lookup role can be assumed
 * (`refusal` says why not, for all its stacks at once), then its stacks a few at a time (CloudFormation throttles
 * drift detections per account). The report keeps the targets' order.
 */
export async function detectAll(
  targets: readonly DriftTarget[],
  clientFor: (account: string) => CloudFormationApi,
  options: DetectOptions,
  refusal: (account: string) => Promise<string | undefined> = async () => undefined,
): Promise<StackReport[]> {
  const reports = new Map<DriftTarget, StackReport>();
  const accounts = [...new Set(targets.map((t) => t.account))];
  await Promise.all(
    accounts.map(async (account) => {
      const stacks = targets.filter((t) => t.account === account);
      const refused = await refusal(account);
      const results = refused
        ? stacks.map((target) => ({ target, drifted: [], ignored: 0, failure: refused }))
        : await pooled(stacks, 4, (target) => detectStackDrift(clientFor(account), target, options));
      stacks.forEach((target, i) => reports.set(target, results[i]));
    }),
  );
  return targets.map((target) => reports.get(target)!);
}
