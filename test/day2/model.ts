// Day 2, modelled: what the previous deployment left live, and what CloudFormation does to it on the next one.
// - CloudFormation: each resource of the next template is added, kept, updated in place or replaced (a change to one
//   of its type's createOnlyProperties, from the registry schema), and each resource missing from it is deleted.
// - ECS: once a blue/green deployment has run, ECS owns the production listener rule's actions (a weighted forward
//   over both target groups, alternating on each deployment) and the registrations in both target groups
//   (aws/aws-cdk#36649; go-to-k/cdk-real-drift#1730). Whichever group serves production is unknown to the template.
import { REGISTRY } from '../permissions/registry/schemas';

type Json = any;
export type Fate = 'kept' | 'updated' | 'replaced' | 'deleted';

export interface Template {
  readonly Resources: Record<string, { Type: string; Properties?: Json }>;
}

/** The value at a JSON pointer of the registry schema (/properties/A/B) in a resource's properties. */
function at(properties: Json, pointer: string): Json {
  return pointer
    .split('/')
    .slice(2)
    .reduce((value, key) => (value === undefined ? undefined : value[key]), properties);
}

/** Whether a value names (Ref or GetAtt) one of these resources, whose physical ids change. */
function names(value: Json, ids: ReadonlySet<string>): boolean {
  if (Array.isArray(value)) return value.some((v) => names(v, ids));
  if (!value || typeof value !== 'object') return false;
  const id = value.Ref ?? value['Fn::GetAtt']?.[0];
  if (typeof id === 'string' && ids.has(id)) return true;
  return Object.values(value).some((v) => names(v, ids));
}

/**
 * What CloudFormation does to a resource of the previous template when it deploys the next one. `replacedIds` are
 * resources already known to be replaced: a createOnly property naming one of them changes with its physical id.
 */
export function fateOf(
  before: Template,
  after: Template,
  logicalId: string,
  replacedIds: ReadonlySet<string> = new Set(),
): Fate {
  const previous = before.Resources[logicalId];
  const next = after.Resources[logicalId];
  if (!next || next.Type !== previous.Type) return 'deleted';
  const same = (a: Json, b: Json) => JSON.stringify(a) === JSON.stringify(b);
  if (same(previous.Properties, next.Properties) && !names(next.Properties, replacedIds)) return 'kept';
  const createOnly = REGISTRY.types[previous.Type]?.createOnlyProperties;
  // No physical resource (metadata), a custom resource (its provider decides), or an inline policy (updated in place):
  // none of them is anything live traffic depends on. Any other type without a schema cannot be modelled.
  if (!createOnly) {
    if (/^(AWS::CDK::Metadata|Custom::.*|AWS::IAM::Policy)$/.test(previous.Type)) return 'updated';
    throw new Error(`${previous.Type}: no registry schema, so no createOnlyProperties to model`);
  }
  const replaced = createOnly.some(
    (p) => !same(at(previous.Properties, p), at(next.Properties, p)) || names(at(next.Properties, p), replacedIds),
  );
  return replaced ? 'replaced' : 'updated';
}

/** The resources ECS owns in a service stack after its first blue/green deployment, with what it owns of each. */
export function ecsOwned(service: Template): Array<{ id: string; owns: string }> {
  const [serviceResource] = Object.values(service.Resources).filter((r) => r.Type === 'AWS::ECS::Service');
  const ref = (value: Json): string | undefined => value?.Ref;
  return (serviceResource?.Properties?.LoadBalancers ?? []).flatMap((lb: Json) => {
    const advanced = lb.AdvancedConfiguration;
    if (!advanced) return [];
    return [
      { id: ref(advanced.ProductionListenerRule)!, owns: 'Actions (weights over both target groups)' },
      { id: ref(lb.TargetGroupArn)!, owns: 'registrations (may hold the production tasks)' },
      { id: ref(advanced.AlternateTargetGroupArn)!, owns: 'registrations (may hold the production tasks)' },
    ];
  });
}

/** One environment as deployed: its network stack and its service stack, which reads the network's outputs. */
export interface Environment {
  readonly network: Template & { Outputs?: Record<string, { Value: Json }> };
  readonly service: Template;
}

/**
 * The service template with each Fn::GetStackOutput replaced by what it resolves to: the network output's value and,
 * when that names a network resource the deployment replaces or deletes, a mark that its physical id changes.
 */
function effective(environment: Environment, networkFate: (id: string) => Fate | undefined): Template {
  const substitute = (value: Json): Json => {
    if (Array.isArray(value)) return value.map(substitute);
    if (!value || typeof value !== 'object') return value;
    const output = value['Fn::GetStackOutput'];
    if (output) {
      const resolved = environment.network.Outputs?.[output.OutputName]?.Value;
      const id = resolved?.Ref ?? resolved?.['Fn::GetAtt']?.[0];
      const fate = id ? networkFate(id) : undefined;
      return { network: resolved, ...(fate === 'replaced' || fate === 'deleted' ? { newPhysicalId: true } : {}) };
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v)]));
  };
  return { Resources: substitute(environment.service.Resources) };
}

/**
 * What the next deployment does to the resources live traffic may depend on, when a blue/green deployment has run:
 * each ECS-owned resource that is deleted, replaced (its own createOnlyProperties, or the network resource it sits on
 * replaced), or has what ECS owns rewritten. CloudFormation rewriting a rule's actions resets ECS's weights to the
 * template's target group, which may hold no tasks.
 */
/** Every resource of the previous template that the deployment replaces or deletes, replacements cascading. */
export function replacedOrDeleted(before: Template, after: Template): Set<string> {
  const gone = new Set<string>();
  for (let grew = true; grew;) {
    grew = false;
    for (const id of Object.keys(before.Resources)) {
      if (gone.has(id)) continue;
      const fate = fateOf(before, after, id, gone);
      if (fate === 'replaced' || fate === 'deleted') grew = Boolean(gone.add(id));
    }
  }
  return gone;
}

export function liveTrafficRisks(before: Environment, after: Environment): string[] {
  const goneInNetwork = replacedOrDeleted(before.network, after.network);
  const networkFate = (id: string): Fate | undefined => (goneInNetwork.has(id) ? 'replaced' : undefined);
  const previous = effective(before, () => undefined);
  const next = effective(after, networkFate);
  return ecsOwned(before.service).flatMap(({ id, owns }) => {
    const fate = fateOf(previous, next, id);
    const type = previous.Resources[id].Type;
    if (fate === 'deleted' || fate === 'replaced') return [`${type} ${id} (ECS owns its ${owns}) is ${fate}`];
    const actions = (t: Template) => JSON.stringify(t.Resources[id].Properties?.Actions);
    if (type === 'AWS::ElasticLoadBalancingV2::ListenerRule' && actions(previous) !== actions(next)) {
      return [`${type} ${id}: its actions are rewritten, resetting ECS's weights`];
    }
    return [];
  });
}
