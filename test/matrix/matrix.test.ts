// The configuration matrix: every variant synthesized once, cdk-nag and Control Tower clean inside synth, cfn-lint
// clean in one run over all their templates, the deploy calls allowed, and each environment's post-deploy check traced
// to its target. Together the variants set every field of the README's configuration table (coverage.test.ts).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
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
import { IMAGE_TAG, REGISTRY_ACCOUNT, STAGING_ACCOUNT } from '../helpers/constants';

/** What each environment's trace must find, hop by hop, from the check to the service. */
const TRACES: Record<VariantName, Record<string, string[]>> = {
  'internet-http': {
    production: [
      'CodeBuild SmokeTest-production in the tooling account, outside any VPC: on the internet',
      "the load balancer's own DNS name resolves to its public addresses",
      'internet-facing load balancer in public subnets, routed 0.0.0.0/0 to the internet gateway',
      'its security group admits 0.0.0.0/0 on 80; listener HTTP:80',
    ],
  },
  'internet-https-zone': {
    production: [
      'CodeBuild SmokeTest-production in the tooling account, outside any VPC: on the internet',
      'www.example.com: alias A record in zone Z0123456789ABCDEFGHIJ to the load balancer, which resolves to its public addresses',
      'internet-facing load balancer in public subnets, routed 0.0.0.0/0 to the internet gateway',
      'its security group admits 0.0.0.0/0 on 443; listener HTTPS:443',
    ],
  },
  'internet-https-certificate': {
    production: [
      'CodeBuild SmokeTest-production in the tooling account, outside any VPC: on the internet',
      'www.example.com: the record the user creates (www.example.com CNAME the load balancer), which resolves to its public addresses',
      'internet-facing load balancer in public subnets, routed 0.0.0.0/0 to the internet gateway',
      'its security group admits 0.0.0.0/0 on 443; listener HTTPS:443',
    ],
  },
  'internal-https-zone': {
    production: [
      `CodeBuild SmokeTest-production as role hello-privatelink-post-deploy-check invokes hello-privatelink-production-verifier in ${REGISTRY_ACCOUNT}, whose policy admits that role`,
      "the verifier runs in subnets 10.20.0.0/22, 10.20.4.0/22 of the load balancer's VPC",
      "its security group sends to the load balancer's security group on 443",
      'which admits 10.20.0.0/20 on 443, holding those subnets; listener HTTPS:443',
      'app.example.com: alias A record in zone Z0123456789ABCDEFGHIJ to the load balancer, which resolves to its private addresses, inside the VPC',
    ],
  },
  'several-environments': {
    staging: [
      `CodeBuild SmokeTest-staging as role hello-privatelink-post-deploy-check invokes hello-privatelink-staging-verifier in ${STAGING_ACCOUNT}, whose policy admits that role`,
      "the verifier runs in subnets 10.0.0.0/18, 10.0.64.0/18 of the load balancer's VPC",
      "its security group sends to the load balancer's security group on 80",
      'which admits 10.0.0.0/16 on 80, holding those subnets; listener HTTP:80',
      "the load balancer's own DNS name resolves to its private addresses, inside the VPC",
    ],
    production: [
      'CodeBuild SmokeTest-production in the tooling account, outside any VPC: on the internet',
      'www.example.com: the record the user creates (www.example.com CNAME the load balancer), which resolves to its public addresses',
      'internet-facing load balancer in public subnets, routed 0.0.0.0/0 to the internet gateway',
      'its security group admits 0.0.0.0/0 on 443; listener HTTPS:443',
    ],
  },
};

/** One variant, synthesized once; a synth that fails (cdk-nag or Control Tower findings throw) is kept to report. */
function synthesize(name: VariantName) {
  const config = configWith(VARIANTS[name].change);
  const delivery = buildDeliveryApp(newProjectApp(), config, IMAGE_TAG);
  try {
    return { name, title: VARIANTS[name].title, config, delivery, directory: delivery.app.synth().directory };
  } catch (synthError) {
    return { name, title: VARIANTS[name].title, config, delivery, directory: '', synthError };
  }
}

const variants = (Object.keys(VARIANTS) as VariantName[]).map(synthesize);
// A template with a misspelled property goes into the same run: that run is then shown to be live. In the run's
// TMPDIR, which the global teardown removes.
const planted = path.join(mkdtempSync(path.join(tmpdir(), 'cfn-lint-')), 'misspelled.template.json');
writeFileSync(
  planted,
  JSON.stringify({ Resources: { Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlok: '10.0.0.0/16' } } } }),
);
// One cfn-lint over every variant's templates (its start is most of its time), while the tests below run.
const lint = cfnLintInBackground([planted, ...variants.flatMap((v) => (v.synthError ? [] : templatesIn(v.directory)))]);
afterAll(() => lint.catch(() => undefined));

test('cfn-lint ran over the templates of every variant, and found nothing but the misspelled property planted among them', async () => {
  expect(variants.filter((v) => v.synthError).map((v) => v.name)).toEqual([]);
  const { status, output } = await lint;
  const lines = output.trim().split('\n');
  // 2: errors found (cfn-lint's exit codes are bit flags: 2 errors, 4 warnings, 8 informational)
  expect(status).toBe(2);
  expect(lines.filter((line) => !line.startsWith(`${planted}:`))).toEqual([]);
  expect(lines.filter((line) => line.includes("'CidrBlok' was unexpected"))).toHaveLength(1);
});

describe.each(variants)('configuration $name: $title', ({ name, config, delivery, directory, synthError }) => {
  test('synthesizes every stack with cdk-nag AwsSolutions clean', () => {
    expect(synthError).toBeUndefined();
    expect(templatesIn(directory).length).toBe(3 + 2 * config.environments.length);
  });

  test('passes cfn-lint', async () => {
    expect(synthError).toBeUndefined();
    // cfn-lint's parseable lines start with the template's path.
    const { output } = await lint;
    expect(output.split('\n').filter((line) => line.startsWith(directory))).toEqual([]);
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
    expect(checkPath(environment(index))).toEqual(TRACES[name][environmentName]);
  });

  test.each(indexes)('the trace of %s fails once the load balancer admits nobody', (_name, index) => {
    const broken = environment(index);
    for (const resource of Object.values(broken.network.Resources) as any[]) {
      if (/Load balancer/.test(resource.Properties?.GroupDescription)) resource.Properties.SecurityGroupIngress = [];
    }
    expect(() => checkPath(broken)).toThrow(/^unreachable: the load balancer does not admit/);
  });
});
