import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { buildSync } from 'esbuild';
import { InlineFunction } from '../inline-function';
import { acknowledge } from '../nag';
import { VERIFIER_TIMEOUT_SECONDS } from './verifier-timeout';

/** The verifier's name in the workload account: fixed, because the pipeline's check role is granted it by ARN. */
export function verifierFunctionName(projectName: string, environmentName: string): string {
  return `${projectName}-${environmentName}-verifier`;
}

let bundled: string | undefined;

/**
 * The handler and the service checks, bundled by esbuild into one minified CommonJS file of a few KiB. It goes into
 * the template as inline code (`ZipFile`, no longer limited to 4096 characters: aws/aws-cdk#20624), so the stack
 * has no file asset and the pipeline no asset-publishing action.
 */
export function verifierCode(): string {
  bundled ??= buildSync({
    entryPoints: [path.join(__dirname, 'verifier-handler.ts')],
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    minify: true,
    write: false,
    logLevel: 'silent',
  }).outputFiles[0].text;
  return bundled;
}

export interface InVpcVerifierProps {
  /** Its isolated subnets hold the function. */
  readonly vpc: ec2.IVpc;
  /** The load balancer's group: the function may reach it on the listener port only. */
  readonly loadBalancerSecurityGroup: ec2.ISecurityGroup;
  readonly listenerPort: number;
  /** The only URL the function checks: the network stage's ExternalUrl. */
  readonly serviceUrl: string;
  readonly functionName: string;
  /** The role in the tooling account that the pipeline's check runs as: the only principal that may invoke it. */
  readonly invokerRoleArn: string;
  readonly logRetentionDays: number;
}

/** A Lambda in the isolated subnets that checks the service through the load balancer from inside the VPC. */
export class InVpcVerifier extends Construct {
  readonly function: lambda.Function;
  readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: InVpcVerifierProps) {
    super(scope, id);
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'In-VPC verifier: the load balancer listener only',
      allowAllOutbound: false,
    });
    // Egress only: the internal load balancer already admits the VPC's block on its listener ports.
    this.securityGroup.addEgressRule(
      props.loadBalancerSecurityGroup,
      ec2.Port.tcp(props.listenerPort),
      'The load balancer listener',
    );

    // Lambda creates the function's network interfaces with the execution role: these calls, and
    // DescribeNetworkInterfaces only on "*" (Lambda developer guide, "Giving Lambda functions access to resources in
    // an Amazon VPC"). Its logs leave through the Lambda service, not the VPC, so no logs endpoint is needed.
    const inline = new InlineFunction(this, 'Inline', {
      source: verifierCode(),
      statements: [
        new iam.PolicyStatement({
          actions: [
            'ec2:CreateNetworkInterface',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeSubnets',
            'ec2:DeleteNetworkInterface',
            'ec2:AssignPrivateIpAddresses',
            'ec2:UnassignPrivateIpAddresses',
          ],
          resources: ['*'],
        }),
      ],
      logRetentionDays: props.logRetentionDays,
      functionName: props.functionName,
      timeout: Duration.seconds(VERIFIER_TIMEOUT_SECONDS),
      memorySize: 256,
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [this.securityGroup],
      environment: { SERVICE_URL: props.serviceUrl },
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
    // Lambda turns the role ARN into the role's unique id when it saves the policy (IAM user guide, "Principal"):
    // the pipeline stack, which creates the role, is deployed before any stage.
    this.function.addPermission('PipelineCheck', {
      principal: new iam.ArnPrincipal(props.invokerRoleArn),
      action: 'lambda:InvokeFunction',
    });
  }
}
