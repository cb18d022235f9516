import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { bootstrapTargets } from '../../tools/bootstrap';
import { executionPolicy } from '../../tools/bootstrap-policies';
import { PROJECT_ROOT, configWith } from '../helpers/cdk';

describe('bootstrap', () => {
  test('--dry-run prints the exact cdk bootstrap command for each account, and changes nothing', async () => {
    const { stdout } = await promisify(execFile)('npx', ['tsx', 'tools/bootstrap.ts', '--dry-run'], {
      cwd: PROJECT_ROOT,
    });
    const commands = stdout.split('\n').filter((l) => l.startsWith('npx '));
    expect(commands).toEqual([
      'npx cdk bootstrap aws://111111111111/us-east-2 --profile tooling --cloudformation-execution-policies arn:aws:iam::111111111111:policy/hello-privatelink-cdk-execution',
      'npx cdk bootstrap aws://222222222222/us-east-2 --profile account-a --trust 111111111111 --trust-for-lookup 111111111111 --cloudformation-execution-policies arn:aws:iam::222222222222:policy/hello-privatelink-cdk-execution',
      'npx cdk bootstrap aws://333333333333/us-east-2 --profile account-b --trust 111111111111 --trust-for-lookup 111111111111 --cloudformation-execution-policies arn:aws:iam::333333333333:policy/hello-privatelink-cdk-execution',
    ]);
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

  describe('execution policies', () => {
    const scope = {
      partition: 'aws',
      account: '222222222222',
      region: 'us-east-2',
      projectName: 'hello',
      repositoryName: 'hello',
    };
    const registry = executionPolicy(scope, ['registry']);
    const workload = executionPolicy(scope, ['workload']);
    const statements = (doc: typeof registry) => doc.Statement as Array<Record<string, any>>;

    test('never grant iam:* or unscoped IAM, and attach only the managed policies the stacks use', () => {
      for (const doc of [registry, workload, executionPolicy(scope, ['tooling'])]) {
        for (const statement of statements(doc)) {
          const actions = [statement.Action].flat();
          expect(actions).not.toContain('*');
          expect(actions).not.toContain('iam:*');
          if (actions.some((a: string) => a.startsWith('iam:') && a !== 'iam:CreateServiceLinkedRole')) {
            expect(
              [statement.Resource]
                .flat()
                .every((r: string) => r.includes(':role/hello-') || r.includes(':instance-profile/hello-')),
            ).toBe(true);
          }
        }
        const attach = statements(doc).find((s) => [s.Action].flat().includes('iam:AttachRolePolicy'))!;
        expect(attach.Condition.ArnEquals['iam:PolicyARN']).toEqual([
          'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
          'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
        ]);
      }
    });

    test('limit the registry account to its repository', () => {
      expect(statements(registry).find((s) => s.Action === 'ecr:*')!.Resource).toBe(
        'arn:aws:ecr:us-east-2:222222222222:repository/hello',
      );
      expect(statements(registry).some((s) => s.Resource === '*')).toBe(false);
    });

    test('limit the workload account to the region and the project buckets', () => {
      const services = statements(workload).find((s) => s.Sid === 'ServicesTheStacksUseInThisRegion')!;
      expect(services.Condition).toEqual({ StringEquals: { 'aws:RequestedRegion': 'us-east-2' } });
      expect(services.Action).toEqual(expect.arrayContaining(['ec2:*', 'ecs:*', 'elasticloadbalancing:*']));
      expect(services.Action).not.toContain('s3:*');
      expect(statements(workload).find((s) => s.Action === 's3:*')!.Resource).toEqual([
        'arn:aws:s3:::hello-*',
        'arn:aws:s3:::hello-*/*',
      ]);
    });
  });
});
