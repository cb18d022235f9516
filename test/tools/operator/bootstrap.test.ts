import { bootstrapTargets } from '../../../tools/operator/bootstrap';
import { configWith } from '../../helpers/cdk';
import { runTool } from '../../helpers/run-tool';

describe('bootstrap', () => {
  test('--dry-run prints the exact cdk bootstrap command for each account, and changes nothing', async () => {
    const { code, stdout } = await runTool('tools/operator/bootstrap.ts', ['--dry-run']);
    expect(code).toBe(0);
    const commands = stdout.split('\n').filter((l) => l.startsWith('npx '));
    expect(commands).toEqual([
      'npx cdk bootstrap aws://111111111111/us-east-2 --profile tooling --cloudformation-execution-policies arn:aws:iam::111111111111:policy/hello-privatelink-cdk-execution',
      'npx cdk bootstrap aws://222222222222/us-east-2 --profile account-a --trust 111111111111 --trust-for-lookup 111111111111 --cloudformation-execution-policies arn:aws:iam::222222222222:policy/hello-privatelink-cdk-execution',
      'npx cdk bootstrap aws://333333333333/us-east-2 --profile account-b --trust 111111111111 --trust-for-lookup 111111111111 --cloudformation-execution-policies arn:aws:iam::333333333333:policy/hello-privatelink-cdk-execution',
    ]);
    // Each account's permissions boundary is shown before the policy that depends on it.
    for (const account of ['111111111111', '222222222222', '333333333333']) {
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
      ['111111111111', ['tooling']],
      ['222222222222', ['registry', 'workload']],
    ]);
    expect(targets[1].command).not.toContain('--profile');
  });
});
