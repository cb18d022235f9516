import { bootstrapTargets } from '../../../tools/operator/bootstrap';
import { configWith } from '../../helpers/cdk';
import { PRODUCTION_ACCOUNT, REGION, REGISTRY_ACCOUNT, TOOLING_ACCOUNT } from '../../helpers/constants';
import { runTool } from '../../helpers/run-tool';

describe('bootstrap', () => {
  test('--dry-run prints the exact cdk bootstrap command for each account, and changes nothing', async () => {
    const { code, stdout } = await runTool('tools/operator/bootstrap.ts', ['--dry-run']);
    expect(code).toBe(0);
    const commands = stdout.split('\n').filter((l) => l.startsWith('npx '));
    expect(commands).toEqual([
      `npx cdk bootstrap aws://${TOOLING_ACCOUNT}/${REGION} --profile tooling --cloudformation-execution-policies arn:aws:iam::${TOOLING_ACCOUNT}:policy/hello-privatelink-cdk-execution`,
      `npx cdk bootstrap aws://${REGISTRY_ACCOUNT}/${REGION} --profile account-a --trust ${TOOLING_ACCOUNT} --trust-for-lookup ${TOOLING_ACCOUNT} --cloudformation-execution-policies arn:aws:iam::${REGISTRY_ACCOUNT}:policy/hello-privatelink-cdk-execution`,
      `npx cdk bootstrap aws://${PRODUCTION_ACCOUNT}/${REGION} --profile account-b --trust ${TOOLING_ACCOUNT} --trust-for-lookup ${TOOLING_ACCOUNT} --cloudformation-execution-policies arn:aws:iam::${PRODUCTION_ACCOUNT}:policy/hello-privatelink-cdk-execution`,
    ]);
    // Each account's permissions boundary is shown before the policy that depends on it.
    for (const account of [TOOLING_ACCOUNT, REGISTRY_ACCOUNT, PRODUCTION_ACCOUNT]) {
      expect(stdout).toContain(
        `#   permissions boundary arn:aws:iam::${account}:policy/hello-privatelink-permissions-boundary: create or update from cdk.out/bootstrap/${account}-permissions-boundary.json`,
      );
    }
    // CDK's own template for every account: no --template, so a later stock `cdk bootstrap` changes nothing.
    expect(stdout).not.toContain('--template');
    expect(
      stdout.split('\n').filter((l) => l.includes("bootstrap template: the CDK CLI's own, unchanged")),
    ).toHaveLength(3);
    expect(stdout).toContain('Dry run: nothing was changed');
  });

  test('bootstraps an account once when it is both registry and workload (A = B)', () => {
    const targets = bootstrapTargets(
      configWith((json) => {
        json.environments[0].account = json.registry.account;
        delete json.profiles;
      }),
    );
    expect(targets.map((t) => [t.account, t.roles])).toEqual([
      [TOOLING_ACCOUNT, ['tooling']],
      [REGISTRY_ACCOUNT, ['registry', 'workload']],
    ]);
    expect(targets[1].command).not.toContain('--profile');
  });
});
