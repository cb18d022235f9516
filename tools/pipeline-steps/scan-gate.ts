// The scan gate: wait for a tag's scan, then fail on findings at or above the configured severity.
import {
  waitUntilImageScanComplete,
  type DescribeImageScanFindingsCommand,
  type DescribeImageScanFindingsCommandOutput,
  type ECRClient,
  type ImageScanFinding,
} from '@aws-sdk/client-ecr';
import type { ScanSeverity } from '../../config/load';
import { describeAwsFailure } from '../cli/aws';
import { CommandError } from '../cli/command';

/** Severities from least to most severe; a threshold fails on its own level and everything above. */
export const SEVERITY_ORDER: readonly string[] = ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];

export interface ScanGateOptions {
  /** Account A, the registry id. */
  readonly registryId: string;
  readonly repositoryName: string;
  readonly tag: string;
  readonly severityThreshold: ScanSeverity;
  readonly scanTimeoutSeconds: number;
  /** The first pause between scan status polls; later ones grow, up to MAX_POLL_SECONDS. */
  readonly pollIntervalMs?: number;
}

/** Turns an ECR error into a one-line reason that names the repository and account. */
export function describeEcrError(
  error: unknown,
  repositoryName: string,
  registryId: string,
  call = 'ECR call',
): string {
  const e = error as { name?: string; message?: string };
  if (e.name === 'RepositoryNotFoundException') {
    return `repository ${repositoryName} not found in account ${registryId}; deploy the registry stage first`;
  }
  if (e.name === 'AccessDeniedException' || e.name === 'AccessDenied' || /not authorized/i.test(e.message ?? '')) {
    return `access denied to repository ${repositoryName} in account ${registryId} (${e.message}); check the publisher role`;
  }
  return `${describeAwsFailure(call, error)} (repository ${repositoryName} in account ${registryId})`;
}

function findingsAtOrAbove(findings: readonly ImageScanFinding[], threshold: ScanSeverity): ImageScanFinding[] {
  const floor = SEVERITY_ORDER.indexOf(threshold);
  return findings.filter((f) => SEVERITY_ORDER.indexOf(f.severity ?? '') >= floor);
}

/** A scan takes seconds to a minute; the SDK's default backoff, up to 120 s, would see a finished one late. */
const MAX_POLL_SECONDS = 30;

/**
 * Waits for the tag's scan with the SDK's waiter, waitUntilImageScanComplete (@aws-sdk/client-ecr
 * waiters/waitForImageScanComplete, generated from ECR's ImageScanComplete waiter definition): it polls
 * DescribeImageScanFindings until imageScanStatus.status is COMPLETE, fails on FAILED, and polls again on anything
 * else, errors included; @smithy/core's createWaiter bounds it by maxWaitTime, backs off from minDelay to maxDelay
 * and stops on abortSignal. The client it polls through sees each answer: for the progress line, and to end the wait
 * at once on what the waiter would poll until its time ran out (a scan that cannot run, an error other than the
 * scan not existing yet).
 */
async function waitForScan(
  ecr: ECRClient,
  options: ScanGateOptions,
  log: (l: string) => void,
): Promise<ImageScanFinding[]> {
  const { registryId, repositoryName, tag, scanTimeoutSeconds } = options;
  const stop = new AbortController();
  let status = 'PENDING';
  let findings: ImageScanFinding[] = [];
  let refusal: CommandError | undefined;
  const progress = () => log(`  scan ${status.toLowerCase()}…`);
  const end = (reason: string) => {
    refusal = new CommandError(reason);
    stop.abort();
  };
  const polled = Object.create(ecr) as ECRClient;
  polled.send = (async (command: DescribeImageScanFindingsCommand) => {
    try {
      const answer: DescribeImageScanFindingsCommandOutput = await ecr.send(command);
      status = answer.imageScanStatus?.status ?? 'PENDING';
      findings = answer.imageScanFindings?.findings ?? [];
      if (status === 'FAILED' || status === 'UNSUPPORTED_IMAGE') {
        end(`the image scan ended ${status}: ${answer.imageScanStatus?.description ?? ''}`.trim());
      } else if (status !== 'COMPLETE') progress();
      return answer;
    } catch (error) {
      // Scan on push starts a moment after the push; until then the scan does not exist.
      if ((error as Error).name === 'ScanNotFoundException') progress();
      else end(describeEcrError(error, repositoryName, registryId, 'ECR DescribeImageScanFindings'));
      throw error;
    }
  }) as ECRClient['send'];
  const minDelay = Math.min((options.pollIntervalMs ?? 5000) / 1000, scanTimeoutSeconds / 2);
  try {
    await waitUntilImageScanComplete(
      {
        client: polled,
        maxWaitTime: scanTimeoutSeconds,
        minDelay,
        maxDelay: Math.max(minDelay, MAX_POLL_SECONDS),
        abortSignal: stop.signal,
      },
      { registryId, repositoryName, imageId: { imageTag: tag } },
    );
  } catch (error) {
    if (refusal) throw refusal;
    if ((error as Error).name !== 'TimeoutError') throw error;
    throw new CommandError(`scan timeout: the scan of ${tag} was still ${status} after ${scanTimeoutSeconds} s`);
  }
  return findings;
}

/** Waits for the tag's scan and fails on findings at or above the threshold, naming them. */
export async function passScanGate(ecr: ECRClient, options: ScanGateOptions, log: (l: string) => void): Promise<void> {
  log(`waiting for the scan of ${options.tag} (up to ${options.scanTimeoutSeconds} s)`);
  const blocking = findingsAtOrAbove(await waitForScan(ecr, options, log), options.severityThreshold);
  if (blocking.length > 0) {
    const list = blocking.map((f) => `${f.name} (${f.severity})`).join(', ');
    throw new CommandError(`${blocking.length} scan finding(s) at or above ${options.severityThreshold}: ${list}`);
  }
}
