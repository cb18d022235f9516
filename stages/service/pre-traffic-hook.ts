import { Lazy, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { HOOK_DEADLINE_SECONDS, type HookDetails } from '../../runtime/lambda/deployment-hook';
import { ecsRole } from './ecs-role';
import { HookRelay } from './hook-relay';

export interface PreTrafficHookProps {
  readonly service: ecs.FargateService;
  /** The in-VPC verifier, which checks the new tasks through the test listener. */
  readonly verifier: lambda.IFunction;
  /** The image tag the deployment rolls out: the version the check expects. */
  readonly imageTag: string;
  /** An internet-facing load balancer: ECS then invokes a relay outside the VPC, which calls the verifier. */
  readonly internetFacing: boolean;
  /** The load balancer's full name (app/<name>/<id>), for the relay's address lookup. */
  readonly loadBalancerFullName: string;
  readonly logRetentionDays: number;
}

/**
 * The pre-traffic check: after test traffic reaches the new tasks, ECS invokes the verifier (through the relay, for
 * an internet-facing load balancer), which checks them through the test listener and answers SUCCEEDED, IN_PROGRESS
 * or FAILED (a rollback). The version to expect travels in the hook's details, so a deployment checks exactly the
 * image it is deploying. Built in the stack's own scope (see ServiceStack).
 */
export class PreTrafficHook {
  constructor(scope: Construct, props: PreTrafficHookProps) {
    // An internet-facing load balancer's name resolves to public addresses only, which the isolated subnets cannot
    // reach ("resolvable to the public IP addresses of the nodes", ELB API reference, CreateLoadBalancer): the
    // relay outside the VPC looks up its private ones and hands them to the verifier.
    const target = props.internetFacing
      ? new HookRelay(scope, 'HookRelay', {
          verifier: props.verifier,
          loadBalancerFullName: props.loadBalancerFullName,
          logRetentionDays: props.logRetentionDays,
        }).function
      : props.verifier;
    const role = ecsRole(scope, 'DeploymentHookRole', 'ECS blue/green: invokes the pre-traffic check', [
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [target.functionArn] }),
    ]);
    props.service.addLifecycleHook(
      new ecs.DeploymentLifecycleLambdaTarget(target, 'PreTrafficCheck', {
        role,
        lifecycleStages: [ecs.DeploymentLifecycleStage.POST_TEST_TRAFFIC_SHIFT],
      }),
    );
    addHookDetails(props.service, target, { expectVersion: props.imageTag, deadlineSeconds: HOOK_DEADLINE_SECONDS });
  }
}

/**
 * Gives the lifecycle hook that invokes `target` its HookDetails, which CDK's addLifecycleHook has no option for. The
 * hook is found by its target ARN in the list CDK renders, wherever it stands; synth fails if none invokes `target`.
 */
export function addHookDetails(service: ecs.FargateService, target: lambda.IFunction, details: HookDetails): void {
  const cfnService = service.node.defaultChild as ecs.CfnService;
  const configuration = cfnService.deploymentConfiguration as ecs.CfnService.DeploymentConfigurationProperty;
  const cdkHooks = configuration.lifecycleHooks;
  cfnService.deploymentConfiguration = {
    ...configuration,
    lifecycleHooks: Lazy.any({
      produce: () => {
        const stack = Stack.of(service);
        const hooks = (stack.resolve(cdkHooks) ?? []) as ecs.CfnService.DeploymentLifecycleHookProperty[];
        const targetArn = JSON.stringify(stack.resolve(target.functionArn));
        const index = hooks.findIndex((hook) => JSON.stringify(hook.hookTargetArn) === targetArn);
        if (index < 0) throw new Error(`${service.node.path}: no lifecycle hook invokes ${target.node.path}`);
        return hooks.map((hook, i) => (i === index ? { ...hook, hookDetails: details } : hook));
      },
    }),
  };
}
