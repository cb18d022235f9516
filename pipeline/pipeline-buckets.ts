import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { denyGrantsExceptForAwsServices } from '../stages/log-encryption';
import { acknowledge } from '../stages/nag';

// The pipeline's own buckets, made in the scope they are given (the pipeline stack) rather than in a construct of
// their own: a new scope would change their logical IDs, and a retained bucket under a new ID is a second bucket.

/**
 * The server access logs of the pipeline's buckets. Its construct id predates the build cache's and artifacts' logs:
 * renaming it would replace a retained bucket.
 */
export function createAccessLogBucket(scope: Construct): s3.Bucket {
  const accessLogs = new s3.Bucket(scope, 'SourceAccessLogs', {
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
    versioned: true,
    lifecycleRules: [{ expiration: Duration.days(90), noncurrentVersionExpiration: Duration.days(1) }],
    removalPolicy: RemovalPolicy.RETAIN,
  });
  acknowledge(accessLogs, {
    id: 'AwsSolutions-S1',
    reason:
      'This bucket is the access-log sink of the other buckets; logging it elsewhere would only move the question',
  });
  return accessLogs;
}

/** Synth's npm cache, which survives across build hosts in S3; a local cache is lost whenever CodeBuild picks a new host. */
export function createBuildCache(scope: Construct, accessLogs: s3.IBucket): s3.Bucket {
  return new s3.Bucket(scope, 'BuildCache', {
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    versioned: true,
    serverAccessLogsBucket: accessLogs,
    serverAccessLogsPrefix: 'build-cache/',
    lifecycleRules: [{ expiration: Duration.days(30), noncurrentVersionExpiration: Duration.days(1) }],
    removalPolicy: RemovalPolicy.RETAIN,
  });
}

/**
 * CDK Pipelines creates the artifact bucket and its key; this adds what AWS Control Tower's proactive controls ask
 * of them. Versioning with a lifecycle (CT.S3.PR.11, CT.S3.PR.6): an execution reads only its own artifacts, and an
 * approval waits at most 7 days, so 30 days keeps every live one. Access logs into the log bucket (CT.S3.PR.2).
 */
export function hardenArtifactStore(pipeline: codepipeline.Pipeline, accessLogs: s3.Bucket): void {
  const artifactBucket = pipeline.artifactBucket as s3.Bucket;
  artifactBucket.addLifecycleRule({
    expiration: Duration.days(30),
    noncurrentVersionExpiration: Duration.days(1),
    abortIncompleteMultipartUploadAfter: Duration.days(1),
  });
  const cfnBucket = artifactBucket.node.defaultChild as s3.CfnBucket;
  cfnBucket.versioningConfiguration = { status: 'Enabled' };
  cfnBucket.loggingConfiguration = { destinationBucketName: accessLogs.bucketName, logFilePrefix: 'artifacts/' };
  // What CDK adds to the log bucket for a bucket given serverAccessLogsBucket (S3 user guide, "Enabling Amazon S3
  // server access logging": the logging service principal, scoped by source bucket and account).
  accessLogs.addToResourcePolicy(
    new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
      actions: ['s3:PutObject'],
      resources: [accessLogs.arnForObjects('artifacts/*')],
      conditions: {
        ArnLike: { 'aws:SourceArn': artifactBucket.bucketArn },
        StringEquals: { 'aws:SourceAccount': Stack.of(pipeline).account },
      },
    }),
  );
  // Nothing in the pipeline creates grants itself: S3, CodeBuild and CloudFormation decrypt with the roles' own
  // key permissions.
  denyGrantsExceptForAwsServices(artifactBucket.encryptionKey!);
}
