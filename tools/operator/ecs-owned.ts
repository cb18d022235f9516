// What ECS owns by design in a deployed service stack, and so what drift detection must not call drift. The notion is
// the day-2 model's (test/day2/model.ts, ecsOwned): once a blue/green deployment has run, ECS owns the production
// listener rule's actions (a weighted forward over both target groups, alternating on each deployment) and the
// registrations in both target groups (aws/aws-cdk#36649; go-to-k/cdk-real-drift#1730). drift.test.ts holds this copy
// to the model's answer on synthesized templates; a module with no command, so that a CLI never imports test code.
//
// One addition the model does not need: the test listener rule. ECS shifts it the same way, so that test traffic
// reaches the new revision before production does, and CloudFormation would otherwise report its actions on every
// blue/green, canary or linear service after the first deployment.

/** The value at a path of keys in untyped JSON, or undefined. */
export function at(value: unknown, ...keys: Array<string | number>): unknown {
  return keys.reduce<unknown>(
    (v, key) => (v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[key] : undefined),
    value,
  );
}

/** The part of a template this reads. */
export interface TemplateResources {
  readonly Resources: Record<string, { readonly Type: string; readonly Properties?: unknown }>;
}

/** One resource ECS rewrites after deployments, and the property it owns there. */
export interface EcsOwnedResource {
  /** The logical id. */
  readonly id: string;
  /** In the model's words. */
  readonly owns: string;
  /** The top-level property ECS rewrites: a rule's `Actions`, a target group's `Targets`. */
  readonly property: 'Actions' | 'Targets';
  /** For a rule: the two target groups (logical ids) ECS may forward it to. */
  readonly targetGroups?: readonly [string, string];
}

/** The owned-resource text of the model, word for word, so that the two can be compared. */
export const OWNS_RULE_ACTIONS = 'Actions (weights over both target groups)';
export const OWNS_REGISTRATIONS = 'registrations (may hold the production tasks)';
const OWNS_TEST_RULE_ACTIONS = 'Actions (test traffic over both target groups)';

const ref = (value: unknown): string | undefined => {
  const id = at(value, 'Ref');
  return typeof id === 'string' ? id : undefined;
};

/**
 * The resources ECS owns in a service stack's template: for each load balancer of an ECS service with an advanced
 * configuration (blue/green, canary, linear), its production rule, its test rule if any, and both target groups.
 */
export function ecsOwnedResources(template: TemplateResources): EcsOwnedResource[] {
  const services = Object.values(template.Resources ?? {}).filter((r) => r.Type === 'AWS::ECS::Service');
  return services.flatMap((service) =>
    [at(service.Properties, 'LoadBalancers')].flat().flatMap((lb): EcsOwnedResource[] => {
      const primary = ref(at(lb, 'TargetGroupArn'));
      const alternate = ref(at(lb, 'AdvancedConfiguration', 'AlternateTargetGroupArn'));
      const production = ref(at(lb, 'AdvancedConfiguration', 'ProductionListenerRule'));
      if (!primary || !alternate || !production) return [];
      const pair = [primary, alternate] as const;
      const test = ref(at(lb, 'AdvancedConfiguration', 'TestListenerRule'));
      return [
        { id: production, owns: OWNS_RULE_ACTIONS, property: 'Actions', targetGroups: pair },
        { id: primary, owns: OWNS_REGISTRATIONS, property: 'Targets' },
        { id: alternate, owns: OWNS_REGISTRATIONS, property: 'Targets' },
        ...(test ? [{ id: test, owns: OWNS_TEST_RULE_ACTIONS, property: 'Actions' as const, targetGroups: pair }] : []),
      ];
    }),
  );
}

/**
 * The target group ARNs a live rule's actions forward to, or undefined when any action is not a forward (a fixed
 * response or a redirect is no traffic shift of ECS's).
 */
export function forwardTargets(actions: unknown): string[] | undefined {
  if (!Array.isArray(actions) || actions.length === 0) return undefined;
  const arns: string[] = [];
  for (const action of actions) {
    if (String(at(action, 'Type')).toLowerCase() !== 'forward') return undefined;
    const groups = [
      at(action, 'TargetGroupArn'),
      ...[at(action, 'ForwardConfig', 'TargetGroups')].flat().map((g) => at(g, 'TargetGroupArn')),
    ];
    arns.push(...groups.filter((arn): arn is string => typeof arn === 'string'));
  }
  return arns.length > 0 ? arns : undefined;
}
