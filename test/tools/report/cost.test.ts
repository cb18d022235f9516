import { PRICES, modelEnvironmentCost } from '../../../tools/report/cost';
import type { CfnTemplate } from '../../../tools/report/rollout';

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
