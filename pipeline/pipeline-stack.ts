import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { S3Trigger } from 'aws-cdk-lib/aws-codepipeline-actions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { CodePipeline, CodePipelineSource, ShellStep } from 'aws-cdk-lib/pipelines';
import type { Construct } from 'constructs';
import * as path from 'node:path';
import { ConfigError, DEFAULT_CONFIG_PATH, type DeployConfig } from '../config/load';
import {
  SOURCE_OBJECT_KEY,
  buildLogGroupName,
  lambdaFunctionArn,
  pipelineName,
  postDeployCheckRoleName,
  publisherRoleArn,
  sourceBucketName,
  verifierFunctionName,
} from '../config/names';
import { encryptLogs } from '../stages/log-encryption';
import { checkedFromInsideTheVpc, type DeliveryStages } from './delivery-stages';
import { createAccessLogBucket, createBuildCache, hardenArtifactStore } from './pipeline-buckets';
import { acknowledgePipelineFindings } from './pipeline-findings';
import { CODEBUILD_NODE_VERSION, approvalStep, publishImageStep, smokeTestStep, type InVpcCheck } from './steps';

/** The config path as the pipeline's checkout has it; CodeBuild has only the repository, so it must lie inside. */
export function repositoryPath(configPath: string): string {
  const relative = path.relative(process.cwd(), path.resolve(configPath)).split(path.sep).join('/');
  if (relative.startsWith('../') || path.isAbsolute(relative) || relative === '..') {
    throw new ConfigError(
      `${configPath}: the config file is outside the repository; expected a file the pipeline's checkout has, such as config/deploy.json`,
    );
  }
  return relative;
}

export interface PipelineStackProps extends StackProps {
  readonly config: DeployConfig;
  /** The stages to deploy; the pipeline orders them and owns none of their resources. */
  readonly stages: DeliveryStages;
  /** The content tag of docker/ that this synth deploys. */
  readonly imageTag: string;
}

/**
 * The tooling account's self-mutating pipeline:
 * Source → Synth → SelfMutate → [Registry (A) + PublishImage ‖ first Network (B)] → Approval → Service (B) → SmokeTest,
 * then, for each further environment in order: Network → Approval → Service → SmokeTest.
 */
export class PipelineStack extends Stack {
  readonly pipeline: CodePipeline;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const { config, stages, imageTag } = props;

    encryptLogs(this, config.logEncryption);
    const accessLogs = createAccessLogBucket(this);
    const source = this.createSource(config, accessLogs);
    const configArgs =
      config.sourcePath === DEFAULT_CONFIG_PATH ? '' : ` -- --config ${repositoryPath(config.sourcePath)}`;

