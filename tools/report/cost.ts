import { refTarget, type CfnTemplate } from './rollout';

/**
 * List prices the cost model uses, in one place. Taken from the AWS pricing pages for us-east-2 (Ohio), on-demand,
 * in USD; they drift, so the report prints the date and the table.
 */
export const PRICES = {
  takenOn: '2025-06-01',
  region: 'us-east-2',
  hoursPerMonth: 730,
  /** Per interface endpoint per AZ (one ENI) per hour, and per GB processed. */
  interfaceEndpointHour: 0.01,
  interfaceEndpointGb: 0.01,
  applicationLoadBalancerHour: 0.0225,
  /** Per NAT gateway per hour, and per GB processed. */
  natGatewayHour: 0.045,
  natGatewayGb: 0.045,
  fargate: {
    ARM64: { vcpuHour: 0.03238, gbHour: 0.00356 },
    X86_64: { vcpuHour: 0.04048, gbHour: 0.004445 },
  },
  kmsKeyMonth: 1,
  /** Per standard-resolution alarm metric per month; a metric-math alarm pays for each metric it reads. */
  alarmMetricMonth: 0.1,
  ec2InstanceHour: { 't4g.nano': 0.0042 } as Record<string, number>,
} as const;

export interface CostLine {
  readonly item: string;
  readonly quantity: number;
  readonly unit: string;
  readonly monthlyUsd: number;
}

export interface EnvironmentCost {
  readonly lines: readonly CostLine[];
  readonly monthlyUsd: number;
  /** The same workload with one NAT gateway per AZ in place of the interface endpoints. */
  readonly withNatInstead: { readonly lines: readonly CostLine[]; readonly monthlyUsd: number };
  /** GB per month above which the endpoints cost less than NAT; 0 when they always do. */
  readonly endpointsCheaperAboveGb: number;
  /** Resource types present that the model does not price. */
  readonly unpriced: readonly string[];
}

const month = PRICES.hoursPerMonth;
const round = (n: number) => Math.round(n * 100) / 100;

function resourcesOf(templates: readonly CfnTemplate[]) {
  return templates.flatMap((t) => Object.values(t.Resources ?? {}).map((r) => ({ ...r, template: t })));
}

