import { controlTowerStatus, readValidationReport } from '../../../tools/report/control-tower';
import { PRICES, modelEnvironmentCost } from '../../../tools/report/cost';
import { acknowledgementsIn, buildReport, reportMarkdown, reportSummary } from '../../../tools/report/report';
import { AWS_ROLLOUT_DEFAULTS, modelRollouts, type CfnTemplate } from '../../../tools/report/rollout';
import { buildDeliveryApp } from '../../../pipeline/build-app';
import { configWith, newProjectApp } from '../../helpers/cdk';

const HOURS = PRICES.hoursPerMonth;

/** A hand-made workload: n interface endpoints over two subnets, one ALB, one service, optional NAT and key. */
function workload(options: {
  endpoints: number;
  nats?: number;
  arch?: 'ARM64' | 'X86_64';
  tasks?: number;
  keys?: number;
}): CfnTemplate {
  const resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> = {
    Alb: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: { Scheme: 'internet-facing' } },
    Task: {
      Type: 'AWS::ECS::TaskDefinition',
      Properties: {
        Cpu: '512',
        Memory: '1024',
        ...(options.arch ? { RuntimePlatform: { CpuArchitecture: options.arch } } : {}),
      },
    },
    Service: {
      Type: 'AWS::ECS::Service',
      Properties: { DesiredCount: options.tasks ?? 2, TaskDefinition: { Ref: 'Task' } },
    },
    S3: { Type: 'AWS::EC2::VPCEndpoint', Properties: { VpcEndpointType: 'Gateway', ServiceName: 's3' } },
  };
  for (let i = 0; i < options.endpoints; i++) {
    resources[`Endpoint${i}`] = {
      Type: 'AWS::EC2::VPCEndpoint',
      Properties: { VpcEndpointType: 'Interface', SubnetIds: ['a', 'b'] },
    };
  }
  for (let i = 0; i < (options.nats ?? 0); i++) resources[`Nat${i}`] = { Type: 'AWS::EC2::NatGateway' };
  for (let i = 0; i < (options.keys ?? 0); i++) resources[`Key${i}`] = { Type: 'AWS::KMS::Key' };
  return { Resources: resources };
}

describe('cost model', () => {
  test('prices endpoint ENIs per AZ, the ALB, ARM Fargate and KMS keys at list price', () => {
    const cost = modelEnvironmentCost([workload({ endpoints: 3, arch: 'ARM64', keys: 1 })]);
    const line = (prefix: string) => cost.lines.find((l) => l.item.startsWith(prefix))!;
    expect(line('Interface endpoints')).toMatchObject({ quantity: 6, monthlyUsd: 43.8 });
    expect(line('Application Load Balancer').monthlyUsd).toBe(16.43);
    // 2 tasks × (0.5 vCPU × 0.03238 + 1 GB × 0.00356) × 730 h
    expect(line('Fargate ARM64')).toMatchObject({ quantity: 2, monthlyUsd: 28.84 });
    expect(line('KMS keys').monthlyUsd).toBe(1);
    // 43.80 + 16.425 + 28.835 + 1, rounded once at the end
    expect(cost.monthlyUsd).toBe(90.06);
  });

  test('prices x86 higher than ARM, and takes x86 when the task names no architecture', () => {
    const arm = modelEnvironmentCost([workload({ endpoints: 0, arch: 'ARM64' })]).lines.find((l) =>
      l.item.startsWith('Fargate'),
    )!;
    const unnamed = modelEnvironmentCost([workload({ endpoints: 0 })]).lines.find((l) => l.item.startsWith('Fargate'))!;
    expect(unnamed.item).toContain('X86_64');
    // 2 × (0.5 × 0.04048 + 1 × 0.004445) × 730
    expect(unnamed.monthlyUsd).toBe(36.04);
    expect(arm.monthlyUsd / unnamed.monthlyUsd).toBeCloseTo(0.8, 1);
  });

  test('compares with a NAT gateway per AZ and finds where the endpoints become cheaper', () => {
    // Six endpoints (diagnostics on): 6 × 2 × 0.01 × 730 = 87.60 fixed, against 2 × 0.045 × 730 = 65.70;
    // the 21.90 difference is made up at 0.035 per GB: 626 GB a month.
    const cost = modelEnvironmentCost([workload({ endpoints: 6, arch: 'ARM64' })]);
    expect(cost.withNatInstead.lines.find((l) => l.item === 'NAT gateways')).toMatchObject({
      quantity: 2,
      monthlyUsd: 65.7,
    });
    expect(cost.withNatInstead.lines.some((l) => l.item.startsWith('Interface endpoints'))).toBe(false);
    expect(cost.endpointsCheaperAboveGb).toBe(626);
    expect(modelEnvironmentCost([workload({ endpoints: 3 })]).endpointsCheaperAboveGb).toBe(0);
  });

  test('prices NAT gateways that a template does have', () => {
    const cost = modelEnvironmentCost([workload({ endpoints: 0, nats: 2 })]);
    expect(cost.lines.find((l) => l.item === 'NAT gateways')).toMatchObject({
      quantity: 2,
      monthlyUsd: 2 * 0.045 * HOURS,
    });
  });

  test('names resources it cannot price instead of guessing', () => {
    const cost = modelEnvironmentCost([
      { Resources: { Big: { Type: 'AWS::EC2::Instance', Properties: { InstanceType: 'm7g.large' } } } },
    ]);
    expect(cost.unpriced).toEqual(['AWS::EC2::Instance m7g.large']);
  });
});

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

