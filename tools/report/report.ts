// `npm run report [-- --assembly DIR] [-- --out FILE]`: what a synth will deploy, where, at what fixed monthly
// cost and rollout time, with a Mermaid diagram, the cdk-nag acknowledgements and the Control Tower controls. Reads the cloud assembly
// that `npm run synth` wrote, through @aws-cdk/cloud-assembly-api.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ENVIRONMENT_TAG } from '../../pipeline/delivery-stages';
import { CommandError, parseCommandLine, runCommand } from '../cli/command';
import { controlTowerStatus, controlTowerSummary, readValidationReport, type ControlStatus } from './control-tower';
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
  /** Each AWS Control Tower proactive control that checks a resource type here: passed or acknowledged. */
  readonly controlTower: readonly ControlStatus[];
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

/** The literal value of a stack output, or undefined when it is only known after deploy. */
function literalOutput(stack: StackPlan, name: string): string | undefined {
  const value = (stack.template as { Outputs?: Record<string, { Value?: unknown }> }).Outputs?.[name]?.Value;
  return typeof value === 'string' ? value : undefined;
}

/**
 * Accounts → workload VPCs → what runs in them, and the ways between them: users to each service through its name
 * and load balancer, the image from the pipeline to the registry and over PrivateLink to the tasks, GitHub Actions
 * to the pipeline, and the pipeline's post-deploy check to each service. Nodes are placed by account and VPC, not
 * by stack, so the service sits inside the network it runs in.
 */
