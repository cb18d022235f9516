import type { ECRClient } from '@aws-sdk/client-ecr';
import { passScanGate, type ScanGateOptions } from '../../../tools/pipeline-steps/scan-gate';
import { IMAGE_TAG, REGISTRY_ACCOUNT } from '../../helpers/constants';

const OPTIONS: ScanGateOptions = {
  registryId: REGISTRY_ACCOUNT,
  repositoryName: 'hello',
  tag: IMAGE_TAG,
  severityThreshold: 'CRITICAL',
  scanTimeoutSeconds: 5,
  pollIntervalMs: 10,
};

const named = (name: string, message = name) => Object.assign(new Error(message), { name });

/** An ECR client that gives these answers to DescribeImageScanFindings in turn (the last one again), counted. */
function ecrAnswering(...answers: unknown[]) {
  const ecr = {
    calls: 0,
    config: {},
    send: async () => {
      const answer = answers[Math.min(ecr.calls++, answers.length - 1)];
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  return ecr;
}

/** The gate's outcome, its progress lines and how long it took. */
async function gate(ecr: ReturnType<typeof ecrAnswering>) {
  const lines: string[] = [];
  const started = Date.now();
  const error = await passScanGate(ecr as unknown as ECRClient, OPTIONS, (l) => lines.push(l)).then(
    () => undefined,
    (e: Error) => e.message,
  );
  return { error, lines, seconds: (Date.now() - started) / 1000 };
}

describe('the scan gate, on answers moto does not give', () => {
  test.each(['FAILED', 'UNSUPPORTED_IMAGE'])(
    'a scan that ends %s fails the gate at once with its description, after a progress line per poll',
    async (status) => {
      const ecr = ecrAnswering(
        named('ScanNotFoundException'),
        { imageScanStatus: { status: 'IN_PROGRESS' } },
        { imageScanStatus: { status, description: 'the scan could not read the layers' } },
      );
      const { error, lines, seconds } = await gate(ecr);
      expect(error).toBe(`the image scan ended ${status}: the scan could not read the layers`);
      expect(lines).toEqual([
        `waiting for the scan of ${IMAGE_TAG} (up to 5 s)`,
        '  scan pending…',
        '  scan in_progress…',
      ]);
      // The waiter polls again on anything but COMPLETE and FAILED: the gate ends it, well before its bound.
      expect([ecr.calls, seconds < OPTIONS.scanTimeoutSeconds / 2]).toEqual([3, true]);
    },
  );

  test('an error other than a missing scan fails the gate at once, naming the repository and account', async () => {
    const ecr = ecrAnswering(named('AccessDeniedException', 'not authorized to perform ecr:DescribeImageScanFindings'));
    const { error, seconds } = await gate(ecr);
    expect(error).toBe(
      `access denied to repository hello in account ${REGISTRY_ACCOUNT} (not authorized to perform ecr:DescribeImageScanFindings); check the publisher role`,
    );
    expect([ecr.calls, seconds < OPTIONS.scanTimeoutSeconds / 2]).toEqual([1, true]);
  });

  test('a complete scan passes with findings below the threshold, and prints no progress line', async () => {
    const ecr = ecrAnswering({
      imageScanStatus: { status: 'COMPLETE' },
      imageScanFindings: { findings: [{ name: 'CVE-1', severity: 'HIGH' }] },
    });
    expect(await gate(ecr)).toMatchObject({ error: undefined, lines: [expect.stringMatching(/^waiting for/)] });
  });
});
