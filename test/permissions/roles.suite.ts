// What IAM decides for the roles the app creates: every call their policies grant survives the boundary, the
// post-deploy check reaches the verifier across accounts, and ECS's blue/green roles do exactly their job.
import type { PolicyDocument } from '../../tools/operator/bootstrap-policies';
import { decide, verdictOf } from '../helpers/iam';
import { expandAction } from './deploy-calls';
import { refused, roles, stacks, targets } from './deployed-app';
import { REGION, STAGING_ACCOUNT } from '../helpers/constants';

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
    expect(functionArn).toBe(`arn:aws:lambda:${REGION}:${STAGING_ACCOUNT}:function:hello-privatelink-staging-verifier`);
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
