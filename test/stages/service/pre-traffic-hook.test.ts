// The pre-traffic hook's details go on the lifecycle hook that invokes its target, wherever CDK lists it.
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { addHookDetails } from '../../../stages/service/pre-traffic-hook';
import { IMAGE_TAG, PRODUCTION_ACCOUNT, REGION } from '../../helpers/constants';

// GIVEN a service with two Lambda lifecycle hooks, the verifier's second
function serviceWithTwoHooks() {
  // Without CDK's built-in template check, as bin/app.ts runs the app: it costs seconds, and cfn-lint is the gate.
  const stack = new Stack(new App({ builtinCloudFormationValidation: false }), 'Hooks', {
    env: { account: PRODUCTION_ACCOUNT, region: REGION },
  });
  const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, restrictDefaultSecurityGroup: false });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
  taskDefinition.addContainer('Web', { image: ecs.ContainerImage.fromRegistry('nginx') });
  const service = new ecs.FargateService(stack, 'Service', {
    cluster: new ecs.Cluster(stack, 'Cluster', { vpc }),
    taskDefinition,
  });
  const hookFunction = (id: string) =>
    new lambda.Function(stack, id, {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({ hookStatus: "SUCCEEDED" });'),
    });
  const [other, verifier] = [hookFunction('Other'), hookFunction('Verifier')];
  for (const target of [other, verifier]) {
    service.addLifecycleHook(
      new ecs.DeploymentLifecycleLambdaTarget(target, `${target.node.id}Hook`, {
        lifecycleStages: [ecs.DeploymentLifecycleStage.POST_TEST_TRAFFIC_SHIFT],
      }),
    );
  }
  return { stack, service, other, verifier };
}

describe('the pre-traffic hook details', () => {
  test('go on the hook whose target is the verifier, not on the first hook', () => {
    const { stack, service, other, verifier } = serviceWithTwoHooks();
    addHookDetails(service, verifier, { expectVersion: IMAGE_TAG, deadlineSeconds: 600 });
    const [ecsService] = Object.values(Template.fromStack(stack).findResources('AWS::ECS::Service'));
    const hooks = ecsService.Properties.DeploymentConfiguration.LifecycleHooks;
    expect(hooks.map((hook: Record<string, any>) => [hook.HookTargetArn, hook.HookDetails])).toEqual([
      [stack.resolve(other.functionArn), undefined],
      [stack.resolve(verifier.functionArn), { expectVersion: IMAGE_TAG, deadlineSeconds: 600 }],
    ]);
  });

  test('fail the synth when no hook invokes their target', () => {
    const { stack, service } = serviceWithTwoHooks();
    const unhooked = lambda.Function.fromFunctionName(stack, 'Unhooked', 'not-a-hook');
    addHookDetails(service, unhooked, { expectVersion: IMAGE_TAG, deadlineSeconds: 600 });
    expect(() => Template.fromStack(stack)).toThrow(/Hooks\/Service: no lifecycle hook invokes Hooks\/Unhooked/);
  });
});
