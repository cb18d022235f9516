// The permissions boundaries and trust policies, whatever a role's own policy says: a project role stays inside the
// project, and every role trusts only configured accounts, AWS services or GitHub's OIDC provider.
import { DeployedStack } from '../helpers/deployed-policies';
import { decide } from '../helpers/iam';
import { config, stacks, targets } from './deployed-app';
import { OUTSIDE_ACCOUNT, REGION } from '../helpers/constants';

describe('the boundaries fence every project role to the project, whatever its own policy grants', () => {
  // GIVEN a role of the project whose identity policy allows everything: only its account's boundary limits it
  const [, , registry, network, service] = stacks;
  const asAnyProjectRole = (stack: DeployedStack, action: string, resource: string, resourceAccount = stack.account) =>
    decide({
      principal: `arn:aws:iam::${stack.account}:role/${config.projectName}-anything`,
      action,
      resource,
      resourceAccount,
      identityPolicies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }],
      permissionsBoundary: targets.get(stack.account)!.boundary,
    });
  const workload = service.account;
  const tooling = stacks[0];
  const instance = `arn:aws:ec2:${REGION}:${workload}:instance/i-0123456789abcdef0`;

  test.each([
    ['ssm:SendCommand on an instance', service, 'ssm:SendCommand', instance],
    ['ssm:StartSession on an instance', service, 'ssm:StartSession', instance],
    [
      'invoking a function outside the project',
      service,
      'lambda:InvokeFunction',
      `arn:aws:lambda:${REGION}:${workload}:function:payroll`,
    ],
    [
      'opening a security group',
      network,
      'ec2:AuthorizeSecurityGroupIngress',
      `arn:aws:ec2:${REGION}:${workload}:security-group/sg-0123456789abcdef0`,
    ],
    [
      'assuming a role outside the project',
      tooling,
      'sts:AssumeRole',
      `arn:aws:iam::${OUTSIDE_ACCOUNT}:role/OrganizationAccountAccessRole`,
    ],
    ['reading a foreign bucket', tooling, 's3:GetObject', 'arn:aws:s3:::payroll-exports/2026.csv'],
    [
      'pushing to another repository',
      registry,
      'ecr:PutImage',
      `arn:aws:ecr:${REGION}:${registry.account}:repository/other`,
    ],
  ])('refuses %s', async (_what, stack, action, resource) => {
    expect(await asAnyProjectRole(stack, action, resource)).not.toBe('Allowed');
  });

  test.each([
    ["the SSM agent's own calls", service, 'ssm:UpdateInstanceInformation', instance],
    [
      'invoking the project verifier',
      service,
      'lambda:InvokeFunction',
      `arn:aws:lambda:${REGION}:${workload}:function:${config.projectName}-production-verifier`,
    ],
    [
      'closing a rule of a security group',
      network,
      'ec2:RevokeSecurityGroupIngress',
      `arn:aws:ec2:${REGION}:${workload}:security-group/sg-0123456789abcdef0`,
    ],
    [
      'assuming a CDK deploy role',
      tooling,
      'sts:AssumeRole',
      `arn:aws:iam::${workload}:role/cdk-hnb659fds-deploy-role-${workload}-${REGION}`,
    ],
    [
      'reading the project source bucket',
      tooling,
      's3:GetObject',
      `arn:aws:s3:::${config.projectName}-source-${tooling.account}/source/source.zip`,
    ],
  ])('still allows %s', async (_what, stack, action, resource) => {
    expect(await asAnyProjectRole(stack, action, resource)).toBe('Allowed');
  });
});

describe('trust policies', () => {
  // IAM has no condition key on the principals of a trust policy, so the execution policy cannot refuse
  // iam:CreateRole or iam:UpdateAssumeRolePolicy for an outside account (README, residual risks). This holds the
  // synthesized templates to it instead: every role trusts only configured accounts, AWS services or GitHub's OIDC.
  const configured = new Set([
    config.toolingAccount,
    config.registry.account,
    ...config.environments.map((e) => e.account),
  ]);
  const foreignTrusts = (stack: DeployedStack) =>
    stack.ofType('AWS::IAM::Role').flatMap((id) =>
      [stack.trustPolicy(id).Statement].flat().flatMap((statement: { Principal: Record<string, unknown> }) =>
        Object.entries(statement.Principal).flatMap(([kind, value]) =>
          [value].flat().flatMap((principal) => {
            const text = String(principal);
            const account = /^arn:aws:iam::(\d{12}):/.exec(text)?.[1] ?? (/^\d{12}$/.test(text) ? text : undefined);
            const ok =
              (kind === 'AWS' && account !== undefined && configured.has(account)) ||
              (kind === 'Service' && /\.amazonaws\.com$/.test(text)) ||
              (kind === 'Federated' && /oidc-provider\/token\.actions\.githubusercontent\.com$/.test(text));
            return ok ? [] : [`${stack.stackName} ${id}: ${kind} ${text}`];
          }),
        ),
      ),
    );

  test('name only configured accounts, AWS services and the GitHub OIDC provider', () => {
    expect(stacks.flatMap(foreignTrusts)).toEqual([]);
  });

  test('a role trusting an outside account is found', () => {
    const publisher = stacks[2];
    const [role] = publisher.ofType('AWS::IAM::Role');
    const template = structuredClone(publisher.template);
    template.Resources[role].Properties.AssumeRolePolicyDocument.Statement[0].Principal = {
      AWS: `arn:aws:iam::${OUTSIDE_ACCOUNT}:root`,
    };
    const tampered = new DeployedStack(template, publisher.account, REGION, publisher.stackName);
    expect(foreignTrusts(tampered)).toEqual([
      `${publisher.stackName} ${role}: AWS arn:aws:iam::${OUTSIDE_ACCOUNT}:root`,
    ]);
  });
});
