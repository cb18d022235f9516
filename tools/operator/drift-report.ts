// What `npm run drift` makes of CloudFormation's resource drifts: the real drift, less what ECS owns by design
// (ecs-owned.ts); a line per drifted resource; and the exit code the drift workflow acts on.
import type { StackResourceDrift } from '@aws-sdk/client-cloudformation';
import { shorten } from '../cli/command';
import { at, ecsOwnedResources, forwardTargets, type TemplateResources } from './ecs-owned';

/** Exit codes: the workflow tells drift (an issue) from a failure (a red run). */
export const EXIT_IN_SYNC = 0;
export const EXIT_FAILED = 1;
export const EXIT_DRIFTED = 2;

/** One stack the app deploys, where it lives. */
export interface DriftTarget {
  readonly stackName: string;
  readonly account: string;
}

/** One property that differs, as CloudFormation reports it. */
export interface PropertyDifference {
  readonly path: string;
  readonly type: string;
  readonly expected?: string;
  readonly actual?: string;
}

/** One resource with real drift. */
export interface DriftedResource {
  readonly logicalId: string;
  readonly type: string;
  readonly status: 'MODIFIED' | 'DELETED';
  readonly differences: readonly PropertyDifference[];
}

/** What drift detection found in one stack. */
export interface StackReport {
  readonly target: DriftTarget;
  /** The stack does not exist: nothing to compare. */
  readonly missing?: boolean;
  readonly drifted: readonly DriftedResource[];
  /** Differences ECS owns by design, left out. */
  readonly ignored: number;
  /** Why the stack, or part of it, could not be checked. */
  readonly failure?: string;
}

function json(text: string | undefined): unknown {
  try {
    return text === undefined ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The real drift among a stack's resource drifts: every MODIFIED or DELETED resource, less the differences ECS owns
 * by design (its template names them: ecs-owned.ts). A rule's actions count as ECS's only while every live action
 * forwards within the rule's own pair of target groups: a rule sent anywhere else is drift.
 */
export function realDrift(
  records: readonly StackResourceDrift[],
  template: TemplateResources,
): { drifted: DriftedResource[]; ignored: number } {
  const physical = new Map(records.map((r) => [r.LogicalResourceId, r.PhysicalResourceId]));
  const owned = new Map(ecsOwnedResources(template).map((o) => [o.id, o]));
  let ignored = 0;
  const drifted: DriftedResource[] = [];
  for (const record of records) {
    const status = record.StackResourceDriftStatus;
    if (status !== 'MODIFIED' && status !== 'DELETED') continue;
    const differences: PropertyDifference[] = (record.PropertyDifferences ?? []).map((d) => ({
      path: d.PropertyPath ?? '',
      type: d.DifferenceType ?? 'NOT_EQUAL',
      expected: d.ExpectedValue,
      actual: d.ActualValue,
    }));
    const ownership = owned.get(record.LogicalResourceId ?? '');
    const ownedPath = (path: string) =>
      path === `/${ownership?.property}` || path.startsWith(`/${ownership?.property}/`);
    let kept = differences;
    if (status === 'MODIFIED' && ownership) {
      const withinPair = () => {
        const pair = (ownership.targetGroups ?? []).map((id) => physical.get(id));
        const live = forwardTargets(at(json(record.ActualProperties), 'Actions'));
        return pair.every(Boolean) && live !== undefined && live.every((arn) => pair.includes(arn));
      };
      if (ownership.property === 'Targets' || withinPair()) kept = differences.filter((d) => !ownedPath(d.path));
    }
    ignored += differences.length - kept.length;
    if (status === 'MODIFIED' && kept.length === 0 && differences.length > 0) continue;
    drifted.push({
      logicalId: record.LogicalResourceId ?? '?',
      type: record.ResourceType ?? '?',
      status,
      differences: kept,
    });
  }
  return { drifted, ignored };
}

function value(text: string | undefined): string {
  return text === undefined ? 'nothing' : shorten(text, 80);
}

/** One line per drifted resource, with each property path and its expected and actual values. */
export function driftLine(stackName: string, resource: DriftedResource): string {
  const where = `${stackName}/${resource.logicalId} (${resource.type})`;
  if (resource.status === 'DELETED') return `${where} deleted`;
  const differences = resource.differences.map((d) => {
    if (d.type === 'ADD') return `${d.path} added: ${value(d.actual)}`;
    if (d.type === 'REMOVE') return `${d.path} removed: was ${value(d.expected)}`;
    return `${d.path} expected ${value(d.expected)}, actual ${value(d.actual)}`;
  });
  return `${where} modified: ${differences.join('; ') || 'no property named'}`;
}

/** The report: a line per stack, a line per drifted resource, and a summary; and the exit code. */
export function formatReport(reports: readonly StackReport[]): { lines: string[]; code: number } {
  const lines: string[] = [];
  for (const report of reports) {
    const { stackName, account } = report.target;
    const head = `${stackName} (${account})`;
    const ignored = report.ignored > 0 ? `; ${report.ignored} difference(s) ECS owns by design left out` : '';
    if (report.missing) lines.push(`${head}: not deployed, nothing to compare`);
    else if (report.drifted.length > 0) {
      lines.push(`${head}: ${report.drifted.length} drifted resource(s)${ignored}`);
      lines.push(...report.drifted.map((r) => `  ${driftLine(stackName, r)}`));
    } else if (!report.failure) lines.push(`${head}: in sync${ignored}`);
    if (report.failure) lines.push(`${head}: not checked: ${report.failure}`);
  }
  const drifted = reports.filter((r) => r.drifted.length > 0);
  const failed = reports.filter((r) => r.failure);
  const resources = drifted.reduce((n, r) => n + r.drifted.length, 0);
  const checked = reports.length - reports.filter((r) => r.missing).length;
  if (drifted.length > 0) {
    lines.push(`drift: ${resources} drifted resource(s) in ${drifted.length} of ${checked} deployed stack(s)`);
  } else if (failed.length > 0) {
    lines.push(`drift: ${failed.length} of ${checked} deployed stack(s) not checked; no drift in the rest`);
  } else {
    lines.push(`drift: ${checked} deployed stack(s) in sync`);
  }
  return { lines, code: drifted.length > 0 ? EXIT_DRIFTED : failed.length > 0 ? EXIT_FAILED : EXIT_IN_SYNC };
}
