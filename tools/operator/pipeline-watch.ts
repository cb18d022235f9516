// `pipeline-watch --execution ID [--config FILE] [--pipeline NAME] [--timeout S]`: follow one CodePipeline execution, print each
// action's progress, and exit non-zero unless it succeeds. The deploy workflow runs it so that the commit's status
// in GitHub is the deploy's result. When self-mutation restarts the pipeline, it follows the new execution.
import {
  CodePipelineClient,
  GetPipelineExecutionCommand,
  ListActionExecutionsCommand,
  ListPipelineExecutionsCommand,
  type ActionExecutionDetail,
} from '@aws-sdk/client-codepipeline';
import { DEFAULT_CONFIG_PATH, loadConfig } from '../../config/load';
import { pipelineName } from '../../config/names';
import { awsBoundsText, awsCall, boundedClient } from '../cli/aws';
import { CommandError, nonEmpty, parseCommandLine, runCommand, seconds } from '../cli/command';
import { configFlag } from '../cli/config-flag';

/** The part of CodePipelineClient the watcher uses; tests pass a fake. */
export interface PipelineApi {
  send: CodePipelineClient['send'];
}

export interface WatchOptions {
  readonly pipelineName: string;
  readonly executionId: string;
  readonly timeoutSeconds: number;
  readonly pollMs?: number;
  readonly log?: (line: string) => void;
  /** The clock, injectable so tests need not wait. */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * How long to wait for the execution that restarts after self-mutation: CodePipeline starts it within seconds, so
   * an execution that ended that way and has none after this long has no successor coming.
   * @default SUCCESSOR_WINDOW_SECONDS
   */
  readonly successorWindowSeconds?: number;
}

/** The successor's own window: well past the seconds CodePipeline takes to restart, far short of the whole timeout. */
export const SUCCESSOR_WINDOW_SECONDS = 180;

export interface WatchResult {
  readonly ok: boolean;
  /** The execution that finished, which differs from the first after self-mutation. */
  readonly executionId: string;
  /** One line: success, or which stage and action failed and why. */
  readonly summary: string;
}

const FINAL_FAILURES = new Set(['Failed', 'Stopped', 'Cancelled']);

/**
 * Whether an execution ended because self-mutation changed the pipeline, which then restarts on the same
 * commit. CodePipeline reports that as Superseded, or as Cancelled ("the pipeline's definition was updated before
 * the pipeline execution could be completed", API reference, PipelineExecution), and aws/aws-cdk#9080 shows it as
 * Failed in the UpdatePipeline stage after SelfMutate succeeded. Any other failure is a real one.
 */
function endedBySelfMutation(status: string, actions: readonly ActionExecutionDetail[]): boolean {
  if (status === 'Superseded') return true;
  if (status !== 'Failed' && status !== 'Cancelled') return false;
  const selfMutated = actions.some((a) => a.actionName === 'SelfMutate' && a.status === 'Succeeded');
  const failedElsewhere = actions.some((a) => a.status === 'Failed' && a.stageName !== 'UpdatePipeline');
  return selfMutated && !failedElsewhere;
}

function actionLabel(a: ActionExecutionDetail): string {
  return `${a.stageName}/${a.actionName}`;
}

function failureDetail(a: ActionExecutionDetail): string {
  const result = a.output?.executionResult;
  return result?.errorDetails?.message ?? result?.externalExecutionSummary ?? a.status ?? 'failed';
}

async function actionsOf(
  api: PipelineApi,
  pipelineName: string,
  executionId: string,
): Promise<ActionExecutionDetail[]> {
  const out = await api.send(
    new ListActionExecutionsCommand({ pipelineName, filter: { pipelineExecutionId: executionId } }),
  );
  return out.actionExecutionDetails ?? [];
}

/** The execution that superseded this one: the newest that started later for the same source revision. */
async function successorOf(api: PipelineApi, pipelineName: string, executionId: string): Promise<string | undefined> {
  const { pipelineExecutionSummaries = [] } = await api.send(
    new ListPipelineExecutionsCommand({ pipelineName, maxResults: 20 }),
  );
  const current = pipelineExecutionSummaries.find((e) => e.pipelineExecutionId === executionId);
  const revision = current?.sourceRevisions?.[0]?.revisionId;
  return pipelineExecutionSummaries.find(
    (e) =>
      e.pipelineExecutionId !== executionId &&
      (e.startTime?.getTime() ?? 0) >= (current?.startTime?.getTime() ?? 0) &&
      (revision === undefined || e.sourceRevisions?.[0]?.revisionId === revision),
  )?.pipelineExecutionId;
}

