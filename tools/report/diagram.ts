// The Mermaid diagram of a synthesized app: accounts, the VPCs and what runs in them, and the ways between them.
import { ENVIRONMENT_TAG, PROJECT_TAG, verifierFunctionName } from '../../config/names';
import type { StackPlan, StagePlan } from './plan';

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
          if (fn.FunctionName !== verifierFunctionName(stack.tags[PROJECT_TAG], environment)) continue;
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
