// Day-2 changes that one deployment cannot make safely, found by comparing the config that is deployed with the next
// one, before anything deploys. The model behind each rule is test/day2/model.ts, proven on synthesized templates:
// once a blue/green deployment has run, ECS owns the production listener rule's weights and both target groups'
// registrations (aws/aws-cdk#36649), and which group serves production is not in any template.
import type { DeployConfig, EnvironmentConfig } from '../../config/load';
import { bootstrapTargets } from '../operator/bootstrap';

/** The README section that gives each safe procedure step by step. */
export const DAY2_PROCEDURES = 'docs/operations.md, "Changing a running environment"';

const servesHttps = (e: EnvironmentConfig) => Boolean(e.network.certificateArn || e.network.hostedZone);

/** One line per environment change that would break live traffic, each naming the safe procedure. */
export function unsafeChangeProcedure(deployed: DeployConfig, next: DeployConfig): string[] {
  const lines: string[] = [];
  for (const after of next.environments) {
    const before = deployed.environments.find((e) => e.name === after.name);
    if (!before) continue;
    const refuse = (change: string, procedure: string) =>
      lines.push(`${after.name}: ${change} cannot be made safely in one deploy; ${procedure} (${DAY2_PROCEDURES})`);
    // A change of strategy is safe: both strategies keep the same groups, rules and load balancer configuration.
    if (before.network.albScheme !== after.network.albScheme) {
      refuse(
        `network.albScheme ${before.network.albScheme} to ${after.network.albScheme} replaces the load balancer, its listeners and the production rule`,
        'add a new environment with the new scheme, move clients to it, then remove the old one',
      );
    } else if (servesHttps(before) !== servesHttps(after)) {
      refuse(
        `${servesHttps(after) ? 'adding' : 'removing'} HTTPS moves the production rule to another listener, which resets it to the primary target group, and the network stage turns port 80 into a redirect before the service stage adds that rule`,
        'add a new environment with the new listener, move clients to it, then remove the old one',
      );
    }
  }
  return lines;
}

/**
 * One line per account whose execution policy or permissions boundary the change alters (a hosted zone, customer
 * log keys, a new account): bootstrap installs those, so it must run again before the pipeline deploys the change,
 * or CloudFormation is refused the new calls.
 */
export function bootstrapFirst(deployed: DeployConfig, next: DeployConfig): string[] {
  const before = new Map(bootstrapTargets(deployed).map((t) => [t.account, t]));
  return bootstrapTargets(next).flatMap((target) => {
    const old = before.get(target.account);
    const changed = !old
      ? 'is new'
      : JSON.stringify(old.policy) !== JSON.stringify(target.policy)
        ? `gets a new execution policy (${target.policyName})`
        : JSON.stringify(old.boundary) !== JSON.stringify(target.boundary)
          ? `gets a new permissions boundary (${target.boundaryName})`
          : undefined;
    return changed ? [`account ${target.account} ${changed}: run npm run bootstrap before this change deploys`] : [];
  });
}
