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
} as const;

/** The modelled time for one task to be replaced behind the load balancer. */
export interface RolloutModel {
  /** The ECS service's logical ID in its template. */
  readonly service: string;
  readonly healthCheckIntervalSeconds: number;
  readonly healthyThresholdCount: number;
  readonly deregistrationDelaySeconds: number;
  readonly stopTimeoutSeconds: number;
  /** interval x healthy threshold + deregistration delay + stop timeout. */
  readonly seconds: number;
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
    models.push({
      service: logicalId,
      healthCheckIntervalSeconds,
      healthyThresholdCount,
      deregistrationDelaySeconds,
      stopTimeoutSeconds,
      seconds: healthCheckIntervalSeconds * healthyThresholdCount + deregistrationDelaySeconds + stopTimeoutSeconds,
    });
  }
  return models;
}
