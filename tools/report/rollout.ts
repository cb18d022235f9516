/** The AWS defaults that apply when a template leaves a property out. */
export const AWS_ROLLOUT_DEFAULTS = {
  /** ELBv2 target group HealthCheckIntervalSeconds. */
  healthCheckIntervalSeconds: 30,
  /** ELBv2 target group HealthyThresholdCount. */
  healthyThresholdCount: 5,
  /** ELBv2 target group attribute deregistration_delay.timeout_seconds. */
  deregistrationDelaySeconds: 300,
  /** ECS container StopTimeout on Fargate. */
  stopTimeoutSeconds: 30,
  /** ECS DeploymentConfiguration.Strategy. */
  strategy: 'ROLLING',
  /** BakeTimeInMinutes: the API requires it for BLUE_GREEN and documents no default, so none is modelled. */
  bakeTimeMinutes: 0,
} as const;

/**
 * The modelled rollout of one load-balanced ECS service, from the moment its new tasks are running:
 * - rolling: the new tasks pass interval x healthy threshold, and from then on the load balancer sends requests only
 *   to them (a deregistering target gets no new requests); the old tasks drain, then stop.
 * - blue/green: the new tasks pass their health checks in the idle target group; the pre-traffic check runs through
 *   the test listener (its first pass is modelled as immediate, its deadline bounds a slow one); the production rule
 *   moves at once; the old tasks stay for the bake time, then drain and stop.
 * - canary: as blue/green, but the production rule first sends the canary share for the canary bake, then the rest.
 * - linear: as blue/green, but production traffic moves in equal steps with the step interval between them: the last
 *   step lands after ceil(100 / step) - 1 intervals.
 */
export interface RolloutModel {
  /** The ECS service's logical ID in its template. */
  readonly service: string;
  readonly strategy: 'rolling' | 'blue-green' | 'canary' | 'linear';
  /** Canary and linear: the time production traffic takes to move in full, after the health checks; else 0. */
  readonly trafficShiftSeconds: number;
  readonly healthCheckIntervalSeconds: number;
  readonly healthyThresholdCount: number;
  readonly deregistrationDelaySeconds: number;
  readonly stopTimeoutSeconds: number;
  readonly bakeTimeSeconds: number;
  /** Blue/green: the pre-traffic check's deadline from its HookDetails, the most it can add; else 0. */
  readonly checkDeadlineSeconds: number;
  /** Until production traffic is served only by the new version: interval x healthy threshold, plus the shift. */
  readonly toNewVersionSeconds: number;
  /** Until the old tasks are gone: that, plus bake time, deregistration delay and stop timeout. */
  readonly seconds: number;
  /** The largest term of each figure. */
  readonly dominatedBy: { readonly toNewVersion: string; readonly oldTasksGone: string };
}

interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}
export interface CfnTemplate {
  readonly Resources?: Record<string, CfnResource>;
}

/** The logical id a `{ Ref }` points at, if the value is one. */
export function refTarget(value: unknown): string | undefined {
  return typeof value === 'object' && value !== null && 'Ref' in value
    ? String((value as { Ref: unknown }).Ref)
    : undefined;
}

function numberOr(value: unknown, fallback: number): number {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : fallback;
}

/** ECS's strategies by their template names. */
const STRATEGIES: Record<string, RolloutModel['strategy']> = {
  ROLLING: 'rolling',
  BLUE_GREEN: 'blue-green',
  CANARY: 'canary',
  LINEAR: 'linear',
};

/** How long production traffic takes to move in full: the canary bake, or every interval but the last step's. */
function shiftSeconds(strategy: RolloutModel['strategy'], deployment: Record<string, unknown>): number {
  if (strategy === 'canary') {
    const canary = (deployment.CanaryConfiguration as Record<string, unknown> | undefined) ?? {};
    return numberOr(canary.CanaryBakeTimeInMinutes, 0) * 60;
  }
  if (strategy === 'linear') {
    const linear = (deployment.LinearConfiguration as Record<string, unknown> | undefined) ?? {};
    const step = numberOr(linear.StepPercent, 100);
    return (Math.ceil(100 / step) - 1) * numberOr(linear.StepBakeTimeInMinutes, 0) * 60;
  }
  return 0;
}

