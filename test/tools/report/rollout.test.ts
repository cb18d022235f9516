import { AWS_ROLLOUT_DEFAULTS, modelRollouts, type CfnTemplate } from '../../../tools/report/rollout';

describe('rollout model', () => {
  const service = (tg: Record<string, unknown>, container: Record<string, unknown>): CfnTemplate => ({
    Resources: {
      Tg: { Type: 'AWS::ElasticLoadBalancingV2::TargetGroup', Properties: tg },
      Task: { Type: 'AWS::ECS::TaskDefinition', Properties: { ContainerDefinitions: [container] } },
      Svc: {
        Type: 'AWS::ECS::Service',
        Properties: { TaskDefinition: { Ref: 'Task' }, LoadBalancers: [{ TargetGroupArn: { Ref: 'Tg' } }] },
      },
    },
  });

  test('adds interval × healthy threshold, deregistration delay and stop timeout', () => {
    const [model] = modelRollouts(
      service(
        {
          HealthCheckIntervalSeconds: 10,
          HealthyThresholdCount: 3,
          TargetGroupAttributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '20' }],
        },
        { StopTimeout: 5 },
      ),
    );
    expect(model.seconds).toBe(10 * 3 + 20 + 5);
  });

  test('uses the AWS defaults for every property a template leaves out', () => {
    const [model] = modelRollouts(service({}, {}));
    expect(model).toMatchObject({
      healthCheckIntervalSeconds: 30,
      healthyThresholdCount: 5,
      deregistrationDelaySeconds: 300,
      stopTimeoutSeconds: 30,
    });
    expect(model.seconds).toBe(
      AWS_ROLLOUT_DEFAULTS.healthCheckIntervalSeconds * AWS_ROLLOUT_DEFAULTS.healthyThresholdCount +
        AWS_ROLLOUT_DEFAULTS.deregistrationDelaySeconds +
        AWS_ROLLOUT_DEFAULTS.stopTimeoutSeconds,
    );
    expect(model.seconds).toBe(480);
    expect([model.strategy, model.toNewVersionSeconds, model.dominatedBy.oldTasksGone]).toEqual([
      'rolling',
      150,
      'the deregistration delay',
    ]);
  });

  test('blue/green: the new version takes over after the health checks; the bake time keeps the old tasks', () => {
    const template = service({ HealthCheckIntervalSeconds: 5, HealthyThresholdCount: 2 }, { StopTimeout: 10 });
    const withStrategy = (deployment: Record<string, unknown>) => {
      const copy = structuredClone(template) as { Resources: Record<string, { Properties: Record<string, unknown> }> };
      copy.Resources.Svc.Properties.DeploymentConfiguration = deployment;
      return modelRollouts(copy as CfnTemplate)[0];
    };
    const model = withStrategy({
      Strategy: 'BLUE_GREEN',
      BakeTimeInMinutes: 5,
      LifecycleHooks: [{ HookDetails: { deadlineSeconds: 600 } }],
    });
    expect(model).toMatchObject({
      strategy: 'blue-green',
      toNewVersionSeconds: 10,
      bakeTimeSeconds: 300,
      checkDeadlineSeconds: 600,
      seconds: 10 + 300 + 300 + 10,
    });
    // Deregistration is left out here (AWS default 300 s): it ties with the bake time, which comes first.
    expect(model.dominatedBy).toEqual({ toNewVersion: 'the health checks', oldTasksGone: 'the bake time' });
    // No bake time in the template: the API documents no default, so none is modelled.
    expect(withStrategy({ Strategy: 'BLUE_GREEN' }).seconds).toBe(10 + 300 + 10);
    expect(withStrategy({ Strategy: 'ROLLING', BakeTimeInMinutes: 5 }).bakeTimeSeconds).toBe(0);
    // Canary: the canary share is judged for its bake before the rest moves.
    const canary = withStrategy({
      Strategy: 'CANARY',
      BakeTimeInMinutes: 5,
      CanaryConfiguration: { CanaryPercent: 20, CanaryBakeTimeInMinutes: 5 },
    });
    expect(canary).toMatchObject({ strategy: 'canary', trafficShiftSeconds: 300, toNewVersionSeconds: 310 });
    expect(canary.seconds).toBe(310 + 300 + 300 + 10);
    expect(canary.dominatedBy.toNewVersion).toBe('the canary traffic shift');
    // Linear: 25% steps land the last step after 3 intervals, 33% steps after 3 too (ceil(100 / 33) - 1), 50% after 1.
    const linear = (step: number) =>
      withStrategy({
        Strategy: 'LINEAR',
        BakeTimeInMinutes: 5,
        LinearConfiguration: { StepPercent: step, StepBakeTimeInMinutes: 3 },
      });
    expect([25, 33, 50].map((step) => linear(step).trafficShiftSeconds)).toEqual([540, 540, 180]);
    expect(linear(25)).toMatchObject({ strategy: 'linear', toNewVersionSeconds: 550 });
  });
});
