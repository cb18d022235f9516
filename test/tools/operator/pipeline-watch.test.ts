import {
  GetPipelineExecutionCommand,
  ListActionExecutionsCommand,
  ListPipelineExecutionsCommand,
  type ActionExecutionDetail,
} from '@aws-sdk/client-codepipeline';
import { watchExecution, type PipelineApi } from '../../../tools/operator/pipeline-watch';

interface Poll {
  readonly status: string;
  readonly actions: ActionExecutionDetail[];
  readonly statusSummary?: string;
}

/**
 * A stand-in for CodePipeline that plays each execution's polls in order (the last one repeats), and lists
 * executions as given. It answers the three commands the watcher sends and rejects anything else.
 */
function fakePipeline(
  script: Record<string, Poll[]>,
  executions: Array<{ id: string; start: number; revision: string }> = [],
) {
  const served: Record<string, number> = {};
  const api: PipelineApi = {
    send: (async (command: unknown) => {
      if (command instanceof GetPipelineExecutionCommand) {
        const id = command.input.pipelineExecutionId!;
        const polls = script[id];
        served[id] = (served[id] ?? -1) + 1;
        const poll = polls[Math.min(served[id], polls.length - 1)];
        return {
          pipelineExecution: { pipelineExecutionId: id, status: poll.status, statusSummary: poll.statusSummary },
        };
      }
      if (command instanceof ListActionExecutionsCommand) {
        const id = command.input.filter!.pipelineExecutionId!;
        const polls = script[id];
        return { actionExecutionDetails: polls[Math.min(served[id], polls.length - 1)].actions };
      }
      if (command instanceof ListPipelineExecutionsCommand) {
        return {
          pipelineExecutionSummaries: executions.map((e) => ({
            pipelineExecutionId: e.id,
            startTime: new Date(e.start),
            sourceRevisions: [{ actionName: 'Source', revisionId: e.revision }],
          })),
        };
      }
      throw new Error(`unexpected command ${(command as object).constructor.name}`);
    }) as PipelineApi['send'],
  };
  return api;
}

const action = (stageName: string, actionName: string, status: string, message?: string): ActionExecutionDetail =>
  ({
    stageName,
    actionName,
    status,
    output: message ? { executionResult: { errorDetails: { message } } } : undefined,
  }) as ActionExecutionDetail;

/** A clock that advances by each sleep, so timeouts need no real waiting. */
function virtualClock() {
  let t = 0;
  return { now: () => t, sleep: async (ms: number) => void (t += ms) };
}

/** Watches execution e1 of pipeline p on a virtual clock; returns the result and the progress lines. */
async function watch(api: PipelineApi, options: { timeoutSeconds?: number; pollMs?: number } = {}) {
  const lines: string[] = [];
  const result = await watchExecution(api, {
    pipelineName: 'p',
    executionId: 'e1',
    timeoutSeconds: options.timeoutSeconds ?? 600,
    pollMs: options.pollMs,
    log: (l) => lines.push(l),
    ...virtualClock(),
  });
  return { result, lines };
}