describe('the report on the real app', () => {
  // GIVEN the default app synthesized once, read back through the cloud assembly API
  const assembly = buildDeliveryApp(newProjectApp(), configWith(), 'sha-0123456789abcdef').app.synth();
  const report = buildReport(assembly.directory);
  const markdown = reportMarkdown(report);

  test('lists the critical path to the first smoke test: 4 CodeBuild actions, none after Synth installing anything', () => {
    expect(report.criticalPath.map((a) => [a.name, a.provider, a.installs])).toEqual([
      ['Source', 'S3', false],
      ['Synth', 'CodeBuild', true],
      ['SelfMutate', 'CodeBuild', true],
      ['Registry.hello-privatelink-registry.Deploy', 'CloudFormation', false],
      ['Registry.PublishImage', 'CodeBuild', false],
      ['Approve-production', 'Manual', false],
      ['hello-privatelink-production-service.Deploy', 'CloudFormation', false],
      ['SmokeTest-production', 'CodeBuild', false],
    ]);
    expect(markdown).toContain('8 sequential actions, 4 of them CodeBuild; 2 install packages (Synth, SelfMutate).');
    expect(markdown).toContain('(aws/aws-cdk#14158, #23016)');
  });

  test('lists each stage with its account, region and stacks', () => {
    expect(markdown).toContain('| Registry | 222222222222 | us-east-2 | hello-privatelink-registry |');
    expect(markdown).toContain(
      '| ProductionService | 333333333333 | us-east-2 | hello-privatelink-production-service |',
    );
    expect(markdown).toContain('| (app) | 111111111111 | us-east-2 | hello-privatelink-pipeline |');
  });

  test('prices the default workload: 4 endpoints × 2 AZs, one ALB, 2 ARM tasks, the rollback alarms, no NAT', () => {
    const production = report.environments.find((e) => e.name === 'production')!;
    // ecr.api, ecr.dkr and logs: the blue/green check finds the load balancer through a relay outside the VPC.
    expect(production.cost.lines.map((l) => [l.item, l.quantity, l.monthlyUsd])).toEqual([
      ['Interface endpoints (3 services)', 6, 43.8],
      ['Application Load Balancer', 1, 16.43],
      ['Fargate ARM64: 2 tasks × 0.25 vCPU / 0.5 GB', 2, 14.42],
      // The default-group closer, the in-VPC verifier and the pre-traffic relay.
      ['Lambda functions (per invocation only)', 3, 0],
      // Two alarms per target group: a 5XX rate over 2 metrics, and unhealthy tasks: 6 alarm metrics at $0.10.
      ['CloudWatch alarms (4, deployment rollback)', 6, 0.6],
    ]);
    // At or below the 2-AZ floor of about $76 the design holds.
    expect(production.cost.monthlyUsd).toBe(75.24);
    expect(production.cost.withNatInstead.monthlyUsd).toBe(97.14);
  });

  test('draws accounts, the VPC with what runs in it, the traffic path and the image path in Mermaid', () => {
    expect(report.diagram.split('\n')[0]).toBe('flowchart LR');
    for (const label of [
      'Account 222222222222',
      'ECR hello-privatelink',
      'production: VPC 10.0.0.0/16, 0 NAT',
      'ecr.api, ecr.dkr, logs',
      'ALB internet-facing, HTTP:80',
      'Fargate tasks × 2',
      'CodePipeline hello-privatelink',
      'GitHub OIDC roles',
    ]) {
      expect(report.diagram).toContain(label);
    }
    // Every node is connected: users to the name to the ALB to the tasks; the image; GitHub to the pipeline.
    for (const edge of [
      'users_production(["Internet users"]) --> name_production["ALB DNS name"]',
      'name_production -- "resolves" --> alb_production',
      'alb_production --> service_production',
      'endpoints_production -- "image, logs" --> service_production',
      'hello_privatelink_registry_repo -. "pull over PrivateLink" .-> endpoints_production',
      'hello_privatelink_pipeline_pipeline -- "push image" --> hello_privatelink_registry_repo',
      'hello_privatelink_pipeline_pipeline -. "post-deploy check" .-> name_production',
      'hello_privatelink_github_oidc_oidc -- "start" --> hello_privatelink_pipeline_pipeline',
    ]) {
      expect(report.diagram).toContain(edge);
    }
    // Internet-facing: the pipeline checks the service by its name; the verifier is ECS's hook, not the pipeline's.
    expect(report.diagram).toContain(
      'service_production -. "ECS lifecycle hook, before production traffic" .-> verifier_production',
    );
    expect(report.diagram).not.toMatch(/pipeline_pipeline .*-> verifier_production/);
    // The service box sits inside its VPC box: the VPC subgraph ends after the tasks.
    const lines = report.diagram.split('\n');
    const vpc = lines.findIndex((l) => l.includes('subgraph vpc_production'));
    const tasks = lines.findIndex((l) => l.includes('service_production["Fargate'));
    const end = lines.findIndex((l, i) => i > vpc && l.trim() === 'end');
    expect(vpc < tasks && tasks < end).toBe(true);
    expect(markdown).toContain('```mermaid\nflowchart LR');
  });

  test('models the rollout of the service', () => {
    expect(markdown).toContain('| hello-privatelink-production-service | Service');
    expect(markdown).toMatch(/\| blue-green \| 10 \(5 × 2\) \| 335 \(10 \+ 300 \+ 15 \+ 10\) \| the bake time \|/);
  });

  test('counts the cdk-nag acknowledgements, each with its reason', () => {
    const ids = report.acknowledgements.map((a) => a.id);
    expect(ids).toEqual(
      expect.arrayContaining(['AwsSolutions-EC23', 'AwsSolutions-S1', 'AwsSolutions-IAM5[Resource::*]']),
    );
    for (const a of report.acknowledgements) expect(a.reason.length).toBeGreaterThan(20);
    expect(markdown).toContain(`${report.acknowledgements.length} cdk-nag (AwsSolutions) acknowledgements`);
    expect(reportSummary(report)).toMatch(
      /^production: \$75\.24\/month fixed \(\$97\.14 with NAT gateways instead\), rollout blue-green 10 s to the new version, 335 s to the old tasks gone$/m,
    );
  });

  test('lists each Control Tower control that checks a resource here, as passed or acknowledged with its reason', () => {
    const status = (control: string) => report.controlTower.find((c) => c.control === control);
    // Fixed in this app: the container names its non-root user and a memory limit; the pipeline key fences grants.
    for (const control of ['CT.ECS.PR.3', 'CT.ECS.PR.7', 'CT.KMS.PR.3', 'CT.S3.PR.11', 'CT.CODEBUILD.PR.3']) {
      expect(status(control)).toMatchObject({ acknowledged: 0 });
      expect(status(control)!.resources).toBeGreaterThan(0);
    }
    // Acknowledged, on the one privileged project only.
    expect(status('CT.CODEBUILD.PR.4')).toMatchObject({ resources: 4, acknowledged: 1 });
    expect(status('CT.CODEBUILD.PR.4')!.reasons.join()).toContain('PublishImage');
    // No control for a resource type the app does not have.
    expect(status('CT.RDS.PR.1')).toBeUndefined();
    expect(markdown).toMatch(/\| CT\.ECS\.PR\.3 \| ecs_task_definition_nonroot_user_check \| 1 \| passed \|/);
    expect(markdown).toMatch(
      /\| CT\.S3\.PR\.9 \| s3_bucket_object_lock_enabled_check \| \d+ \| acknowledged on \d+ \| Lifecycle/,
    );
    expect(reportSummary(report)).toMatch(
      /^Control Tower: \d+ controls apply: \d+ passed, \d+ acknowledged on some resources$/m,
    );
  });

  test('refuses an assembly without the validation report, naming the file', () => {
    expect(() => controlTowerStatus([], { pluginReports: [] })).toThrow(/no successful cdk-validator-cfnguard run/);
    expect(() => readValidationReport('/nonexistent')).toThrow(
      /validation-report\.json does not exist; .*npm run synth/,
    );
  });

  test('reads acknowledgements from template metadata, ignoring other validators', () => {
    const acks = acknowledgementsIn([
      {
        Resources: {
          A: {
            Type: 'X',
            Metadata: {
              cdk_nag: {
                rules_to_suppress: [
                  { id: 'AwsSolutions-S1', reason: 'r1' },
                  { id: 'CloudFormation-Validate::W3010', reason: 'x' },
                ],
              },
            },
          },
          B: { Type: 'X', Metadata: { cdk_nag: { rules_to_suppress: [{ id: 'AwsSolutions-S1', reason: 'r1' }] } } },
        } as CfnTemplate['Resources'],
      },
    ]);
    expect(acks).toEqual([{ id: 'AwsSolutions-S1', reason: 'r1', resources: 2 }]);
  });
});
