// `npm run report [-- --assembly DIR] [-- --out FILE]`: what a synth will deploy, where, at what fixed monthly
// cost and rollout time, with a Mermaid diagram and the cdk-nag acknowledgements. Reads the cloud assembly
// that `npm run synth` wrote, through @aws-cdk/cloud-assembly-api.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ENVIRONMENT_TAG } from '../../pipeline/delivery-stages';
import { CommandError, parseCommandLine, runCommand } from '../cli/command';
import { PRICES, modelEnvironmentCost, type EnvironmentCost } from './cost';
import { ACTION_OVERHEADS, criticalPath, type PathAction } from './critical-path';
import { readPlan, type StackPlan, type StagePlan } from './plan';
import type { CfnTemplate } from './rollout';

export interface Acknowledgement {
  readonly id: string;
  readonly reason: string;
  /** How many resources it covers. */
  readonly resources: number;
}

export interface Report {
  readonly stages: readonly StagePlan[];
  readonly environments: ReadonlyArray<{
    readonly name: string;
    readonly cost: EnvironmentCost;
    readonly stacks: readonly StackPlan[];
  }>;
  readonly acknowledgements: readonly Acknowledgement[];
  readonly diagram: string;
  /** The pipeline's sequential actions to the first verified environment. */
  readonly criticalPath: readonly PathAction[];
}

/** cdk-nag acknowledgements recorded in the templates' resource metadata, each counted once with its reach. */
export function acknowledgementsIn(templates: readonly CfnTemplate[]): Acknowledgement[] {
  const counts = new Map<string, Acknowledgement>();
  for (const template of templates) {
    for (const resource of Object.values(template.Resources ?? {}) as Array<{
      Metadata?: { cdk_nag?: { rules_to_suppress?: Array<{ id: string; reason: string }> } };
    }>) {
      for (const rule of resource.Metadata?.cdk_nag?.rules_to_suppress ?? []) {
        if (!rule.id.startsWith('AwsSolutions-')) continue;
        const key = `${rule.id}\n${rule.reason}`;
        const seen = counts.get(key);
        counts.set(key, { id: rule.id, reason: rule.reason, resources: (seen?.resources ?? 0) + 1 });
      }
    }
  }
  return [...counts.values()].sort((a, b) => a.id.localeCompare(b.id) || a.reason.localeCompare(b.reason));
}

const resourcesOfType = (stack: StackPlan, type: string) =>
  Object.values(stack.template.Resources ?? {})
    .filter((r) => r.Type === type)
    .map((r) => r.Properties ?? {});

/** Accounts → stages → key resources, and the image's way from the registry to the tasks. */
export function mermaidDiagram(stages: readonly StagePlan[]): string {
  const lines = ['flowchart LR'];
  const byAccount = new Map<string, StagePlan[]>();
  for (const stage of stages) {
    const account = stage.stacks[0].account;
    byAccount.set(account, [...(byAccount.get(account) ?? []), stage]);
  }
  // Nodes by workload environment, so each environment's endpoints feed its own service.
  const serviceNodes: Array<{ node: string; environment?: string }> = [];
  const repositories: string[] = [];
  const pipelines: string[] = [];
  const endpointNodes: Array<{ node: string; environment?: string }> = [];
  for (const [account, accountStages] of byAccount) {
    lines.push(`  subgraph acct_${account}["Account ${account}"]`);
    for (const stage of accountStages) {
      for (const stack of stage.stacks) {
        const id = stack.stackName.replace(/[^A-Za-z0-9]/g, '_');
        lines.push(`    subgraph ${id}["${stage.stage === '(app)' ? '' : `${stage.stage}: `}${stack.stackName}"]`);
        for (const repo of resourcesOfType(stack, 'AWS::ECR::Repository')) {
          lines.push(`      ${id}_repo[("ECR ${repo.RepositoryName}")]`);
          repositories.push(`${id}_repo`);
        }
        for (const p of resourcesOfType(stack, 'AWS::CodePipeline::Pipeline')) {
          lines.push(`      ${id}_pipeline["CodePipeline ${p.Name}"]`);
          pipelines.push(`${id}_pipeline`);
        }
        for (const vpc of resourcesOfType(stack, 'AWS::EC2::VPC')) {
          const nats = resourcesOfType(stack, 'AWS::EC2::NatGateway').length;
          lines.push(`      ${id}_vpc["VPC ${vpc.CidrBlock}, ${nats} NAT"]`);
        }
        const endpoints = resourcesOfType(stack, 'AWS::EC2::VPCEndpoint').map((e) =>
          typeof e.ServiceName === 'string' ? e.ServiceName.split('.').slice(3).join('.') : 's3 gateway',
        );
        if (endpoints.length > 0) {
          lines.push(`      ${id}_endpoints{{"Endpoints: ${endpoints.join(', ')}"}}`);
          endpointNodes.push({ node: `${id}_endpoints`, environment: stack.tags[ENVIRONMENT_TAG] });
        }
        for (const alb of resourcesOfType(stack, 'AWS::ElasticLoadBalancingV2::LoadBalancer')) {
          lines.push(`      ${id}_alb["ALB ${alb.Scheme ?? 'internet-facing'}"]`);
        }
        for (const service of resourcesOfType(stack, 'AWS::ECS::Service')) {
          lines.push(`      ${id}_service["Fargate service × ${service.DesiredCount}"]`);
          serviceNodes.push({ node: `${id}_service`, environment: stack.tags[ENVIRONMENT_TAG] });
        }
        if (resourcesOfType(stack, 'AWS::IAM::OIDCProvider').length > 0)
          lines.push(`      ${id}_oidc["GitHub OIDC roles"]`);
        lines.push('    end');
      }
    }
    lines.push('  end');
  }
  for (const pipeline of pipelines)
    for (const repo of repositories) lines.push(`  ${pipeline} -- "push image" --> ${repo}`);
  for (const endpoint of endpointNodes) {
    for (const repo of repositories) lines.push(`  ${repo} -. "pull over PrivateLink" .-> ${endpoint.node}`);
    for (const service of serviceNodes.filter((s) => s.environment === endpoint.environment)) {
      lines.push(`  ${endpoint.node} --> ${service.node}`);
    }
  }
  return lines.join('\n');
}