export async function watchExecution(rawApi: PipelineApi, options: WatchOptions): Promise<WatchResult> {
  const log = options.log ?? (() => {});
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = now() + options.timeoutSeconds * 1000;
  // Every call ends by the deadline, whatever the endpoint does, and fails naming the call.
  const api: PipelineApi = {
    send: ((command: { constructor: { name: string } }) =>
      awsCall(`CodePipeline ${command.constructor.name.replace(/Command$/, '')}`, () =>
        (rawApi.send as (c: unknown, o: unknown) => Promise<unknown>)(command, {
          abortSignal: AbortSignal.timeout(Math.max(1000, deadline - now() + 1000)),
        }),
      )) as PipelineApi['send'],
  };
  const { pipelineName } = options;
  let executionId = options.executionId;
  const seen = new Map<string, string>();
  /** When the current execution was first seen ended by self-mutation with no successor. */
  let orphanedSince: number | undefined;

  for (;;) {
    const { pipelineExecution } = await api.send(
      new GetPipelineExecutionCommand({ pipelineName, pipelineExecutionId: executionId }),
    );
    const status = pipelineExecution?.status ?? 'InProgress';
    const actions = await actionsOf(api, pipelineName, executionId);
    for (const action of actions) {
      const key = `${executionId}:${actionLabel(action)}`;
      if (seen.get(key) !== action.status) {
        seen.set(key, action.status ?? '');
        const mark = action.status === 'Succeeded' ? '✓' : action.status === 'InProgress' ? '▸' : '✗';
        log(`${mark} ${actionLabel(action)}: ${action.status}`);
      }
    }

    if (status === 'Succeeded') {
      return { ok: true, executionId, summary: `pipeline ${pipelineName} succeeded (execution ${executionId})` };
    }
    if (endedBySelfMutation(status, actions)) {
      const next = await successorOf(api, pipelineName, executionId);
      if (next) {
        log(`execution ${executionId} ended ${status} after self-mutation (the pipeline restarts); following ${next}`);
        executionId = next;
        orphanedSince = undefined;
        continue;
      }
      orphanedSince ??= now();
      const window = Math.min(options.successorWindowSeconds ?? SUCCESSOR_WINDOW_SECONDS, options.timeoutSeconds);
      if (orphanedSince === now())
        log(`execution ${executionId} ended ${status}; waiting up to ${window} s for its successor`);
      if (now() - orphanedSince >= window * 1000 || now() >= deadline) {
        return {
          ok: false,
          executionId,
          summary:
            `execution ${executionId} ended ${status} after self-mutation, and no later execution of the same ` +
            `commit started within ${window} s; start the pipeline again, or see its execution history`,
        };
      }
      await sleep(options.pollMs ?? 10_000);
      continue;
    }
    if (FINAL_FAILURES.has(status)) {
      const failed = actions.filter((a) => a.status === 'Failed' || a.status === 'Abandoned');
      const where = failed.map((a) => `stage ${a.stageName}, action ${a.actionName}: ${failureDetail(a)}`).join('; ');
      return {
        ok: false,
        executionId,
        summary: `pipeline ${pipelineName} ${status.toLowerCase()}${where ? ` in ${where}` : ''}${pipelineExecution?.statusSummary ? ` (${pipelineExecution.statusSummary})` : ''}`,
      };
    }
    if (now() >= deadline) {
      const running = actions.filter((a) => a.status === 'InProgress').map(actionLabel);
      return {
        ok: false,
        executionId,
        summary: `timeout after ${options.timeoutSeconds} s: execution ${executionId} still ${status}${running.length ? ` at ${running.join(', ')}` : ''}`,
      };
    }
    await sleep(options.pollMs ?? 10_000);
  }
}

const SPEC = {
  name: 'pipeline-watch',
  usage: `
usage: npm run pipeline-watch -- --execution ID [--config FILE] [--pipeline NAME] [--timeout SECONDS]

Follows one execution of the pipeline, printing each action's progress, and exits 0 only if it succeeds. After
self-mutation it follows the execution that restarts on the same commit.

  --execution ID     the execution to follow (required)
  --config FILE      the deployment configuration (default ${DEFAULT_CONFIG_PATH}): the pipeline and region
  --pipeline NAME    another pipeline in that region (default: the config's, its projectName)
  --timeout SECONDS  how long to follow it (default 5400)
  --help             print this and do nothing

${awsBoundsText()}
`,
  options: {
    execution: { type: 'string' },
    config: { type: 'string' },
    pipeline: { type: 'string' },
    timeout: { type: 'string' },
  },
} as const;

async function main(): Promise<number> {
  const parsed = parseCommandLine(SPEC, process.argv.slice(2));
  if (!parsed) return 0;
  const { values } = parsed;
  if (!values.execution) throw new CommandError('--execution is missing; see --help');
  const timeoutSeconds = seconds('--timeout', values.timeout, 5400);
  const config = loadConfig(configFlag(values.config));
  const api = boundedClient(CodePipelineClient, { region: config.region });
  const result = await watchExecution(api, {
    pipelineName: nonEmpty('--pipeline', values.pipeline, 'a pipeline name') ?? pipelineName(config),
    executionId: values.execution,
    timeoutSeconds,
    log: (l) => console.log(l),
  });
  if (!result.ok) throw new CommandError(result.summary);
  console.log(result.summary);
  return 0;
}

if (require.main === module) runCommand(SPEC.name, main);
