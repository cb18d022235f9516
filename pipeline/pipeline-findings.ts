import { Token, type CfnElement, type Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import type * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { arn, roleArn } from '../config/names';
import { acknowledge } from '../stages/nag';

/**
 * Findings on the grants CDK Pipelines generates, each with why it stands. They are all scoped to the
 * pipeline's own artifact bucket and key, its own CodeBuild projects, or CDK's bootstrap roles.
 */
export function acknowledgePipelineFindings(
  stack: Stack,
  pipeline: codepipeline.Pipeline,
  buildCache: s3.Bucket,
): void {
  const artifactBucket = stack.getLogicalId(pipeline.artifactBucket.node.defaultChild as CfnElement);
  // cdk-nag names findings by the rendered ARN: the literal partition, or <AWS::Partition> while it is a token.
  const partition = Token.isUnresolved(stack.partition) ? '<AWS::Partition>' : stack.partition;
  const here = (service: string, resource: string) => arn(partition, service, stack.region, stack.account, resource);
  const iam5 = (finding: string, reason: string) => ({ id: `AwsSolutions-IAM5[${finding}]`, reason });
  const objectActions = 'the read/write action families of the artifact grant, limited to the pipeline artifact bucket';
  const acks = [
    ...['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'].map((a) =>
      iam5(`Action::${a}`, `${a} is one of ${objectActions}`),
    ),
    ...['kms:GenerateDataKey*', 'kms:ReEncrypt*'].map((a) =>
      iam5(`Action::${a}`, `${a} covers the data-key variants needed to use the pipeline's own artifact key only`),
    ),
    iam5(`Resource::<${artifactBucket}.Arn>/*`, 'Artifacts are objects with generated keys inside the pipeline bucket'),
    iam5(
      `Resource::<${stack.getLogicalId(buildCache.node.defaultChild as CfnElement)}.Arn>/*`,
      'The Synth build caches npm packages under keys CodeBuild generates, inside the build cache bucket only',
    ),
    iam5(
      `Resource::${roleArn('*', stack.account, '*')}`,
      'Self-mutation assumes the CDK bootstrap roles, which CDK Pipelines narrows with an aws-cdk:bootstrap-role tag condition',
    ),
    iam5(
      'Resource::*',
      'Self-mutation and asset publishing describe stacks and assume bootstrap roles found only at deploy time; tag conditions narrow them',
    ),
    iam5(
      `Resource::${here('logs', 'log-group:/aws/codebuild/*')}`,
      'The shared asset-publishing role writes the logs of its CodeBuild projects, whose names are generated',
    ),
    iam5(
      `Resource::${here('codebuild', 'report-group/*')}`,
      'The shared asset-publishing role writes the test reports of its CodeBuild projects, whose names are generated',
    ),
  ];
  for (const project of stack.node
    .findAll()
    .filter((c): c is codebuild.CfnProject => c instanceof codebuild.CfnProject)) {
    const id = stack.getLogicalId(project);
    acks.push(
      iam5(
        `Resource::${here('logs', `log-group:/aws/codebuild/<${id}>:*`)}`,
        'Each build writes its own log streams inside its project log group',
      ),
      iam5(
        `Resource::${here('codebuild', `report-group/<${id}>-*`)}`,
        'Each project writes only report groups named after itself',
      ),
    );
  }
  // On each generated policy (the pipeline's, and the check role's grants from CDK Pipelines), where IAM5 reports.
  for (const policy of stack.node.findAll().filter((c): c is iam.CfnPolicy => c instanceof iam.CfnPolicy)) {
    acknowledge(policy, ...acks);
  }
}
