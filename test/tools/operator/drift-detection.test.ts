// Drift detection on one stack, against a CloudFormation played call by call and a clock that needs no waiting.
import type { StackResourceDrift } from '@aws-sdk/client-cloudformation';
import { detectStackDrift, type CloudFormationApi } from '../../../tools/operator/drift-detection';
import { EXIT_DRIFTED, EXIT_FAILED, formatReport } from '../../../tools/operator/drift-report';
import { PRODUCTION_ACCOUNT } from '../../helpers/constants';
import {
  ALTERNATE_ARN,
  PRIMARY_ARN,
  alternate,
  blueGreen,
  inSync,
  primary,
  rule,
  ruleRewritten,
  targetGroup,
  taskDefinition,
} from './drift-fixtures';

/** A stand-in for CloudFormation's drift calls, played per call as given. */
function fakeCloudFormation(answer: (name: string, input: Record<string, any>) => unknown) {
  const calls: string[] = [];
  const api: CloudFormationApi = {
    send: (async (command: { input: Record<string, any> }) => {
      const name = command.constructor.name.replace(/Command$/, '');
      calls.push(name);
      const out = answer(name, command.input);
      if (out instanceof Error) throw out;
      return out;
    }) as CloudFormationApi['send'],
  };
  return { api, calls };
}

/** A clock that advances by each sleep, so timeouts need no real waiting. */
function virtualClock() {
  let t = 0;
  return { now: () => t, sleep: async (ms: number) => void (t += ms) };
}

const TARGET = { stackName: 'p-production-service', account: PRODUCTION_ACCOUNT };

describe('drift detection on one stack', () => {
  test('gives up at the deadline, naming the detection still in progress, after polling every 5 s', async () => {
    const { api, calls } = fakeCloudFormation((name) =>
      name === 'DetectStackDrift' ? { StackDriftDetectionId: 'd-1' } : { DetectionStatus: 'DETECTION_IN_PROGRESS' },
    );
    const clock = virtualClock();
    const report = await detectStackDrift(api, TARGET, { deadline: 60_000, ...clock });
    expect(report.failure).toBe('detection d-1 still in progress at the end of the time budget (--timeout)');
    expect(clock.now()).toBe(60_000);
    expect(calls.filter((c) => c === 'DescribeStackDriftDetectionStatus')).toHaveLength(13);
  });

  test('reads no resource drifts of a stack in sync', async () => {
    const { api, calls } = fakeCloudFormation((name) =>
      name === 'DetectStackDrift'
        ? { StackDriftDetectionId: 'd-1' }
        : { DetectionStatus: 'DETECTION_COMPLETE', StackDriftStatus: 'IN_SYNC' },
    );
    const report = await detectStackDrift(api, TARGET, { deadline: 60_000, ...virtualClock() });
    expect(report).toEqual({ target: TARGET, drifted: [], ignored: 0, failure: undefined });
    expect(calls).toEqual(['DetectStackDrift', 'DescribeStackDriftDetectionStatus']);
  });

  test('says a missing stack is not deployed, and calls nothing more', async () => {
    const { api, calls } = fakeCloudFormation(() =>
      Object.assign(new Error('Stack with id p-production-service does not exist'), { name: 'ValidationError' }),
    );
    expect(await detectStackDrift(api, TARGET, { deadline: 60_000, ...virtualClock() })).toEqual({
      target: TARGET,
      missing: true,
      drifted: [],
      ignored: 0,
    });
    expect(calls).toEqual(['DetectStackDrift']);
  });

  test('reads every page, the template only when a rule or target group drifted, and reports a partial detection', async () => {
    // GIVEN a detection that failed for part of the stack, and resource drifts over two pages
    const pages: Record<string, { StackResourceDrifts: StackResourceDrift[]; NextToken?: string }> = {
      first: {
        StackResourceDrifts: [
          ruleRewritten(rule),
          targetGroup(primary, PRIMARY_ARN),
          inSync('Service', 'AWS::ECS::Service'),
        ],
        NextToken: 'second',
      },
      second: {
        StackResourceDrifts: [
          targetGroup(alternate, ALTERNATE_ARN, [['/Port', '8080', '80']]),
          inSync(taskDefinition, 'AWS::ECS::TaskDefinition'),
        ],
      },
    };
    const { api, calls } = fakeCloudFormation((name, input) => {
      if (name === 'DetectStackDrift') return { StackDriftDetectionId: 'd-1' };
      if (name === 'DescribeStackDriftDetectionStatus') {
        return {
          DetectionStatus: 'DETECTION_FAILED',
          DetectionStatusReason: 'Failed to detect drift on resource [VerifierInlineFunction]',
          StackDriftStatus: 'DRIFTED',
        };
      }
      if (name === 'DescribeStackResourceDrifts') return pages[input.NextToken ?? 'first'];
      if (name === 'GetTemplate') return { TemplateBody: JSON.stringify(blueGreen) };
      return new Error(`unexpected ${name}`);
    });
    // WHEN it runs
    const report = await detectStackDrift(api, TARGET, { deadline: 60_000, ...virtualClock() });
    // THEN the rule's weights are left out, the port is drift, and the part not checked is said
    expect(calls).toEqual([
      'DetectStackDrift',
      'DescribeStackDriftDetectionStatus',
      'DescribeStackResourceDrifts',
      'DescribeStackResourceDrifts',
      'GetTemplate',
    ]);
    expect(report.ignored).toBe(2);
    expect(report.drifted.map((d) => [d.logicalId, d.differences.map((x) => x.path)])).toEqual([
      [alternate, ['/Port']],
    ]);
    expect(report.failure).toBe(
      'detection failed for part of the stack: Failed to detect drift on resource [VerifierInlineFunction]',
    );
    expect(formatReport([report])).toEqual({
      code: EXIT_DRIFTED,
      lines: [
        `p-production-service (${PRODUCTION_ACCOUNT}): 1 drifted resource(s); 2 difference(s) ECS owns by design left out`,
        `  p-production-service/${alternate} (AWS::ElasticLoadBalancingV2::TargetGroup) modified: /Port expected 8080, actual 80`,
        `p-production-service (${PRODUCTION_ACCOUNT}): not checked: detection failed for part of the stack: Failed to detect drift on resource [VerifierInlineFunction]`,
        'drift: 1 drifted resource(s) in 1 of 1 deployed stack(s)',
      ],
    });
  });

  test('names a refused call and its reason in the one line of a stack it could not check', async () => {
    const { api } = fakeCloudFormation(() =>
      Object.assign(new Error('User: arn:aws:sts::1:assumed-role/x is not authorized to perform: sts:AssumeRole'), {
        name: 'AccessDenied',
      }),
    );
    const report = await detectStackDrift(api, TARGET, { deadline: 60_000, ...virtualClock() });
    expect(formatReport([report])).toEqual({
      code: EXIT_FAILED,
      lines: [
        `p-production-service (${PRODUCTION_ACCOUNT}): not checked: CloudFormation DetectStackDrift failed: AccessDenied: ` +
          'User: arn:aws:sts::1:assumed-role/x is not authorized to perform: sts:AssumeRole',
        'drift: 1 of 1 deployed stack(s) not checked; no drift in the rest',
      ],
    });
  });
});