/** Models every load-balanced ECS service in a template; properties the template leaves out take AWS defaults. */
export function modelRollouts(template: CfnTemplate): RolloutModel[] {
  const resources = template.Resources ?? {};
  const models: RolloutModel[] = [];
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::ECS::Service') continue;
    const props = resource.Properties ?? {};
    const loadBalancers = (props.LoadBalancers as Array<Record<string, unknown>> | undefined) ?? [];
    const targetGroup = resources[refTarget(loadBalancers[0]?.TargetGroupArn) ?? '']?.Properties ?? {};
    const taskDefinition = resources[refTarget(props.TaskDefinition) ?? '']?.Properties ?? {};
    const containers = (taskDefinition.ContainerDefinitions as Array<Record<string, unknown>> | undefined) ?? [];
    const attributes = (targetGroup.TargetGroupAttributes as Array<{ Key: string; Value: unknown }> | undefined) ?? [];

    const healthCheckIntervalSeconds = numberOr(
      targetGroup.HealthCheckIntervalSeconds,
      AWS_ROLLOUT_DEFAULTS.healthCheckIntervalSeconds,
    );
    const healthyThresholdCount = numberOr(
      targetGroup.HealthyThresholdCount,
      AWS_ROLLOUT_DEFAULTS.healthyThresholdCount,
    );
    const deregistrationDelaySeconds = numberOr(
      attributes.find((a) => a.Key === 'deregistration_delay.timeout_seconds')?.Value,
      AWS_ROLLOUT_DEFAULTS.deregistrationDelaySeconds,
    );
    // The slowest container to stop decides when the task is gone.
    const stopTimeouts = containers.map((c) => numberOr(c.StopTimeout, AWS_ROLLOUT_DEFAULTS.stopTimeoutSeconds));
    const stopTimeoutSeconds =
      stopTimeouts.length > 0 ? Math.max(...stopTimeouts) : AWS_ROLLOUT_DEFAULTS.stopTimeoutSeconds;
    const deployment = (props.DeploymentConfiguration as Record<string, unknown> | undefined) ?? {};
    const ecsStrategy = String(deployment.Strategy ?? AWS_ROLLOUT_DEFAULTS.strategy);
    const strategy = STRATEGIES[ecsStrategy] ?? 'rolling';
    const blueGreen = strategy !== 'rolling';
    const trafficShiftSeconds = shiftSeconds(strategy, deployment);
    const bakeTimeSeconds = blueGreen
      ? numberOr(deployment.BakeTimeInMinutes, AWS_ROLLOUT_DEFAULTS.bakeTimeMinutes) * 60
      : 0;
    const hooks = (deployment.LifecycleHooks as Array<{ HookDetails?: { deadlineSeconds?: unknown } }>) ?? [];
    const checkDeadlineSeconds = blueGreen
      ? Math.max(0, ...hooks.map((h) => numberOr(h.HookDetails?.deadlineSeconds, 0)))
      : 0;
    const health = healthCheckIntervalSeconds * healthyThresholdCount;
    const toNewVersionSeconds = health + trafficShiftSeconds;
    const terms: Array<[string, number]> = [
      ['the health checks', health],
      [`the ${strategy} traffic shift`, trafficShiftSeconds],
      ['the bake time', bakeTimeSeconds],
      ['the deregistration delay', deregistrationDelaySeconds],
      ['the stop timeout', stopTimeoutSeconds],
    ];
    models.push({
      service: logicalId,
      strategy,
      trafficShiftSeconds,
      healthCheckIntervalSeconds,
      healthyThresholdCount,
      deregistrationDelaySeconds,
      stopTimeoutSeconds,
      bakeTimeSeconds,
      checkDeadlineSeconds,
      toNewVersionSeconds,
      seconds: toNewVersionSeconds + bakeTimeSeconds + deregistrationDelaySeconds + stopTimeoutSeconds,
      dominatedBy: {
        toNewVersion: trafficShiftSeconds > health ? `the ${strategy} traffic shift` : 'the health checks',
        oldTasksGone: terms.reduce((a, b) => (b[1] > a[1] ? b : a))[0],
      },
    });
  }
  return models;
}
