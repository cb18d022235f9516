import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { VPC_FUNCTION_INTERFACE_ACTIONS } from '../../config/iam-actions';
import { InlineFunction, inlineBundle } from '../inline-function';
import { acknowledge } from '../nag';
import { VERIFIER_TIMEOUT_SECONDS } from '../../runtime/lambda/verifier-timeout';

/**
 * How often the verifier is invoked to keep it active while ECS may need it as a hook. A VPC function idle for weeks
 * goes Inactive, and "when you try to invoke a function that is inactive, the invocation fails" (Lambda developer
 * guide, "Lambda function states"); a failed hook invocation rolls the deployment back (ECS developer guide,
 * "Lambda hooks"). Daily keeps it far from that, for about 30 invocations a month.
 */
export const KEEP_WARM_INTERVAL_HOURS = 24;

/** The event the schedule sends: the verifier answers it at once, checking nothing. */
export const KEEP_WARM_EVENT = { keepWarm: true } as const;

/** The verifier's handler and the service checks, as inline code. */
export function verifierCode(): string {
  return inlineBundle('verifier-handler.ts');
}

export interface InVpcVerifierProps {
  /** Its isolated subnets hold the function. */
  readonly vpc: ec2.IVpc;
  /** The load balancer's group: the function may reach it on the listener ports it checks, and nothing else. */
  readonly loadBalancerSecurityGroup: ec2.ISecurityGroup;
  readonly functionName: string;
  readonly logRetentionDays: number;
  /** The pipeline's post-deploy check invokes it across accounts. @default - no pipeline check */
  readonly pipelineCheck?: {
    /** The only URL it checks for the pipeline: the network stage's ExternalUrl. */
    readonly serviceUrl: string;
    readonly listenerPort: number;
    /** The role in the tooling account that the pipeline's check runs as: the only principal that may invoke it. */
    readonly invokerRoleArn: string;
  };
  /** ECS invokes it as the blue/green pre-traffic check. @default - no hook */
  readonly deploymentHook?: {
    /** The test listener, by the load balancer's DNS name. */
    readonly testUrl: string;
    readonly testListenerPort: number;
  };
}

/** A Lambda in the isolated subnets that checks the service through the load balancer from inside the VPC. */
export class InVpcVerifier extends Construct {
  readonly function: lambda.Function;
  readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: InVpcVerifierProps) {
    super(scope, id);
    const { pipelineCheck, deploymentHook } = props;
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'In-VPC verifier: the load balancer listeners it checks only',
      allowAllOutbound: false,
    });
    // Egress only: the load balancer's group admits the VPC's block on these ports.
    const ports = [pipelineCheck?.listenerPort, deploymentHook?.testListenerPort].filter((p) => p !== undefined);
    for (const port of ports) {
      this.securityGroup.addEgressRule(props.loadBalancerSecurityGroup, ec2.Port.tcp(port), `Listener ${port}`);
    }

    // Lambda creates the function's network interfaces with the execution role, on "*" only. Its logs leave through
    // the Lambda service, not the VPC, so no logs endpoint is needed.
    const inline = new InlineFunction(this, 'Inline', {
      source: verifierCode(),
      statements: [new iam.PolicyStatement({ actions: [...VPC_FUNCTION_INTERFACE_ACTIONS], resources: ['*'] })],
      logRetentionDays: props.logRetentionDays,
      functionName: props.functionName,
      timeout: Duration.seconds(VERIFIER_TIMEOUT_SECONDS),
      memorySize: 256,
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [this.securityGroup],
      environment: {
        ...(pipelineCheck && { SERVICE_URL: pipelineCheck.serviceUrl }),
        ...(deploymentHook && { TEST_URL: deploymentHook.testUrl }),
      },
      description: 'The in-VPC verifier: checks the service through the load balancer (inline code, no asset)',
    });
    acknowledge(inline.role, {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Lambda manages the VPC network interfaces with these calls, which AWS documents on all resources',
    });
    this.function = inline.function;
    // Lambda removes the function's network interfaces with its role: delete the group before the role, or the
    // group and the subnets can be left with an interface nobody may remove (aws/aws-cdk#6701).
    this.securityGroup.node.addDependency(inline.role);
    if (deploymentHook) {
      new events.Rule(this, 'KeepWarm', {
        description: 'Keeps the pre-traffic check active: a VPC function idle for weeks fails its next invocation',
        schedule: events.Schedule.rate(Duration.hours(KEEP_WARM_INTERVAL_HOURS)),
        targets: [
          new eventTargets.LambdaFunction(this.function, {
            event: events.RuleTargetInput.fromObject(KEEP_WARM_EVENT),
            retryAttempts: 2,
          }),
        ],
      });
    }
    if (pipelineCheck) {
      // Lambda turns the role ARN into the role's unique id when it saves the policy (IAM user guide, "Principal"):
      // the pipeline stack, which creates the role, is deployed before any stage.
      this.function.addPermission('PipelineCheck', {
        principal: new iam.ArnPrincipal(pipelineCheck.invokerRoleArn),
        action: 'lambda:InvokeFunction',
      });
    }
  }
}
