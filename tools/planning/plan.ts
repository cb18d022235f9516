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

/** Reads a synthesized cloud assembly (cdk.out) and lists every stage with its stacks, depth first. */
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
  return plans;
}

/** One line: both modelled figures of a rollout, their terms, and what dominates the longer one. */
export function describeRollout(r: RolloutModel): string {
  const blueGreen = r.strategy === 'blue-green';
  const check = blueGreen ? ` + the pre-traffic check's run, at most ${r.checkDeadlineSeconds} s` : '';
  const after = [
    ...(blueGreen ? [`bake ${r.bakeTimeSeconds} s`] : []),
    `deregistration ${r.deregistrationDelaySeconds} s`,
    `stop ${r.stopTimeoutSeconds} s`,
  ];
  return (
    `rollout of ${r.service} (${r.strategy}): new version only after ${r.toNewVersionSeconds} s modelled ` +
    `(health ${r.healthCheckIntervalSeconds} s x ${r.healthyThresholdCount}${check}); old tasks gone after ` +
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