export function mermaidDiagram(stages: readonly StagePlan[]): string {
  const stacks = stages.flatMap((s) => s.stacks);
  const accounts = [...new Set(stacks.map((s) => s.account))];
  const edges: string[] = [];
  const lines = ['flowchart LR'];
  const pipelines: string[] = [];
  const repositories: string[] = [];
  const oidcRoles: string[] = [];
  const later: Array<() => string[]> = [];
  const environments = [...new Set(stacks.map((s) => s.tags[ENVIRONMENT_TAG]).filter((n): n is string => !!n))];
  for (const account of accounts) {
    const here = stacks.filter((s) => s.account === account);
    const names = [...new Set(here.map((s) => s.tags[ENVIRONMENT_TAG] ?? ''))].filter(Boolean);
    lines.push(`  subgraph acct_${account}["Account ${account}${names.length ? `: ${names.join(', ')}` : ''}"]`);
    for (const stack of here) {
      const id = stack.stackName.replace(/[^A-Za-z0-9]/g, '_');
      for (const p of resourcesOfType(stack, 'AWS::CodePipeline::Pipeline')) {
        lines.push(`    ${id}_pipeline["CodePipeline ${p.Name}"]`);
        pipelines.push(`${id}_pipeline`);
      }
      if (resourcesOfType(stack, 'AWS::IAM::OIDCProvider').length > 0) {
        lines.push(`    ${id}_oidc["GitHub OIDC roles"]`);
        oidcRoles.push(`${id}_oidc`);
      }
      for (const repo of resourcesOfType(stack, 'AWS::ECR::Repository')) {
        lines.push(`    ${id}_repo[("ECR ${repo.RepositoryName}")]`);
        repositories.push(`${id}_repo`);
      }
    }
    for (const environment of environments) {
      const envStacks = here.filter((s) => s.tags[ENVIRONMENT_TAG] === environment);
      const network = envStacks.find((s) => resourcesOfType(s, 'AWS::EC2::VPC').length > 0);
      if (!network) continue;
      const e = environment.replace(/[^A-Za-z0-9]/g, '_');
      const [vpc] = resourcesOfType(network, 'AWS::EC2::VPC');
      const nats = resourcesOfType(network, 'AWS::EC2::NatGateway').length;
      lines.push(`    subgraph vpc_${e}["${environment}: VPC ${vpc.CidrBlock}, ${nats} NAT"]`);
      const [alb] = resourcesOfType(network, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
      const listeners = resourcesOfType(network, 'AWS::ElasticLoadBalancingV2::Listener')
        .map((l) => `${l.Protocol}:${l.Port}`)
        .join(', ');
      const internal = alb?.Scheme === 'internal';
      lines.push(`      alb_${e}["ALB ${alb?.Scheme ?? 'internet-facing'}, ${listeners}"]`);
      const endpoints = resourcesOfType(network, 'AWS::EC2::VPCEndpoint').map((ep) =>
        typeof ep.ServiceName === 'string' ? ep.ServiceName.split('.').slice(3).join('.') : 's3 gateway',
      );
      lines.push(`      endpoints_${e}{{"Endpoints: ${endpoints.join(', ')}"}}`);
      for (const stack of envStacks) {
        for (const service of resourcesOfType(stack, 'AWS::ECS::Service')) {
          lines.push(`      service_${e}["Fargate tasks × ${service.DesiredCount}"]`);
          edges.push(`  alb_${e} --> service_${e}`, `  endpoints_${e} -- "image, logs" --> service_${e}`);
        }
        for (const fn of resourcesOfType(stack, 'AWS::Lambda::Function')) {
          if (!/-verifier$/.test(String(fn.FunctionName))) continue;
          lines.push(`      verifier_${e}["In-VPC verifier Lambda"]`);
          edges.push(`  verifier_${e} -- "checks" --> alb_${e}`);
          // Who invokes it: ECS, as a blue/green deployment's lifecycle hook; the pipeline only for an internal
          // service, which its SmokeTest step cannot reach (an internet-facing one it checks by its name).
          const hooked = resourcesOfType(stack, 'AWS::ECS::Service').some(
            (s) => ((s.DeploymentConfiguration as { LifecycleHooks?: unknown[] })?.LifecycleHooks ?? []).length > 0,
          );
          if (hooked) edges.push(`  service_${e} -. "ECS lifecycle hook, before production traffic" .-> verifier_${e}`);
          if (internal) {
            later.push(() => pipelines.map((p) => `  ${p} -. "post-deploy check (invoke)" .-> verifier_${e}`));
          }
        }
      }
      // The traffic path: who reaches the name, and the name the load balancer answers to. An internal service's
      // clients and name are inside its VPC (the name resolves to private addresses); an internet-facing one's outside.
      const url = literalOutput(network, 'ExternalUrl');
      const nameNode = `name_${e}["${url ? new URL(url).hostname : 'ALB DNS name'}"]`;
      const record =
        resourcesOfType(network, 'AWS::Route53::RecordSet').length > 0 ? 'alias record' : 'your DNS record';
      if (internal) lines.push(`      clients_${e}(["Clients inside the VPC"])`, `      ${nameNode}`);
      lines.push('    end');
      edges.push(
        internal ? `  clients_${e} --> name_${e}` : `  users_${e}(["Internet users"]) --> ${nameNode}`,
        `  name_${e} -- "${url ? record : 'resolves'}" --> alb_${e}`,
      );
      // Registries and pipelines may sit in accounts drawn later: these edges wait for the end.
      later.push(() => [
        ...repositories.map((r) => `  ${r} -. "pull over PrivateLink" .-> endpoints_${e}`),
        ...(internal ? [] : pipelines.map((p) => `  ${p} -. "post-deploy check" .-> name_${e}`)),
      ]);
    }
    lines.push('  end');
  }
  edges.push(...later.flatMap((edgesOf) => edgesOf()));
  edges.push(...pipelines.flatMap((p) => repositories.map((r) => `  ${p} -- "push image" --> ${r}`)));
  for (const oidc of oidcRoles) {
    edges.push(
      `  github(["GitHub Actions"]) -- "assume role" --> ${oidc}`,
      ...pipelines.map((p) => `  ${oidc} -- "start" --> ${p}`),
    );
  }
  return [...lines, ...edges].join('\n');
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
    controlTower: controlTowerStatus(
      stacks.map((s) => s.template),
      readValidationReport(assemblyDir),
    ),
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
    'From the moment the new tasks run. New version only: health-check interval × healthy threshold; blue/green adds ' +
      "the pre-traffic check's run (immediate when it passes at once, at most its deadline). Old tasks gone: that, " +
      'plus bake time (blue/green, canary, linear), deregistration delay and stop timeout. Canary adds its bake before the rest of the traffic moves; linear adds an interval before each step but the first. AWS defaults where a template leaves a value out.',
    '',
  );
  out.push(
    '| stack | service | strategy | new version only (s) | old tasks gone (s) | dominated by |',
    '|---|---|---|---|---|---|',
  );
  for (const stack of report.stages.flatMap((s) => s.stacks)) {
    for (const r of stack.rollouts) {
      const bake = r.strategy !== 'rolling' ? `${r.bakeTimeSeconds} + ` : '';
      const shift = r.trafficShiftSeconds > 0 ? ` + ${r.trafficShiftSeconds}` : '';
      out.push(
        `| ${stack.stackName} | ${r.service} | ${r.strategy} | ${r.toNewVersionSeconds} (${r.healthCheckIntervalSeconds} × ${r.healthyThresholdCount}${shift}) | ` +
          `${r.seconds} (${r.toNewVersionSeconds} + ${bake}${r.deregistrationDelaySeconds} + ${r.stopTimeoutSeconds}) | ${r.dominatedBy.oldTasksGone} |`,
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
  out.push(
    '',
    '## AWS Control Tower proactive controls',
    '',
    `${controlTowerSummary(report.controlTower)}; an unacknowledged failure fails synth.`,
    '',
    '| control | rule | resources | status | reason |',
    '|---|---|---|---|---|',
    ...report.controlTower.map(
      (c) =>
        `| ${c.control} | ${c.rule} | ${c.resources} | ${
          c.acknowledged === 0 ? 'passed' : `acknowledged on ${c.acknowledged}`
        } | ${c.reasons
          .map((r) => r.replace(`${c.control}: `, ''))
          .join('<br>')
          .replace(/\|/g, '\\|')} |`,
    ),
  );
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
          .map(
            (r) => `${r.strategy} ${r.toNewVersionSeconds} s to the new version, ${r.seconds} s to the old tasks gone`,
          )
          .join(', ') || 'n/a'
      }`,
  );
  lines.push(
    `${report.stages.flatMap((s) => s.stacks).length} stacks in ${report.stages.length} stages; ${report.acknowledgements.length} cdk-nag acknowledgements`,
    `Control Tower: ${controlTowerSummary(report.controlTower)}`,
  );
  return lines.join('\n');
}

const SPEC = {
  name: 'report',
  usage: `
usage: npm run report -- [--assembly DIR] [--out FILE]

Writes the plan report (stages, diagram, cost, rollout, cdk-nag acknowledgements, Control Tower controls) from a
synthesized assembly.

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
    const isManifest = path.basename(file) === 'manifest.json';
    if (!file.endsWith('.template.json') && !isManifest) continue;
    const text = readFileSync(path.join(assembly, file), 'utf8');
    try {
      JSON.parse(text);
    } catch (error) {
      throw new CommandError(
        `${path.join(assembly, file)} is not valid JSON (${(error as Error).message.split('\n')[0].slice(0, 80)}); ` +
          `expected the ${isManifest ? 'manifest' : 'template'} of a cloud assembly: run npm run synth again`,
      );
    }
    if (isManifest) continue;
    if (text.includes('dummy1a')) {
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
