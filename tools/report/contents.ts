// What a synthesized app deploys, gathered once for the report: stages, cost per environment, acknowledgements,
// Control Tower controls, the diagram and the critical path. Read from the cloud assembly `npm run synth` wrote.
import { ENVIRONMENT_TAG } from '../../config/names';
import { controlTowerStatus, readValidationReport, type ControlStatus } from './control-tower';
import { modelEnvironmentCost, type EnvironmentCost } from './cost';
import { criticalPath, type PathAction } from './critical-path';
import { mermaidDiagram } from './diagram';
import { readPlan, type StackPlan, type StagePlan } from './plan';
import type { CfnTemplate } from './rollout';

export interface Acknowledgement {
  readonly id: string;
  readonly reason: string;
  /** How many resources it covers. */
  readonly resources: number;
}

export interface Report {
  readonly stages: readonly StagePlan[];
  readonly environments: ReadonlyArray<{
    readonly name: string;
    readonly cost: EnvironmentCost;
    readonly stacks: readonly StackPlan[];
  }>;
  readonly acknowledgements: readonly Acknowledgement[];
  /** Each AWS Control Tower proactive control that checks a resource type here: passed or acknowledged. */
  readonly controlTower: readonly ControlStatus[];
  readonly diagram: string;
  /** The pipeline's sequential actions to the first verified environment. */
  readonly criticalPath: readonly PathAction[];
}

/** cdk-nag acknowledgements recorded in the templates' resource metadata, each counted once with its reach. */
export function acknowledgementsIn(templates: readonly CfnTemplate[]): Acknowledgement[] {
  const counts = new Map<string, Acknowledgement>();
  for (const template of templates) {
    for (const resource of Object.values(template.Resources ?? {}) as Array<{
      Metadata?: { cdk_nag?: { rules_to_suppress?: Array<{ id: string; reason: string }> } };
    }>) {
      for (const rule of resource.Metadata?.cdk_nag?.rules_to_suppress ?? []) {
        if (!rule.id.startsWith('AwsSolutions-')) continue;
        const key = `${rule.id}\n${rule.reason}`;
        const seen = counts.get(key);
        counts.set(key, { id: rule.id, reason: rule.reason, resources: (seen?.resources ?? 0) + 1 });
      }
    }
  }
  return [...counts.values()].sort((a, b) => a.id.localeCompare(b.id) || a.reason.localeCompare(b.reason));
}

export function buildReport(assemblyDir: string): Report {
  const stages = readPlan(assemblyDir);
  const stacks = stages.flatMap((s) => s.stacks);
  const names = [...new Set(stacks.map((s) => s.tags[ENVIRONMENT_TAG]).filter((n): n is string => !!n))];
  const groups = [
    ...names.map((name) => ({ name, stacks: stacks.filter((s) => s.tags[ENVIRONMENT_TAG] === name) })),
    { name: 'shared (tooling and registry)', stacks: stacks.filter((s) => !s.tags[ENVIRONMENT_TAG]) },
  ];
  const environments = groups.map((g) => ({ ...g, cost: modelEnvironmentCost(g.stacks.map((s) => s.template)) }));
  return {
    stages,
    environments,
    acknowledgements: acknowledgementsIn(stacks.map((s) => s.template)),
    controlTower: controlTowerStatus(
      stacks.map((s) => s.template),
      readValidationReport(assemblyDir),
    ),
    diagram: mermaidDiagram(stages),
    criticalPath: criticalPath(stacks.find((s) => s.resourceCounts['AWS::CodePipeline::Pipeline'])?.template ?? {}),
  };
}
