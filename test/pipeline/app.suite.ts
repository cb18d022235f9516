import { defaultDelivery } from '../helpers/default-delivery';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { configuredAccounts } from '../../config/load';
import { formatPlan, readPlan } from '../../tools/report/plan';
import { projectContext } from '../helpers/cdk';
import { PRODUCTION_ACCOUNT, PROJECT_NAME, REGION, REGISTRY_ACCOUNT, TOOLING_ACCOUNT } from '../helpers/constants';

// GIVEN the whole app for the default configuration, synthesized once for the run
const {
  config,
  delivery: { stages },
  assembly,
} = defaultDelivery();

describe('the delivery app', () => {
  test('holds the registry stage in A and a network and service stage per environment in B', () => {
    expect(stages.registry.stack.account).toBe(config.registry.account);
    expect(stages.environments.map((e) => [e.network.stack.account, e.service.stack.account])).toEqual([
      [PRODUCTION_ACCOUNT, PRODUCTION_ACCOUNT],
    ]);
    expect(assembly.nestedAssemblies.map((n) => n.displayName).sort()).toEqual([
      'ProductionNetwork',
      'ProductionService',
      'Registry',
    ]);
  });

  test('is the configuration the shared test constants (test/helpers/constants.ts) name', () => {
    expect([config.toolingAccount, config.registry.account, config.environments[0].account]).toEqual([
      TOOLING_ACCOUNT,
      REGISTRY_ACCOUNT,
      PRODUCTION_ACCOUNT,
    ]);
    expect([config.region, config.projectName]).toEqual([REGION, PROJECT_NAME]);
  });

  test('passes every cdk-nag check with each acknowledgement carrying a reason', () => {
    const report = JSON.parse(readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'));
    const failed = report.pluginReports.filter((r: { conclusion: string }) => r.conclusion !== 'success');
    expect(failed).toEqual([]);
  });

  test('has committed availability zones and lookups for every configured account, so synth needs no AWS', () => {
    const context = projectContext();
    for (const account of configuredAccounts(config).filter((a) => a === PRODUCTION_ACCOUNT)) {
      expect(context[`availability-zones:account=${account}:region=${config.region}`]).toEqual(
        expect.arrayContaining([`${REGION}a`, `${REGION}b`]),
      );
    }
    const missing = [assembly, ...assembly.nestedAssemblies.map((n) => n.nestedAssembly)].flatMap(
      (a) => a.manifest.missing ?? [],
    );
    expect(missing).toEqual([]);
  });

  test('plans each stage with its account, region, stacks, resource counts and rollout time', () => {
    const plan = readPlan(assembly.directory);
    expect(plan.map((p) => p.stage).sort()).toEqual(['(app)', 'ProductionNetwork', 'ProductionService', 'Registry']);
    expect(plan.find((p) => p.stage === '(app)')!.stacks.map((s) => [s.stackName, s.account])).toEqual([
      ['hello-privatelink-github-oidc', TOOLING_ACCOUNT],
      ['hello-privatelink-pipeline', TOOLING_ACCOUNT],
    ]);
    const service = plan.find((p) => p.stage === 'ProductionService')!.stacks[0];
    expect(service).toMatchObject({
      stackName: 'hello-privatelink-production-service',
      account: PRODUCTION_ACCOUNT,
      region: REGION,
    });
    expect(service.resourceCounts['AWS::ECS::Service']).toBe(1);
    expect([service.rollouts[0].toNewVersionSeconds, service.rollouts[0].seconds]).toEqual([10, 335]);
    const text = formatPlan(plan);
    expect(text).toMatch(new RegExp(`Registry {2}${REGISTRY_ACCOUNT} / ${REGION} {2}stack hello-privatelink-registry`));
    expect(text).toMatch(
      /rollout of Service\w+ \(blue-green\): new version only after 10 s modelled .*; old tasks gone after 335 s .*, dominated by the bake time$/m,
    );
  });
});
