// The app every permissions test file evaluates, and what they share to ask IAM about it.
import { buildDeliveryApp } from '../../pipeline/build-app';
import { bootstrapTargets } from '../../tools/operator/bootstrap';
import { EXAMPLE_ZONE, configWith, newProjectApp } from '../helpers/cdk';
import { DeployedStack } from '../helpers/deployed-policies';
import { type IamRequest, verdictOf } from '../helpers/iam';
import { IMAGE_TAG, STAGING_ACCOUNT } from '../helpers/constants';

// GIVEN every optional resource on (diagnostics host, auto scaling, an internal staging with its own domain, zone and
// requested certificate), and a repository whose name does not start with the project name, synthesized once per run:
// the suites that import it are modules of one test file, deployed-app.test.ts
export const config = configWith((json) => {
  json.registry.repositoryName = 'acme/web-frontend';
  json.network.diagnosticsHost = true;
  json.service.maxCount = 4;
  json.environments.push({
    name: 'staging',
    account: STAGING_ACCOUNT,
    requireApproval: false,
    network: {
      albScheme: 'internal',
      domainName: 'staging.example.com',
      hostedZone: EXAMPLE_ZONE,
    },
  });
});
const delivery = buildDeliveryApp(newProjectApp(), config, IMAGE_TAG);
export const [environment, staging] = delivery.stages.environments;
export const stacks = [
  delivery.pipeline,
  delivery.github!,
  delivery.stages.registry.stack,
  environment.network.stack,
  environment.service.stack,
  staging.network.stack,
  staging.service.stack,
].map((s) => DeployedStack.of(s));
export const targets = new Map(bootstrapTargets(config).map((t) => [t.account, t]));

/**
 * The verdicts of many requests, so one failing expectation lists every refused call. Where the evaluator's
 * action data knows no resource type for the ARN (ELBv2 tagging is filed under Classic Load Balancers), the call
 * is requested on `*`, which matches only statements that allow the action on every resource.
 */
export async function refused(requests: IamRequest[]): Promise<string[]> {
  const verdicts = await Promise.all(
    requests.map((r) =>
      verdictOf(r).catch((e: Error) => {
        if (!/no\.resource\.types/.test(e.message)) throw e;
        return verdictOf({ ...r, resource: '*' });
      }),
    ),
  );
  return verdicts.filter((v) => !v.endsWith(': Allowed'));
}

export const roles = stacks.flatMap((stack) => stack.ofType('AWS::IAM::Role').map((id) => ({ stack, id })));