    const synth = new ShellStep('Synth', {
      input: source,
      commands: ['npm ci --no-audit --no-fund', `npm run synth${configArgs}`],
      primaryOutputDirectory: 'cdk.out',
    });
    const buildCache = createBuildCache(this, accessLogs);
    // Every CodeBuild project of the pipeline logs here, by name (CT.CODEBUILD.PR.3), one stream per build.
    const buildLogs = new logs.LogGroup(this, 'BuildLogs', {
      logGroupName: buildLogGroupName(config.projectName),
      // A year: build logs are a few MB a month, so a year of them costs cents (CT.CLOUDWATCH.PR.2).
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.pipeline = new CodePipeline(this, 'Pipeline', {
      pipelineName: pipelineName(config),
      pipelineType: codepipeline.PipelineType.V2,
      selfMutation: true,
      // Cross-account deploys need a KMS key on the artifact bucket that Accounts A and B can use.
      crossAccountKeys: true,
      enableKeyRotation: true,
      cliVersion: config.pipeline.cdkCliVersion,
      // One deploy action per stack instead of create-then-execute change sets: half the sequential actions.
      useChangeSets: false,
      // One CodeBuild project publishes all file assets, not one per asset (aws-cdk#23016).
      publishAssetsInParallel: false,
      synth,
      synthCodeBuildDefaults: { cache: codebuild.Cache.bucket(buildCache, { prefix: 'synth' }) },
      codeBuildDefaults: {
        buildEnvironment: {
          buildImage: codebuild.LinuxBuildImage.STANDARD_7_0,
          computeType: codebuild.ComputeType.SMALL,
        },
        // npm's cache stays on the build host between runs. Docker layers only where CodeBuild allows it: see PublishImage.
        cache: codebuild.Cache.local(codebuild.LocalCacheMode.CUSTOM),
        partialBuildSpec: codebuild.BuildSpec.fromObject({
          phases: { install: { 'runtime-versions': { nodejs: CODEBUILD_NODE_VERSION } } },
          cache: { paths: ['/root/.npm/**/*'] },
        }),
        timeout: Duration.minutes(30),
        logging: { cloudWatch: { logGroup: buildLogs } },
      },
    });

    const topic = config.pipeline.approvalTopicArn
      ? sns.Topic.fromTopicArn(this, 'ApprovalTopic', config.pipeline.approvalTopicArn)
      : undefined;
    const [first] = stages.environments;

    // The registry and the first network do not depend on each other, so they deploy side by side.
    const foundation = this.pipeline.addWave('Foundation');
    foundation.addStage(stages.registry, {
      post: [
        publishImageStep({
          input: source,
          assembly: synth.primaryOutput!,
          publisherRoleArn: publisherRoleArn(this.partition, config.registry.account, config.projectName),
          configPath: repositoryPath(config.sourcePath),
          cpuArchitecture: config.service.cpuArchitecture,
        }),
      ],
    });
    foundation.addStage(first.network);

    const checkRole = stages.environments.some((e) => checkedFromInsideTheVpc(e.environment))
      ? new iam.Role(this, 'PostDeployCheckRole', {
          roleName: postDeployCheckRoleName(config.projectName),
          assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com'),
          description: 'Runs the post-deploy checks of internal services, through the verifier in each VPC',
        })
      : undefined;
    for (const [index, { environment, network, service }] of stages.environments.entries()) {
      // By its literal name: a reference into a stage's stack would cross accounts.
      const verifier = verifierFunctionName(config.projectName, environment.name);
      const inVpc: InVpcCheck | undefined =
        checkRole && checkedFromInsideTheVpc(environment)
          ? {
              functionArn: lambdaFunctionArn(config.partition, config.region, environment.account, verifier),
              role: checkRole,
            }
          : undefined;
      if (index > 0) this.pipeline.addStage(network);
      this.pipeline.addStage(service, {
        pre: environment.requireApproval ? [approvalStep(environment, imageTag, topic)] : [],
        post: [
          smokeTestStep({
            assembly: synth.primaryOutput!,
            environmentName: environment.name,
            externalUrl: network.stack.externalUrl,
            expectedVersion: imageTag,
            timeoutSeconds: config.pipeline.smokeTestTimeoutSeconds,
            inVpc,
          }),
        ],
      });
    }

    this.pipeline.buildPipeline();
    hardenArtifactStore(this.pipeline.pipeline, accessLogs);
    acknowledgePipelineFindings(this, this.pipeline.pipeline, buildCache);
    new CfnOutput(this, 'PipelineName', { value: this.pipeline.pipeline.pipelineName });
  }

  private createSource(config: DeployConfig, accessLogs: s3.IBucket): CodePipelineSource {
    if (config.pipeline.source.type === 'codeconnections') {
      const { repository, branch, connectionArn } = config.pipeline.source;
      return CodePipelineSource.connection(repository, branch, {
        connectionArn,
        triggerOnPush: true,
        actionName: 'Source',
      });
    }
    const bucket = new s3.Bucket(this, 'SourceBucket', {
      bucketName: sourceBucketName(config),
      versioned: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'source/',
      // Old commits stay retrievable for a month, for re-runs and audits.
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    new CfnOutput(this, 'SourceBucketName', { value: bucket.bucketName });
    new CfnOutput(this, 'SourceObjectKey', { value: SOURCE_OBJECT_KEY });
    // No trigger: the deploy workflow starts the pipeline on exactly the object version it uploaded.
    return CodePipelineSource.s3(bucket, SOURCE_OBJECT_KEY, { trigger: S3Trigger.NONE, actionName: 'Source' });
  }
}