/** Fixed monthly cost of one workload environment's templates, at list price, before data transfer. */
export function modelEnvironmentCost(templates: readonly CfnTemplate[]): EnvironmentCost {
  const resources = resourcesOf(templates);
  const ofType = (type: string) => resources.filter((r) => r.Type === type);
  const lines: CostLine[] = [];

  const interfaceEndpoints = ofType('AWS::EC2::VPCEndpoint').filter(
    (r) => r.Properties?.VpcEndpointType === 'Interface',
  );
  const endpointEnis = interfaceEndpoints.reduce(
    (n, r) => n + ((r.Properties?.SubnetIds as unknown[]) ?? []).length,
    0,
  );
  if (endpointEnis > 0) {
    lines.push({
      item: `Interface endpoints (${interfaceEndpoints.length} services)`,
      quantity: endpointEnis,
      unit: 'endpoint-AZ',
      monthlyUsd: endpointEnis * PRICES.interfaceEndpointHour * month,
    });
  }
  const albs = ofType('AWS::ElasticLoadBalancingV2::LoadBalancer').filter(
    (r) => (r.Properties?.Type ?? 'application') === 'application',
  );
  if (albs.length > 0) {
    lines.push({
      item: 'Application Load Balancer',
      quantity: albs.length,
      unit: 'ALB',
      monthlyUsd: albs.length * PRICES.applicationLoadBalancerHour * month,
    });
  }
  const nats = ofType('AWS::EC2::NatGateway').length;
  if (nats > 0)
    lines.push({
      item: 'NAT gateways',
      quantity: nats,
      unit: 'gateway',
      monthlyUsd: nats * PRICES.natGatewayHour * month,
    });

  for (const service of ofType('AWS::ECS::Service')) {
    const taskDefinition =
      service.template.Resources?.[refTarget(service.Properties?.TaskDefinition) ?? '']?.Properties ?? {};
    const arch =
      (taskDefinition.RuntimePlatform as { CpuArchitecture?: string } | undefined)?.CpuArchitecture === 'ARM64'
        ? 'ARM64'
        : 'X86_64';
    const tasks = Number(service.Properties?.DesiredCount ?? 1);
    const vcpu = Number(taskDefinition.Cpu ?? 256) / 1024;
    const gb = Number(taskDefinition.Memory ?? 512) / 1024;
    const price = PRICES.fargate[arch];
    lines.push({
      item: `Fargate ${arch}: ${tasks} tasks × ${vcpu} vCPU / ${gb} GB`,
      quantity: tasks,
      unit: 'task',
      monthlyUsd: tasks * (vcpu * price.vcpuHour + gb * price.gbHour) * month,
    });
  }
  // Items with no fixed monthly cost, listed so the table says so: a Lambda bills per invocation, and ACM public
  // certificates and alias queries to a load balancer are free (ACM and Route 53 pricing pages).
  // The functions here (the in-VPC verifier, the pre-traffic relay, the default-group closer) run a few times a day
  // at most, inside Lambda's free tier.
  const functions = ofType('AWS::Lambda::Function').length;
  if (functions > 0) {
    lines.push({
      item: 'Lambda functions (per invocation only)',
      quantity: functions,
      unit: 'function',
      monthlyUsd: 0,
    });
  }
  const certificates = ofType('AWS::CertificateManager::Certificate').length;
  if (certificates > 0) {
    lines.push({ item: 'ACM public certificate', quantity: certificates, unit: 'certificate', monthlyUsd: 0 });
  }
  const alarmMetrics = ofType('AWS::CloudWatch::Alarm').reduce((n, alarm) => {
    const metrics = (alarm.Properties?.Metrics as Array<{ MetricStat?: unknown }> | undefined) ?? [];
    return n + (metrics.length > 0 ? metrics.filter((m) => m.MetricStat).length : 1);
  }, 0);
  if (alarmMetrics > 0) {
    lines.push({
      item: `CloudWatch alarms (${ofType('AWS::CloudWatch::Alarm').length}, deployment rollback)`,
      quantity: alarmMetrics,
      unit: 'alarm metric',
      monthlyUsd: alarmMetrics * PRICES.alarmMetricMonth,
    });
  }
  const keys = ofType('AWS::KMS::Key').length;
  if (keys > 0) lines.push({ item: 'KMS keys', quantity: keys, unit: 'key', monthlyUsd: keys * PRICES.kmsKeyMonth });

  const unpriced: string[] = [];
  for (const instance of ofType('AWS::EC2::Instance')) {
    const type = String(instance.Properties?.InstanceType);
    const hourly = PRICES.ec2InstanceHour[type];
    if (hourly === undefined) unpriced.push(`AWS::EC2::Instance ${type}`);
    else lines.push({ item: `EC2 ${type}`, quantity: 1, unit: 'instance', monthlyUsd: hourly * month });
  }

  const total = (ls: readonly CostLine[]) => round(ls.reduce((n, l) => n + l.monthlyUsd, 0));
  // One NAT per AZ that the endpoints span, replacing them; everything else stays.
  const azs = interfaceEndpoints.length > 0 ? endpointEnis / interfaceEndpoints.length : 0;
  const natLines = [
    ...lines.filter((l) => !l.item.startsWith('Interface endpoints') && !l.item.startsWith('NAT gateways')),
  ];
  if (azs + nats > 0) {
    natLines.push({
      item: 'NAT gateways',
      quantity: azs + nats,
      unit: 'gateway',
      monthlyUsd: (azs + nats) * PRICES.natGatewayHour * month,
    });
  }
  const endpointsFixed = lines.find((l) => l.item.startsWith('Interface endpoints'))?.monthlyUsd ?? 0;
  const natFixed = azs * PRICES.natGatewayHour * month;
  const breakEven = (endpointsFixed - natFixed) / (PRICES.natGatewayGb - PRICES.interfaceEndpointGb);
  return {
    lines: lines.map((l) => ({ ...l, monthlyUsd: round(l.monthlyUsd) })),
    monthlyUsd: total(lines),
    withNatInstead: {
      lines: natLines.map((l) => ({ ...l, monthlyUsd: round(l.monthlyUsd) })),
      monthlyUsd: total(natLines),
    },
    endpointsCheaperAboveGb: Math.max(0, Math.round(breakEven)),
    unpriced,
  };
}
