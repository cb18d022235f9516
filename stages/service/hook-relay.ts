import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { InlineFunction, inlineBundle } from '../inline-function';
import { acknowledge } from '../nag';
import { RELAY_TIMEOUT_SECONDS } from '../../runtime/lambda/verifier-timeout';

export interface HookRelayProps {
  /** The in-VPC verifier it passes each hook invocation to, with the load balancer's private addresses. */
  readonly verifier: lambda.IFunction;
  /** The load balancer's full name (app/<name>/<id>): its interfaces are described "ELB <full name>". */
  readonly loadBalancerFullName: string;
  readonly logRetentionDays: number;
}

/**
 * The blue/green pre-traffic hook of an internet-facing service: a function outside the VPC that finds the load
 * balancer's private addresses through the EC2 API and invokes the in-VPC verifier with them (runtime/lambda/hook-relay-handler.ts).
 * It replaces an ec2 interface endpoint in the isolated subnets, $14.60 a month in two zones, and sends no request to
 * the service itself: test traffic still comes only from inside the VPC.
 */
export class HookRelay extends Construct {
  readonly function: lambda.Function;

  constructor(scope: Construct, id: string, props: HookRelayProps) {
    super(scope, id);
    const inline = new InlineFunction(this, 'Inline', {
      source: inlineBundle('hook-relay-handler.ts'),
      statements: [
        new iam.PolicyStatement({ actions: ['ec2:DescribeNetworkInterfaces'], resources: ['*'] }),
        new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [props.verifier.functionArn] }),
      ],
      logRetentionDays: props.logRetentionDays,
      timeout: Duration.seconds(RELAY_TIMEOUT_SECONDS),
      environment: {
        LOAD_BALANCER_FULL_NAME: props.loadBalancerFullName,
        VERIFIER_FUNCTION_NAME: props.verifier.functionName,
      },
      description: 'The pre-traffic check relay: the load balancer addresses, then the in-VPC verifier (inline code)',
    });
    acknowledge(inline.role, {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ec2:DescribeNetworkInterfaces has no resource-level permissions; it reads and changes nothing else',
    });
    this.function = inline.function;
  }
}
