import { Template } from 'aws-cdk-lib/assertions';
import { buildDeliveryApp } from '../../pipeline/build-app';
import { configWith, newProjectApp } from '../helpers/cdk';
import { cfnLintInBackground, templatesIn } from '../helpers/cfn-lint';
import { checkPath } from '../helpers/reachability';
import { formatPlan, readPlan } from '../../tools/report/plan';
import { VARIANTS, type VariantName } from './variants';
import { bootstrapTargets } from '../../tools/operator/bootstrap';
import { DeployedStack } from '../helpers/deployed-policies';
import { deployCalls, refusedDeployCalls } from '../permissions/deploy-calls';
import { unreadableDeployTimeValues } from '../permissions/deploy-time-values';
import { IMAGE_TAG } from '../helpers/constants';

/**
 * One variant of the matrix, synthesized once: cdk-nag runs inside synth (a finding throws), cfn-lint runs on every
 * template, and each environment's check path is traced; `paths` is what the trace must find, environment by name.
 */
export function describeVariant(name: VariantName, paths: Record<string, string[]>): void {
  const variant = VARIANTS[name];
  const config = configWith(variant.change);
  const delivery = buildDeliveryApp(newProjectApp(), config, IMAGE_TAG);
  let synthError: unknown;
  let directory = '';
  try {
    directory = delivery.app.synth().directory;
  } catch (error) {
    synthError = error;
  }

  describe(`configuration ${name}: ${variant.title}`, () => {
    // cfn-lint starts now and runs while the tests below evaluate the templates.
    const lint = synthError ? undefined : cfnLintInBackground(templatesIn(directory));
    afterAll(() => lint?.catch(() => undefined));

    test('synthesizes every stack with cdk-nag AwsSolutions clean', () => {
      expect(synthError).toBeUndefined();
      expect(templatesIn(directory).length).toBe(3 + 2 * config.environments.length);
    });

    test('passes cfn-lint', async () => {
      expect(synthError).toBeUndefined();
      const { status, output } = await lint!;
      expect([status, output]).toEqual([0, '']);
    });

    test('the plan names each domain it serves, and the DNS record the user must create when there is no zone', () => {
      const plan = formatPlan(readPlan(directory));
      for (const { network } of config.environments) {
        if (!network.domainName) continue;
        expect(plan).toContain(
          `serves http${network.certificateArn || network.hostedZone ? 's' : ''}://${network.domainName}\n`,
        );
        const record = `DNS: create the record ${network.domainName} CNAME <the load balancer's DNS name> yourself`;
        if (network.hostedZone) expect(plan).not.toContain(record);
        else expect(plan).toContain(record);
      }
    });

    // Each environment's templates, read once; a test that breaks one works on a copy.
    const checked = synthError
      ? []
      : delivery.stages.environments.map((stages) => ({
          name: stages.environment.name,
          account: stages.environment.account,
          pipeline: Template.fromStack(delivery.pipeline).toJSON() as never,
          network: Template.fromStack(stages.network.stack).toJSON() as any,
          service: Template.fromStack(stages.service.stack).toJSON() as never,
        }));
    const environment = (index: number) => structuredClone(checked[index]);
    const indexes = config.environments.map((e, i) => [e.name, i] as const);

    test('CloudFormation may make every call the registry schemas name for every resource, and read every deploy-time value', async () => {
      expect(synthError).toBeUndefined();
      const targets = new Map(bootstrapTargets(config).map((t) => [t.account, t]));
      const stacks = [
        delivery.pipeline,
        ...(delivery.github ? [delivery.github] : []),
        delivery.stages.registry.stack,
        ...delivery.stages.environments.flatMap((e) => [e.network.stack, e.service.stack]),
      ].map((stack) => DeployedStack.of(stack));
      const calls = (await Promise.all(stacks.map((s) => deployCalls(s, targets.get(s.account)!, true)))).flat();
      expect(await refusedDeployCalls(calls)).toEqual([]);
      // And every value a template resolves at deploy time, by the principal that resolves it.
      expect(await unreadableDeployTimeValues(stacks, targets)).toEqual([]);
    });

    test.each(indexes)('the post-deploy check of %s reaches its service', (environmentName, index) => {
      expect(checkPath(environment(index))).toEqual(paths[environmentName]);
    });

    test.each(indexes)('the trace of %s fails once the load balancer admits nobody', (_name, index) => {
      const broken = environment(index);
      for (const resource of Object.values(broken.network.Resources) as any[]) {
        if (/Load balancer/.test(resource.Properties?.GroupDescription)) resource.Properties.SecurityGroupIngress = [];
      }
      expect(() => checkPath(broken)).toThrow(/^unreachable: the load balancer does not admit/);
    });
  });
}
