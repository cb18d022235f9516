import { CloudAssembly, CloudFormationStackArtifact, NestedCloudAssemblyArtifact } from '@aws-cdk/cloud-assembly-api';
import { modelRollouts, type CfnTemplate, type RolloutModel } from './rollout';

export interface StackPlan {
  readonly stackName: string;
  /** The construct path users pass to `cdk deploy`, such as ProductionNetwork/Network. */
  readonly displayName: string;
  readonly account: string;
  readonly region: string;
  readonly resourceCounts: Readonly<Record<string, number>>;
  readonly resourceTotal: number;
  readonly rollouts: readonly RolloutModel[];
  /** Stack tags, such as deployment-environment. */
  readonly tags: Readonly<Record<string, string>>;
  readonly template: CfnTemplate;
}

export interface StagePlan {
  /** The Stage's assembly name, or `(app)` for stacks at the top level. */
  readonly stage: string;
  readonly stacks: readonly StackPlan[];
}

function planStack(stack: CloudFormationStackArtifact): StackPlan {
  const template = stack.template as CfnTemplate;
  const resourceCounts: Record<string, number> = {};
  for (const resource of Object.values(template.Resources ?? {})) {
    resourceCounts[resource.Type] = (resourceCounts[resource.Type] ?? 0) + 1;
  }
  return {
    stackName: stack.stackName,
    displayName: stack.hierarchicalId,
    account: stack.environment.account,
    region: stack.environment.region,
    resourceCounts,
    resourceTotal: Object.values(resourceCounts).reduce((a, b) => a + b, 0),
    rollouts: modelRollouts(template),
    tags: stack.tags,
    template,
  };
}

type PipelineAction = { RunOrder?: number; Configuration?: { StackName?: unknown } };
type PipelineResource = { Type: string; Properties?: { Stages?: Array<{ Actions?: PipelineAction[] }> } };

/**
 * The stack names the pipeline deploys, in the order it deploys them: its stages in order, and in each stage its
 * actions by run order. Stacks of the app itself (the pipeline) come before all of them.
 */
export function pipelineStackOrder(plans: readonly StagePlan[]): string[] {
  const order: string[] = [];
  for (const stack of plans.filter((p) => p.stage === '(app)').flatMap((p) => p.stacks)) {
    const resources = Object.values((stack.template.Resources ?? {}) as Record<string, PipelineResource>);
    for (const pipeline of resources.filter((r) => r.Type === 'AWS::CodePipeline::Pipeline')) {
      for (const stage of pipeline.Properties?.Stages ?? []) {
        const actions = [...(stage.Actions ?? [])].sort((a, b) => (a.RunOrder ?? 1) - (b.RunOrder ?? 1));
        for (const action of actions) {
          const name = action.Configuration?.StackName;
          if (typeof name === 'string' && !order.includes(name)) order.push(name);
        }
      }
    }
  }
  return order;
}

/** The stages in the order the pipeline deploys them; the app's own stacks first, stages it never deploys last. */
export function inPipelineOrder(plans: readonly StagePlan[]): StagePlan[] {
  const order = pipelineStackOrder(plans);
  const rank = (plan: StagePlan) => {
    if (plan.stage === '(app)') return -1;
    const positions = plan.stacks.map((s) => order.indexOf(s.stackName)).filter((i) => i >= 0);
    return positions.length ? Math.min(...positions) : order.length;
  };
  // Array sort is stable: stages of equal rank keep the assembly's order.
  return [...plans].sort((a, b) => rank(a) - rank(b));
}

/** Reads a synthesized cloud assembly (cdk.out) and lists every stage with its stacks, in pipeline order. */
export function readPlan(assemblyDir: string): StagePlan[] {
  const plans: StagePlan[] = [];
  const visit = (assembly: CloudAssembly, stage: string) => {
    const stacks = assembly.artifacts.filter((a) => a instanceof CloudFormationStackArtifact);
    if (stacks.length > 0) plans.push({ stage, stacks: stacks.map(planStack) });
    for (const nested of assembly.artifacts) {
      if (nested instanceof NestedCloudAssemblyArtifact) visit(nested.nestedAssembly, nested.displayName);
    }
  };
  visit(new CloudAssembly(assemblyDir), '(app)');
  return inPipelineOrder(plans);
}

/** One line: both modelled figures of a rollout, their terms, and what dominates the longer one. */
export function describeRollout(r: RolloutModel): string {
  const shifts = r.strategy !== 'rolling';
  const shift = r.trafficShiftSeconds > 0 ? ` + ${r.strategy} shift ${r.trafficShiftSeconds} s` : '';
  const check = shifts ? ` + the pre-traffic check's run, at most ${r.checkDeadlineSeconds} s` : '';
  const after = [
    ...(shifts ? [`bake ${r.bakeTimeSeconds} s`] : []),
    `deregistration ${r.deregistrationDelaySeconds} s`,
    `stop ${r.stopTimeoutSeconds} s`,
  ];
  return (
    `rollout of ${r.service} (${r.strategy}): new version only after ${r.toNewVersionSeconds} s modelled ` +
    `(health ${r.healthCheckIntervalSeconds} s x ${r.healthyThresholdCount}${shift}${check}); old tasks gone after ` +
    `${r.seconds} s (${r.toNewVersionSeconds} s + ${after.join(' + ')}), dominated by ${r.dominatedBy.oldTasksGone}`
  );
}

/** A short, human plan: each stage with its account, region, stacks and resource counts, and rollout times. */
export function formatPlan(plans: readonly StagePlan[]): string {
  const lines: string[] = [];
  for (const plan of plans) {
    for (const stack of plan.stacks) {
      lines.push(`${plan.stage}  ${stack.account} / ${stack.region}  stack ${stack.stackName} (${stack.displayName})`);
      const counts = Object.entries(stack.resourceCounts)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([type, n]) => `${type.replace(/^AWS::/, '')} ${n}`);
      lines.push(`    ${stack.resourceTotal} resources: ${counts.join(', ')}`);
      type Output = { Value?: string | { 'Fn::Join'?: [string, unknown[]] } };
      const outputs = (stack.template as { Outputs?: Record<string, Output> }).Outputs ?? {};
      if (typeof outputs.ExternalUrl?.Value === 'string') lines.push(`    serves ${outputs.ExternalUrl.Value}`);
      const recordValue = outputs.DnsRecordToCreate?.Value;
      const record = typeof recordValue === 'object' ? recordValue['Fn::Join']?.[1]?.[0] : undefined;
      if (typeof record === 'string') {
        lines.push(
          `    DNS: create the record ${record.trim()} <the load balancer's DNS name> yourself; after deploy the ` +
            `stack's DnsRecordToCreate output gives it whole`,
        );
      }
      for (const r of stack.rollouts) lines.push(`    ${describeRollout(r)}`);
    }
  }
  return lines.join('\n');
}