export function buildReport(assemblyDir: string): Report {
  const stages = readPlan(assemblyDir);
  const stacks = stages.flatMap((s) => s.stacks);
  const names = [...new Set(stacks.map((s) => s.tags[ENVIRONMENT_TAG]).filter((n): n is string => !!n))];
  const groups = [
    ...names.map((name) => ({ name, stacks: stacks.filter((s) => s.tags[ENVIRONMENT_TAG] === name) })),
    { name: 'shared (tooling and registry)', stacks: stacks.filter((s) => !s.tags[ENVIRONMENT_TAG]) },
  ];
  const environments = groups.map((g) => ({ ...g, cost: modelEnvironmentCost(g.stacks.map((s) => s.template)) }));
  return {
    stages,
    environments,
    acknowledgements: acknowledgementsIn(stacks.map((s) => s.template)),
    diagram: mermaidDiagram(stages),
    criticalPath: criticalPath(stacks.find((s) => s.resourceCounts['AWS::CodePipeline::Pipeline'])?.template ?? {}),
  };
}

const usd = (n: number) => `$${n.toFixed(2)}`;
const unitPrice = (n: number) => `$${n}`;

export function reportMarkdown(report: Report): string {
  const out: string[] = ['# Deployment plan', ''];
  out.push('## Stages', '', '| stage | account | region | stack | resources |', '|---|---|---|---|---|');
  for (const stage of report.stages) {
    for (const stack of stage.stacks) {
      const counts = Object.entries(stack.resourceCounts)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([t, n]) => `${t.replace(/^AWS::/, '')} ${n}`);
      out.push(
        `| ${stage.stage} | ${stack.account} | ${stack.region} | ${stack.stackName} | ${stack.resourceTotal}: ${counts.join(', ')} |`,
      );
    }
  }
  out.push('', '## Diagram', '', '```mermaid', report.diagram, '```', '');
  const codeBuild = report.criticalPath.filter((a) => a.provider === 'CodeBuild');
  out.push(
    '## Critical path to the first verified environment',
    '',
    `${report.criticalPath.length} sequential actions, ${codeBuild.length} of them CodeBuild; ` +
      `${codeBuild.filter((a) => a.installs).length} install packages (${
        codeBuild
          .filter((a) => a.installs)
          .map((a) => a.name)
          .join(', ') || 'none'
      }).`,
    '',
    '| # | stage | action | provider | installs |',
    '|---|---|---|---|---|',
    ...report.criticalPath.map(
      (a, i) =>
        `| ${i + 1} | ${a.stage} | ${a.name} | ${a.provider} | ${a.provider === 'CodeBuild' ? (a.installs ? 'yes' : 'no') : ''} |`,
    ),
    '',
    'Overheads this relies on:',
    ...ACTION_OVERHEADS.map((o) => `- ${o}`),
    '',
  );
  out.push(
    `## Fixed monthly cost per environment`,
    '',
    `List prices for ${PRICES.region}, on demand, taken on ${PRICES.takenOn}, ${PRICES.hoursPerMonth} hours a month; data transfer and LCUs excluded.`,
    '',
  );
  for (const env of report.environments) {
    out.push(
      `### ${env.name}`,
      '',
      '| item | quantity | with endpoints | with a NAT gateway per AZ instead |',
      '|---|---|---|---|',
    );
    const items = [...new Set([...env.cost.lines, ...env.cost.withNatInstead.lines].map((l) => l.item))];
    for (const item of items) {
      const a = env.cost.lines.find((l) => l.item === item);
      const b = env.cost.withNatInstead.lines.find((l) => l.item === item);
      out.push(
        `| ${item} | ${a?.quantity ?? b?.quantity} ${(a ?? b)!.unit} | ${a ? usd(a.monthlyUsd) : '-'} | ${b ? usd(b.monthlyUsd) : '-'} |`,
      );
    }
    out.push(`| **total** | | **${usd(env.cost.monthlyUsd)}** | **${usd(env.cost.withNatInstead.monthlyUsd)}** |`, '');
    const hasEndpoints = env.cost.lines.some((l) => l.item.startsWith('Interface endpoints'));
    if (hasEndpoints)
      out.push(
        env.cost.endpointsCheaperAboveGb === 0
          ? `The endpoints cost less than NAT gateways at every data volume (${unitPrice(PRICES.interfaceEndpointGb)}/GB against ${unitPrice(PRICES.natGatewayGb)}/GB processed).`
          : `The endpoints cost less than NAT gateways above ${env.cost.endpointsCheaperAboveGb} GB a month through them (${unitPrice(PRICES.interfaceEndpointGb)}/GB against ${unitPrice(PRICES.natGatewayGb)}/GB processed).`,
      );
    if (env.cost.unpriced.length > 0) out.push('', `Not priced: ${env.cost.unpriced.join(', ')}.`);
    out.push('');
  }
  out.push(
    '## Modelled rollout time',
    '',
    'Health-check interval × healthy threshold + deregistration delay + stop timeout; AWS defaults where a template leaves a value out.',
    '',
  );
  out.push('| stack | service | seconds |', '|---|---|---|');
  for (const stack of report.stages.flatMap((s) => s.stacks)) {
    for (const r of stack.rollouts) {
      out.push(
        `| ${stack.stackName} | ${r.service} | ${r.seconds} (${r.healthCheckIntervalSeconds} × ${r.healthyThresholdCount} + ${r.deregistrationDelaySeconds} + ${r.stopTimeoutSeconds}) |`,
      );
    }
  }
  out.push(
    '',
    `## Security posture`,
    '',
    `${report.acknowledgements.length} cdk-nag (AwsSolutions) acknowledgements; every other finding fails synth.`,
    '',
  );
  out.push('| rule | resources | reason |', '|---|---|---|');
  for (const a of report.acknowledgements)
    out.push(`| ${a.id.replace(/\|/g, '\\|')} | ${a.resources} | ${a.reason.replace(/\|/g, '\\|')} |`);
  return `${out.join('\n')}\n`;
}

