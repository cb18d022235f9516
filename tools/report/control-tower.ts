// Which AWS Control Tower proactive controls apply to a synthesized assembly, and how each one stands: passed, or
// acknowledged with its reason. The rules come from the cfn-guard files the validator runs; the acknowledgements
// from the validation report CDK writes beside the templates.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CONTROL_TOWER_PLUGIN, controlTowerRules, type GuardRule } from '../../stages/control-tower-rules';
import { CommandError } from '../cli/command';
import type { CfnTemplate } from './rollout';

export interface ControlStatus extends GuardRule {
  /** Resources of the rule's types in the assembly. */
  readonly resources: number;
  /** Resources on which the rule is acknowledged, with each distinct reason. */
  readonly acknowledged: number;
  readonly reasons: readonly string[];
}

interface ValidationReport {
  readonly pluginReports: ReadonlyArray<{
    readonly pluginName: string;
    readonly conclusion: string;
    readonly suppressedViolations?: ReadonlyArray<{
      readonly ruleName: string;
      readonly reason: string;
      readonly violatingConstructs: readonly unknown[];
    }>;
  }>;
}

/** The validation report of the synth that wrote the assembly. */
export function readValidationReport(assemblyDir: string): ValidationReport {
  const file = path.join(assemblyDir, 'validation-report.json');
  if (!existsSync(file)) {
    throw new CommandError(`${file} does not exist; expected the policy validation report: run npm run synth again`);
  }
  return JSON.parse(readFileSync(file, 'utf8')) as ValidationReport;
}

/** Each rule that checks a resource type present in the templates, passed or acknowledged. */
export function controlTowerStatus(
  templates: readonly CfnTemplate[],
  report: ValidationReport,
  rules: readonly GuardRule[] = controlTowerRules(),
): ControlStatus[] {
  const typeCounts = new Map<string, number>();
  for (const template of templates) {
    for (const resource of Object.values(template.Resources ?? {})) {
      typeCounts.set(resource.Type, (typeCounts.get(resource.Type) ?? 0) + 1);
    }
  }
  const plugin = report.pluginReports.find((p) => p.pluginName === CONTROL_TOWER_PLUGIN);
  if (!plugin || plugin.conclusion !== 'success') {
    throw new CommandError(
      `the validation report has no successful ${CONTROL_TOWER_PLUGIN} run; run npm run synth again`,
    );
  }
  return rules
    .map((rule) => {
      const suppressed = (plugin.suppressedViolations ?? []).filter((v) => v.ruleName === rule.rule);
      return {
        ...rule,
        resources: rule.types.reduce((sum, type) => sum + (typeCounts.get(type) ?? 0), 0),
        acknowledged: suppressed.reduce((sum, v) => sum + v.violatingConstructs.length, 0),
        reasons: [...new Set(suppressed.map((v) => v.reason))].sort(),
      };
    })
    .filter((status) => status.resources > 0);
}

/** `41 controls apply: 26 passed, 15 acknowledged on some resources`. */
export function controlTowerSummary(controls: readonly ControlStatus[]): string {
  const acknowledged = controls.filter((c) => c.acknowledged > 0).length;
  return (
    `${controls.length} controls apply: ${controls.length - acknowledged} passed, ` +
    `${acknowledged} acknowledged on some resources`
  );
}