describe('pipeline-watch', () => {
  test('prints each action once per status change and succeeds with the pipeline', async () => {
    const api = fakePipeline({
      e1: [
        { status: 'InProgress', actions: [action('Build', 'Synth', 'InProgress')] },
        { status: 'InProgress', actions: [action('Build', 'Synth', 'InProgress')] },
        {
          status: 'InProgress',
          actions: [action('Build', 'Synth', 'Succeeded'), action('Foundation', 'Registry.PublishImage', 'InProgress')],
        },
        {
          status: 'Succeeded',
          actions: [action('Build', 'Synth', 'Succeeded'), action('Foundation', 'Registry.PublishImage', 'Succeeded')],
        },
      ],
    });
    const { result, lines } = await watch(api);
    expect(result).toEqual({ ok: true, executionId: 'e1', summary: 'pipeline p succeeded (execution e1)' });
    expect(lines).toEqual([
      '▸ Build/Synth: InProgress',
      '✓ Build/Synth: Succeeded',
      '▸ Foundation/Registry.PublishImage: InProgress',
      '✓ Foundation/Registry.PublishImage: Succeeded',
    ]);
  });

  test('fails naming the stage, the action and the reason', async () => {
    const api = fakePipeline({
      e1: [
        {
          status: 'Failed',
          statusSummary: 'An action in this pipeline failed',
          actions: [
            action('Build', 'Synth', 'Succeeded'),
            action('ProductionService', 'SmokeTest-production', 'Failed', 'Build terminated with state: FAILED'),
          ],
        },
      ],
    });
    const { result } = await watch(api);
    expect(result.ok).toBe(false);
    expect(result.summary).toBe(
      'pipeline p failed in stage ProductionService, action SmokeTest-production: Build terminated with state: FAILED (An action in this pipeline failed)',
    );
  });

  test('times out with the action still running', async () => {
    const api = fakePipeline({
      e1: [{ status: 'InProgress', actions: [action('ProductionService', 'Approve-production', 'InProgress')] }],
    });
    const { result } = await watch(api, { timeoutSeconds: 60, pollMs: 10_000 });
    expect(result).toEqual({
      ok: false,
      executionId: 'e1',
      summary: 'timeout after 60 s: execution e1 still InProgress at ProductionService/Approve-production',
    });
  });

  test('follows the execution that self-mutation starts for the same commit', async () => {
    const api = fakePipeline(
      {
        e1: [{ status: 'Superseded', actions: [action('UpdatePipeline', 'SelfMutate', 'Succeeded')] }],
        e2: [{ status: 'Succeeded', actions: [action('Foundation', 'Registry.PublishImage', 'Succeeded')] }],
      },
      [
        { id: 'other', start: 3, revision: 'v-other' },
        { id: 'e2', start: 2, revision: 'v1' },
        { id: 'e1', start: 1, revision: 'v1' },
      ],
    );
    const { result, lines } = await watch(api);
    expect(result).toMatchObject({ ok: true, executionId: 'e2' });
    expect(lines).toContain('execution e1 ended Superseded after self-mutation (the pipeline restarts); following e2');
  });

  test.each(['Failed', 'Cancelled'])(
    'follows the restarted execution when self-mutation leaves the first one %s (aws/aws-cdk#9080)',
    async (status) => {
      const api = fakePipeline(
        {
          e1: [
            {
              status,
              actions: [
                action('UpdatePipeline', 'SelfMutate', 'Succeeded'),
                action('UpdatePipeline', 'SelfMutate', 'Failed'),
              ],
            },
          ],
          e2: [{ status: 'Succeeded', actions: [action('Foundation', 'Registry.PublishImage', 'Succeeded')] }],
        },
        [
          { id: 'e2', start: 2, revision: 'v1' },
          { id: 'e1', start: 1, revision: 'v1' },
        ],
      );
      const { result } = await watch(api);
      expect(result).toMatchObject({ ok: true, executionId: 'e2' });
    },
  );

  test('does not mistake a real failure after self-mutation for a restart', async () => {
    const api = fakePipeline(
      {
        e1: [
          {
            status: 'Failed',
            actions: [
              action('UpdatePipeline', 'SelfMutate', 'Succeeded'),
              action('Foundation', 'Registry.PublishImage', 'Failed', 'scan findings'),
            ],
          },
        ],
        e2: [{ status: 'Succeeded', actions: [] }],
      },
      [
        { id: 'e2', start: 2, revision: 'v1' },
        { id: 'e1', start: 1, revision: 'v1' },
      ],
    );
    const { result } = await watch(api);
    expect(result).toMatchObject({ ok: false, executionId: 'e1' });
    expect(result.summary).toContain('stage Foundation, action Registry.PublishImage: scan findings');
  });

  test('fails after its own window, not the whole timeout, when no execution follows a superseded one', async () => {
    // GIVEN an execution superseded by self-mutation, with no later execution of its commit, and 90 minutes to watch
    const api = fakePipeline(
      { e1: [{ status: 'Superseded', actions: [action('UpdatePipeline', 'SelfMutate', 'Succeeded')] }] },
      [{ id: 'e1', start: 1, revision: 'v1' }],
    );
    const clock = virtualClock();
    const lines: string[] = [];
    // WHEN it is watched
    const result = await watchExecution(api, {
      pipelineName: 'p',
      executionId: 'e1',
      timeoutSeconds: 5400,
      pollMs: 10_000,
      log: (l) => lines.push(l),
      ...clock,
    });
    // THEN it gives up after the successor's window of 180 s, saying so, long before the 5400 s timeout
    expect(result.summary).toBe(
      'execution e1 ended Superseded after self-mutation, and no later execution of the same commit started ' +
        'within 180 s; start the pipeline again, or see its execution history',
    );
    expect(clock.now()).toBe(180_000);
    expect(lines).toContain('execution e1 ended Superseded; waiting up to 180 s for its successor');
  });

  test('the successor window is no longer than the timeout', async () => {
    const api = fakePipeline(
      { e1: [{ status: 'Cancelled', actions: [action('UpdatePipeline', 'SelfMutate', 'Succeeded')] }] },
      [{ id: 'e1', start: 1, revision: 'v1' }],
    );
    const { result } = await watch(api, { timeoutSeconds: 60, pollMs: 10_000 });
    expect(result.summary).toMatch(/^execution e1 ended Cancelled after self-mutation, .* started within 60 s;/);
  });
});