/** The few lines a terminal shows. */
export function reportSummary(report: Report): string {
  const lines = report.environments.map(
    (e) =>
      `${e.name}: ${usd(e.cost.monthlyUsd)}/month fixed (${usd(e.cost.withNatInstead.monthlyUsd)} with NAT gateways instead)` +
      `, rollout ${
        e.stacks
          .flatMap((s) => s.rollouts)
          .map((r) => `${r.seconds} s`)
          .join(', ') || 'n/a'
      }`,
  );
  lines.push(
    `${report.stages.flatMap((s) => s.stacks).length} stacks in ${report.stages.length} stages; ${report.acknowledgements.length} cdk-nag acknowledgements`,
  );
  return lines.join('\n');
}

const SPEC = {
  name: 'report',
  usage: `
usage: npm run report -- [--assembly DIR] [--out FILE]

Writes the plan report (stages, diagram, cost, rollout, cdk-nag acknowledgements) from a synthesized assembly.

  --assembly DIR   the cloud assembly npm run synth wrote (default cdk.out)
  --out FILE       where the Markdown goes (default DIR/report.md)
  --help           print this and do nothing
`,
  options: { assembly: { type: 'string' }, out: { type: 'string' } },
} as const;

/** Refuses what is not a complete assembly, naming the file, and says what to run only when that is the fix. */
export function checkAssembly(assembly: string): void {
  const manifest = path.join(assembly, 'manifest.json');
  if (!existsSync(manifest)) {
    throw new CommandError(`${manifest} does not exist; run npm run synth first, or name the assembly with --assembly`);
  }
  // CDK writes placeholder availability zones when a lookup failed; such an assembly describes no real network.
  for (const file of readdirSync(assembly, { recursive: true }) as string[]) {
    if (!file.endsWith('.template.json')) continue;
    if (readFileSync(path.join(assembly, file), 'utf8').includes('dummy1a')) {
      throw new CommandError(
        `${path.join(assembly, file)} has placeholder availability zones (dummy1a) from a synth whose lookups failed; fix that synth first`,
      );
    }
  }
}

async function main(): Promise<number> {
  const parsed = parseCommandLine(SPEC, process.argv.slice(2));
  if (!parsed) return 0;
  const assembly = parsed.values.assembly ?? 'cdk.out';
  const out = parsed.values.out ?? path.join(assembly, 'report.md');
  checkAssembly(assembly);
  const report = buildReport(assembly);
  try {
    writeFileSync(out, reportMarkdown(report));
  } catch (error) {
    throw new CommandError(`cannot write ${out}: ${(error as Error).message.split('\n')[0]}`);
  }
  console.log(`${reportSummary(report)}\nreport: ${out}`);
  return 0;
}

if (require.main === module) runCommand(SPEC.name, main);
