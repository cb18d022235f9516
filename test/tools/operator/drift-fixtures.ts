// What the drift tests share: the default service (blue/green) as synthesized, the resources the day-2 model says ECS
// owns in it, and CloudFormation's resource drifts as ECS leaves them after a deployment.
import type { StackResourceDrift } from '@aws-sdk/client-cloudformation';
import { Template } from 'aws-cdk-lib/assertions';
import { createDeliveryStages } from '../../../pipeline/delivery-stages';
import { ecsOwned, type Template as ModelTemplate } from '../../day2/model';
import { configWith, newProjectApp } from '../../helpers/cdk';
import { IMAGE_TAG, PRODUCTION_ACCOUNT, REGION } from '../../helpers/constants';

type Change = (json: Record<string, any>) => void;

/** The first environment's service template for a config. */
export function serviceTemplate(change: Change = () => {}): ModelTemplate {
  const [environment] = createDeliveryStages(newProjectApp(), configWith(change), IMAGE_TAG).environments;
  return Template.fromStack(environment.service.stack).toJSON() as ModelTemplate;
}

// GIVEN the default service (blue/green), synthesized once, and the resources the day-2 model says ECS owns
export const blueGreen = serviceTemplate();
export const [rule, primary, alternate] = ecsOwned(blueGreen).map((o) => o.id);
export const idOfType = (type: string, not: string[] = []) =>
  Object.keys(blueGreen.Resources).find((id) => blueGreen.Resources[id].Type === type && !not.includes(id))!;
export const testRule = idOfType('AWS::ElasticLoadBalancingV2::ListenerRule', [rule]);
export const taskDefinition = idOfType('AWS::ECS::TaskDefinition');
/** A load balancer resource's ARN in the production account. */
const elbArn = (resource: string) => `arn:aws:elasticloadbalancing:${REGION}:${PRODUCTION_ACCOUNT}:${resource}`;
export const PRIMARY_ARN = elbArn('targetgroup/primary/1111');
export const ALTERNATE_ARN = elbArn('targetgroup/alternate/2222');
export const FOREIGN_ARN = elbArn('targetgroup/someone-elses/3333');

/** A weighted forward, as ECS leaves a rule after a deployment. */
export const weighted = (...groups: Array<[string, number]>) =>
  JSON.stringify({
    Actions: [
      {
        Type: 'forward',
        ForwardConfig: { TargetGroups: groups.map(([TargetGroupArn, Weight]) => ({ TargetGroupArn, Weight })) },
      },
    ],
    Priority: 10,
  });

/** What CloudFormation reports for a rule whose single forward ECS turned into a weighted one. */
export const ruleRewritten = (
  id: string,
  actual = weighted([PRIMARY_ARN, 0], [ALTERNATE_ARN, 100]),
): StackResourceDrift =>
  ({
    LogicalResourceId: id,
    PhysicalResourceId: elbArn(`listener-rule/app/lb/1/2/${id}`),
    ResourceType: 'AWS::ElasticLoadBalancingV2::ListenerRule',
    StackResourceDriftStatus: 'MODIFIED',
    ActualProperties: actual,
    PropertyDifferences: [
      { PropertyPath: '/Actions/0/TargetGroupArn', DifferenceType: 'REMOVE', ExpectedValue: PRIMARY_ARN },
      { PropertyPath: '/Actions/0/ForwardConfig', DifferenceType: 'ADD', ActualValue: '{"TargetGroups":[…]}' },
    ],
  }) as StackResourceDrift;

export const targetGroup = (
  id: string,
  arn: string,
  differences: Array<[string, string, string]> = [],
): StackResourceDrift =>
  ({
    LogicalResourceId: id,
    PhysicalResourceId: arn,
    ResourceType: 'AWS::ElasticLoadBalancingV2::TargetGroup',
    StackResourceDriftStatus: differences.length ? 'MODIFIED' : 'IN_SYNC',
    PropertyDifferences: differences.map(([PropertyPath, ExpectedValue, ActualValue]) => ({
      PropertyPath,
      ExpectedValue,
      ActualValue,
      DifferenceType: 'NOT_EQUAL',
    })),
  }) as StackResourceDrift;

export const inSync = (id: string, type: string): StackResourceDrift =>
  ({ LogicalResourceId: id, PhysicalResourceId: id, ResourceType: type, StackResourceDriftStatus: 'IN_SYNC' }) as any;
