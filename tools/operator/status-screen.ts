// How `npm run status` shows its report on one screen: a line for the pipeline, then a few lines per environment.
import { shorten } from '../cli/command';
import {
  isUnreadable,
  type AlarmStatus,
  type DeploymentStatus,
  type ImageStatus,
  type PipelineStageStatus,
  type StatusReport,
  type Unreadable,
} from './status-report';

/** A time as the screen shows it: to the minute, in UTC. */
export function screenTime(iso: string | undefined): string {
  return iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : 'unknown time';
}

const LABEL_WIDTH = 12;
const line = (label: string, text: string) => `  ${label.padEnd(LABEL_WIDTH)}${text}`;
/** AWS's access-denied messages start with the caller's whole session ARN; the screen already names the role. */
const unreadableText = (u: Unreadable) =>
  `unreadable: ${shorten(u.unreadable.replace(/User: arn:[\w-]+:sts::\d{12}:assumed-role\/\S+ /, 'the role '), 200)}`;

function imageText(image: ImageStatus | null): string {
  if (image === null) return 'not deployed';
  const [primary, ...others] = image.running;
  const parts = primary
    ? [`${primary.tag}, ${primary.runningTasks} of ${primary.desiredTasks} tasks running`]
    : ['no task definition'];
  for (const other of others) parts.push(`also ${other.tag} on ${other.runningTasks} tasks (${other.deployment})`);
  if (image.stackOutput !== null && primary && image.stackOutput !== primary.tag) {
    parts.push(`the service stack's ImageTag is ${image.stackOutput}`);
  }
  return parts.join('; ');
}

function deploymentText(d: DeploymentStatus | null): string {
  if (d === null) return 'none';
  const when =
    d.finishedAt !== undefined
      ? `${screenTime(d.finishedAt)}`
      : d.startedAt !== undefined
        ? `since ${screenTime(d.startedAt)}`
        : '';
  const stage = d.lifecycleStage ? ` at ${d.lifecycleStage}` : '';
  const reason = d.reason ? `: ${shorten(d.reason, 200)}` : '';
  return `${d.state}${stage}${reason}${when ? ` (${when})` : ''}`;
}

function alarmText(alarms: readonly AlarmStatus[]): string {
  if (alarms.length === 0) return 'none found';
  return alarms
    .map((a) => `${a.label} ${a.state}${a.state === 'ALARM' && a.since ? ` since ${screenTime(a.since)}` : ''}`)
    .join(', ');
}

function stageText(s: PipelineStageStatus, width: number): string {
  const pending = s.actions.find((a) => a.status === 'Failed' || a.status === 'InProgress');
  const where = pending ? ` at ${pending.name}${pending.detail ? `: ${shorten(pending.detail, 100)}` : ''}` : '';
  const execution = s.executionId ? `, execution ${s.executionId.slice(0, 8)}` : '';
  const when = s.at ? `, ${screenTime(s.at)}` : '';
  return `${s.stage.padEnd(width)}  ${s.status}${where}${execution}${when}`;
}

/** The report as one screen: the pipeline's last execution, then a block of a few lines per environment. */
export function renderScreen(report: StatusReport): string {
  const out: string[] = [];
  const p = report.pipeline;
  out.push(
    `${report.project} in ${report.region}, read ${screenTime(report.readAt)} as each account's CDK lookup role`,
  );
  if (isUnreadable(p)) {
    out.push(`pipeline: ${unreadableText(p)}`);
  } else if (p.lastExecution === null) {
    out.push(`pipeline ${p.name} (${p.account}): no execution yet`);
  } else {
    const e = p.lastExecution;
    out.push(
      `pipeline ${p.name} (${p.account}): last execution ${e.id.slice(0, 8)} ${e.status}, started ${screenTime(e.startedAt)}` +
        (e.revision ? `, revision ${shorten(e.revision, 40)}` : ''),
    );
  }
  for (const env of report.environments) {
    out.push('', `${env.name} (${env.account}, ${env.deploymentStrategy})`);
    const stacks = env.stacks;
    const parts = [stacks, env.url, env.image, env.deployment, env.alarms];
    const oneReason = isUnreadable(stacks) && parts.every((p) => isUnreadable(p) && p.unreadable === stacks.unreadable);
    if (oneReason) {
      // One reason for every part, such as a role that could not be assumed: said once.
      out.push(line('reads', `${unreadableText(stacks)} (as ${env.role.split('/').pop()})`));
    } else if (isUnreadable(stacks)) {
      out.push(line('stacks', unreadableText(stacks)));
    } else if (stacks.network.status === 'NOT_DEPLOYED' && stacks.service.status === 'NOT_DEPLOYED') {
      out.push(line('stacks', `not deployed: no ${stacks.network.name} or ${stacks.service.name}`));
    } else {
      const odd = [stacks.network, stacks.service].filter((s) => !/^(CREATE|UPDATE)_COMPLETE$/.test(s.status));
      if (odd.length > 0) out.push(line('stacks', odd.map((s) => `${s.name} ${s.status}`).join(', ')));
    }
    const url = env.url;
    if (!oneReason && (isUnreadable(stacks) || stacks.network.status !== 'NOT_DEPLOYED')) {
      out.push(
        line('url', isUnreadable(url) ? unreadableText(url) : (url ?? 'none: the network stack has no ExternalUrl')),
      );
    }
    if (!oneReason && (isUnreadable(stacks) || stacks.service.status !== 'NOT_DEPLOYED')) {
      out.push(line('image', isUnreadable(env.image) ? unreadableText(env.image) : imageText(env.image)));
      out.push(
        line(
          'deployment',
          isUnreadable(env.deployment) ? unreadableText(env.deployment) : deploymentText(env.deployment),
        ),
      );
      out.push(line('alarms', isUnreadable(env.alarms) ? unreadableText(env.alarms) : alarmText(env.alarms)));
    }
    if (isUnreadable(env.pipeline)) {
      out.push(line('pipeline', unreadableText(env.pipeline)));
    } else {
      const width = Math.max(...env.pipeline.map((s) => s.stage.length));
      env.pipeline.forEach((s, i) => out.push(line(i === 0 ? 'pipeline' : '', stageText(s, width))));
    }
  }
  return out.join('\n');
}
