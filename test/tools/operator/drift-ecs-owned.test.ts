// What drift detection leaves to ECS: the resources the day-2 model names, and the differences ECS makes there.
import type { StackResourceDrift } from '@aws-sdk/client-cloudformation';
import { realDrift } from '../../../tools/operator/drift-report';
import { ecsOwnedResources } from '../../../tools/operator/ecs-owned';
import { ecsOwned } from '../../day2/model';
import {
  ALTERNATE_ARN,
  FOREIGN_ARN,
  PRIMARY_ARN,
  alternate,
  blueGreen,
  idOfType,
  inSync,
  primary,
  rule,
  ruleRewritten,
  serviceTemplate,
  targetGroup,
  taskDefinition,
  testRule,
  weighted,
} from './drift-fixtures';

const rolling = serviceTemplate((json) => (json.service.deploymentStrategy = 'rolling'));

describe('what drift detection leaves to ECS', () => {
  test('the same resources as the day-2 model, for blue/green and rolling alike', () => {
    for (const template of [blueGreen, rolling]) {
      const mine = ecsOwnedResources(template).filter((o) => o.id !== testRule);
      expect(mine.map(({ id, owns }) => ({ id, owns }))).toEqual(ecsOwned(template));
    }
    // Rolling keeps the groups, rules and advanced configuration: what blue/green left behind stays ECS's.
    expect(ecsOwned(blueGreen).length).toBe(3);
    expect(ecsOwned(rolling).length).toBe(3);
  });

  test('also the test listener rule, which ECS shifts over the same two target groups', () => {
    expect(ecsOwnedResources(blueGreen).find((o) => o.id === testRule)).toEqual({
      id: testRule,
      owns: 'Actions (test traffic over both target groups)',
      property: 'Actions',
      targetGroups: [primary, alternate],
    });
  });

  test("leaves out ECS's weights and registrations, and reports everything else with its property paths", () => {
    // GIVEN a blue/green service after a deployment: both rules weighted within their pair, tasks moved between
    // the groups, and two changes nobody owns: a health check path and the task definition's memory
    const records = [
      ruleRewritten(rule),
      ruleRewritten(testRule, weighted([PRIMARY_ARN, 100], [ALTERNATE_ARN, 0])),
      targetGroup(primary, PRIMARY_ARN, [['/Targets', '[]', '[{"Id":"10.0.1.5","Port":8080}]']]),
      targetGroup(alternate, ALTERNATE_ARN, [
        ['/Targets/0/Id', '10.0.1.5', '10.0.2.7'],
        ['/HealthCheckPath', '/healthz', '/'],
      ]),
      {
        ...inSync(taskDefinition, 'AWS::ECS::TaskDefinition'),
        StackResourceDriftStatus: 'MODIFIED',
        PropertyDifferences: [
          { PropertyPath: '/Memory', ExpectedValue: '512', ActualValue: '1024', DifferenceType: 'NOT_EQUAL' },
        ],
      } as StackResourceDrift,
    ];
    // WHEN the real drift is kept
    const { drifted, ignored } = realDrift(records, blueGreen);
    // THEN only the health check and the memory remain; the 2 + 2 rule differences and 2 registrations are left out
    expect(ignored).toBe(6);
    expect(drifted).toEqual([
      {
        logicalId: alternate,
        type: 'AWS::ElasticLoadBalancingV2::TargetGroup',
        status: 'MODIFIED',
        differences: [{ path: '/HealthCheckPath', type: 'NOT_EQUAL', expected: '/healthz', actual: '/' }],
      },
      {
        logicalId: taskDefinition,
        type: 'AWS::ECS::TaskDefinition',
        status: 'MODIFIED',
        differences: [{ path: '/Memory', type: 'NOT_EQUAL', expected: '512', actual: '1024' }],
      },
    ]);
  });

  test.each([
    ['forwards to a target group outside its pair', weighted([PRIMARY_ARN, 50], [FOREIGN_ARN, 50])],
    [
      'answers with a fixed response',
      JSON.stringify({ Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '503' } }] }),
    ],
    ['reads as no JSON at all', 'not json'],
  ])('reports the production rule when it %s: that is no shift of ECS', (_case, actual) => {
    const { drifted, ignored } = realDrift(
      [ruleRewritten(rule, actual), targetGroup(primary, PRIMARY_ARN), targetGroup(alternate, ALTERNATE_ARN)],
      blueGreen,
    );
    expect(ignored).toBe(0);
    expect(drifted.map((d) => [d.logicalId, d.differences.map((x) => x.path)])).toEqual([
      [rule, ['/Actions/0/TargetGroupArn', '/Actions/0/ForwardConfig']],
    ]);
  });

  test('reports a rule change ECS does not make beside the weights it does, and any deleted resource', () => {
    const rewritten = ruleRewritten(rule);
    const records = [
      {
        ...rewritten,
        PropertyDifferences: [
          ...rewritten.PropertyDifferences!,
          { PropertyPath: '/Priority', ExpectedValue: '10', ActualValue: '1', DifferenceType: 'NOT_EQUAL' },
        ],
      } as StackResourceDrift,
      targetGroup(primary, PRIMARY_ARN),
      { ...targetGroup(alternate, ALTERNATE_ARN), StackResourceDriftStatus: 'DELETED' } as StackResourceDrift,
    ];
    const { drifted, ignored } = realDrift(records, blueGreen);
    expect(ignored).toBe(2);
    expect(drifted.map((d) => [d.logicalId, d.status, d.differences.map((x) => x.path)])).toEqual([
      [rule, 'MODIFIED', ['/Priority']],
      [alternate, 'DELETED', []],
    ]);
  });

  test('leaves nothing out of a service with no advanced configuration: ECS owns no rule there', () => {
    // GIVEN the service as it would be without ECS's blue/green configuration
    const plain = structuredClone(blueGreen);
    for (const lb of plain.Resources[idOfType('AWS::ECS::Service')].Properties.LoadBalancers) {
      delete lb.AdvancedConfiguration;
    }
    const records = [ruleRewritten(rule), targetGroup(primary, PRIMARY_ARN), targetGroup(alternate, ALTERNATE_ARN)];
    // WHEN ECS-like changes show THEN they are all reported
    expect(ecsOwnedResources(plain)).toEqual([]);
    const { drifted, ignored } = realDrift(records, plain);
    expect([drifted.map((d) => d.logicalId), ignored]).toEqual([[rule], 0]);
    expect(realDrift(records, blueGreen)).toEqual({ drifted: [], ignored: 2 });
  });
});
