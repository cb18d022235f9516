// The pipeline's part of `npm run status`: its newest execution, and each environment's stages in its state; read
// in the tooling account as its lookup role.
import {
  CodePipelineClient,
  GetPipelineStateCommand,
  ListPipelineExecutionsCommand,
  type GetPipelineStateCommandOutput,
  type ListPipelineExecutionsCommandOutput,
  type StageState,
} from '@aws-sdk/client-codepipeline';
import type { DeployConfig } from '../../config/load';
import { environmentStageIds, pipelineName } from '../../config/names';
import { boundedClient } from '../cli/aws';
import { read, type Account, type Call } from './status-calls';
import {
  isoTime,
  isUnreadable,
  type PipelineActionStatus,
  type PipelineStageStatus,
  type PipelineStatus,
  type Read,
} from './status-report';

function actionStatus(action: NonNullable<StageState['actionStates']>[number]): PipelineActionStatus {
  const latest = action.latestExecution;
  const detail = latest?.errorDetails?.message ?? (latest?.status === 'Failed' ? latest.summary : undefined);
  return {
    name: action.actionName ?? '(unnamed)',
    status: latest?.status ?? 'NeverRan',
    ...(isoTime(latest?.lastStatusChange) ? { at: isoTime(latest?.lastStatusChange) } : {}),
    ...(detail ? { detail } : {}),
  };
}

/** One status for several actions: the worst of them, and NeverRan when none ran. */
function combinedStatus(actions: readonly PipelineActionStatus[]): string {
  const ran = actions.filter((a) => a.status !== 'NeverRan');
  if (ran.length === 0) return 'NeverRan';
  for (const status of ['Failed', 'Abandoned', 'InProgress', 'Stopped', 'Stopping', 'Cancelled']) {
    if (ran.some((a) => a.status === status)) return status;
  }
  return ran.every((a) => a.status === 'Succeeded') ? 'Succeeded' : ran[0].status;
}

/**
 * The environment's stages in the pipeline's state (CodePipeline GetPipelineState): its network stage, or, for the
 * first environment, its network's actions in the Foundation wave (CDK Pipelines prefixes a wave's actions with the
 * stage's id); and its service stage. A stage the pipeline does not hold yet is NotInPipeline.
 */
export function environmentStages(stageStates: readonly StageState[], environmentName: string): PipelineStageStatus[] {
  const ids = environmentStageIds(environmentName);
  return [ids.network, ids.service].map((stage) => {
    const own = stageStates.find((s) => s.stageName === stage);
    const holder = own ?? stageStates.find((s) => s.actionStates?.some((a) => a.actionName?.startsWith(`${stage}.`)));
    const actions = (holder?.actionStates ?? [])
      .filter((a) => own !== undefined || a.actionName?.startsWith(`${stage}.`))
      .map(actionStatus);
    const times = actions.flatMap((a) => (a.at ? [a.at] : [])).sort();
    const status = !holder
      ? 'NotInPipeline'
      : ((own ? own.latestExecution?.status : undefined) ?? combinedStatus(actions));
    const executionId = status === 'NeverRan' ? undefined : holder?.latestExecution?.pipelineExecutionId;
    return {
      stage,
      pipelineStage: holder?.stageName ?? stage,
      status,
      ...(executionId ? { executionId } : {}),
      ...(times.length > 0 ? { at: times[times.length - 1] } : {}),
      actions,
    };
  });
}

/** The pipeline in the tooling account: its state (every stage's latest execution) and its newest executions. */
export async function readPipeline(config: DeployConfig, account: Account, call: Call) {
  const name = pipelineName(config);
  if (isUnreadable(account.credentials)) return { summary: account.credentials, state: account.credentials };
  const codepipeline = boundedClient(CodePipelineClient, {
    region: config.region,
    credentials: account.credentials,
  });
  const [state, executions] = await Promise.all([
    read(async () => {
      const out = await call<GetPipelineStateCommandOutput>(
        'CodePipeline',
        codepipeline,
        new GetPipelineStateCommand({ name }),
      );
      return out.stageStates ?? [];
    }),
    read(() =>
      call<ListPipelineExecutionsCommandOutput>(
        'CodePipeline',
        codepipeline,
        new ListPipelineExecutionsCommand({ pipelineName: name, maxResults: 5 }),
      ),
    ),
  ]);
  const summary: Read<PipelineStatus> = isUnreadable(executions)
    ? executions
    : (() => {
        const last = executions.pipelineExecutionSummaries?.[0];
        const revision = last?.sourceRevisions?.[0];
        return {
          name,
          account: config.toolingAccount,
          role: account.role,
          lastExecution: last?.pipelineExecutionId
            ? {
                id: last.pipelineExecutionId,
                status: last.status ?? 'Unknown',
                ...(isoTime(last.startTime) ? { startedAt: isoTime(last.startTime) } : {}),
                ...(isoTime(last.lastUpdateTime) ? { updatedAt: isoTime(last.lastUpdateTime) } : {}),
                ...(revision?.revisionId ? { revision: revision.revisionId } : {}),
                ...(last.statusSummary ? { summary: last.statusSummary } : {}),
              }
            : null,
        };
      })();
  return { summary, state };
}
