// AWS Control Tower's proactive controls, run by the cfn-guard validator at synth in every Stage.
import {
  AspectPriority,
  Aspects,
  Validations,
  type IPolicyValidationContextBeta1,
  type IPolicyValidationPluginBeta1,
  type PolicyValidationPluginReportBeta1,
  type PolicyViolationBeta1,
  type Stage,
} from 'aws-cdk-lib';
import type { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import type { IConstruct } from 'constructs';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { AcknowledgeControlTowerRules } from './control-tower-acknowledgements';
import { CONTROL_TOWER_PLUGIN, VALIDATOR_VERSION, controlTowerRules, type GuardRule } from './control-tower-rules';
import { synthCached } from './synth-cache';

interface Template {
  readonly Resources?: Record<string, { readonly Type: string }>;
}

/**
 * The resources of the given types, and every resource they refer to (Ref, Fn::GetAtt), on and on: some rules
 * check that a referenced resource is in the template (check_local_references), which it must stay.
 */
function resourcesRead(template: Template, types: ReadonlySet<string>): Template['Resources'] {
  const all = template.Resources ?? {};
  const kept = new Set(Object.keys(all).filter((id) => types.has(all[id].Type)));
  const referenced = (value: unknown): string[] => {
    if (Array.isArray(value)) return value.flatMap(referenced);
    if (!value || typeof value !== 'object') return [];
    const { Ref: ref, 'Fn::GetAtt': getAtt } = value as { Ref?: unknown; 'Fn::GetAtt'?: unknown };
    const target = typeof ref === 'string' ? ref : Array.isArray(getAtt) ? getAtt[0] : undefined;
    return [...(typeof target === 'string' ? [target] : []), ...Object.values(value).flatMap(referenced)];
  };
  for (const id of kept) {
    for (const target of referenced(all[id])) if (target in all) kept.add(target);
  }
  return Object.fromEntries(Object.entries(all).filter(([id]) => kept.has(id)));
}

/** cfn-guard over the templates' texts; each finding names its template by its index in `texts`. */
function runGuard(
  context: IPolicyValidationContextBeta1,
  rules: readonly GuardRule[],
  texts: readonly string[],
): PolicyViolationBeta1[] {
  const folder = mkdtempSync(path.join(tmpdir(), 'control-tower-'));
  try {
    const files = texts.map((text, i) => {
      const file = path.join(folder, `${i}.template.json`);
      writeFileSync(file, text);
      return file;
    });
    // Loaded only when cfn-guard must run: a synth whose findings are all kept never needs it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { CfnGuardValidator: Validator } = require('@cdklabs/cdk-validator-cfnguard') as {
      CfnGuardValidator: typeof CfnGuardValidator;
    };
    const validator = new Validator({ controlTowerRulesEnabled: false, rules: rules.map((r) => r.file) });
    return validator.validate({ ...context, templatePaths: files }).violations.map((v) => ({
      ...v,
      violatingResources: v.violatingResources.map((r) => ({
        ...r,
        templatePath: String(files.indexOf(r.templatePath)),
      })),
    }));
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/**
 * What the Control Tower rules find in the templates, each violation an error, sorted by rule.
 */
export function controlTowerViolations(
  context: IPolicyValidationContextBeta1,
  allRules: readonly GuardRule[] = controlTowerRules(),
): PolicyViolationBeta1[] {
  const templates = context.templatePaths.map((file) => ({
    file,
    template: JSON.parse(readFileSync(file, 'utf8')) as Template,
  }));
  const has = (template: Template, types: ReadonlySet<string>) =>
    Object.values(template.Resources ?? {}).some((r) => types.has(r.Type));
  // cfn-guard's time grows with rules times the size of what each reads. Rules that read the same resource types
  // run together, only over the templates that have a type they check, and only on the resources of the types
  // they read: the same findings (test/stages/control-tower.test.ts compares them with a run over whole
  // templates) in a fraction of the time. A rule with nothing of its types to check is not run.
  const groups = new Map<string, GuardRule[]>();
  for (const rule of allRules) groups.set(rule.reads.join(' '), [...(groups.get(rule.reads.join(' ')) ?? []), rule]);
  const violations: PolicyViolationBeta1[] = [];
  for (const rules of groups.values()) {
    const reads = new Set(rules[0].reads);
    const checked = new Set(rules.flatMap((r) => r.types));
    const data = templates
      .filter(({ template }) => has(template, checked))
      .map(({ file, template }) => ({
        file,
        text: JSON.stringify({ ...template, Resources: resourcesRead(template, reads) }),
      }));
    if (data.length === 0) continue;
    // Each finding names its template by its place in `data`, so that the same rules over the same data, in any
    // synth of any app, find the same things. The validator's version pins cfn-guard and its rule files.
    const key = [VALIDATOR_VERSION, ...rules.map((r) => r.rule), ...data.map((d) => d.text)];
    const findings = synthCached('control-tower', key, () =>
      runGuard(
        context,
        rules,
        data.map((d) => d.text),
      ),
    );
    violations.push(
      ...findings.map((v) => ({
        ...v,
        violatingResources: v.violatingResources.map((r) => ({
          ...r,
          templatePath: data[Number(r.templatePath)].file,
        })),
      })),
    );
  }
  return violations
    .map((v) => ({
      ...v,
      severity: v.severity ?? 'error',
    }))
    .sort((a, b) => a.ruleName.localeCompare(b.ruleName));
}

/**
 * The cfn-guard validator with every violation marked as an error. The plugin leaves `severity` out, and once any
 * acknowledgement exists CDK recomputes a report's success from the severities of what is left (aws/aws-cdk#37808,
 * "violations matching acknowledged IDs are filtered out"): without a severity, an unacknowledged failure would pass.
 */
class ControlTowerValidator implements IPolicyValidationPluginBeta1 {
  private readonly rules = controlTowerRules();
  readonly name = CONTROL_TOWER_PLUGIN;
  readonly version = VALIDATOR_VERSION;
  readonly ruleIds = this.rules.map((r) => r.rule);

  validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    const violations = controlTowerViolations(context, this.rules);
    return { success: violations.length === 0, violations };
  }
}

/** One validator per app, shared by its Stages: CDK runs each distinct plugin once over the whole app. */
const validatorByApp = new WeakMap<IConstruct, ControlTowerValidator>();

/**
 * Runs AWS Control Tower's proactive controls, the rules an organisation enables as CloudFormation hooks where a
 * failing one stops the deployment, on the Stage's stacks at synth, with this project's acknowledgements.
 */
export function checkStageWithControlTower(stage: Stage): void {
  const root = stage.node.root;
  let validator = validatorByApp.get(root);
  if (!validator) {
    validator = new ControlTowerValidator();
    validatorByApp.set(root, validator);
  }
  Validations.of(stage).addPlugins(validator);
  // Before cdk-nag's aspect, which copies every acknowledgement into the template Metadata.
  Aspects.of(stage).add(new AcknowledgeControlTowerRules(), { priority: AspectPriority.MUTATING });
}
