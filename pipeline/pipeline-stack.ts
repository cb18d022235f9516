import {
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  Token,
  type CfnElement,
  type CfnResource,
  type StackProps,
} from 'aws-cdk-lib';
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
import { ConfigError, DEFAULT_CONFIG_PATH, sourceBucketNameFor, type DeployConfig } from '../config/load';
import { publisherRoleArn } from '../stages/registry/names';
import { verifierFunctionName } from '../stages/service/in-vpc-verifier';
import { acknowledge } from '../stages/nag';
import { denyGrantsExceptForAwsServices, encryptLogs } from '../stages/log-encryption';
import { checkedFromInsideTheVpc, type DeliveryStages } from './delivery-stages';
import {
  CODEBUILD_NODE_VERSION,
  approvalStep,
  postDeployCheckRoleName,
  publishImageStep,
  smokeTestStep,
  type InVpcCheck,
} from './steps';

/** Where the deploy workflow uploads each commit in source mode s3. */
export const SOURCE_OBJECT_KEY = 'source/source.zip';

/** The source bucket's name: fixed, because the deploy workflow and its role address it before the stack exists. */
export function sourceBucketName(config: DeployConfig): string {
  return sourceBucketNameFor(config.projectName, config.toolingAccount);
}

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
    const accessLogs = this.createAccessLogBucket();
    const source = this.createSource(config, accessLogs);
    const configArgs =
      config.sourcePath === DEFAULT_CONFIG_PATH ? '' : ` -- --config ${repositoryPath(config.sourcePath)}`;

    const synth = new ShellStep('Synth', {
      input: source,
      commands: ['npm ci --no-audit --no-fund', `npm run synth${configArgs}`],
      primaryOutputDirectory: 'cdk.out',
    });
    // Synth's npm cache survives across build hosts in S3; a local cache is lost whenever CodeBuild picks a new host.
    const buildCache = new s3.Bucket(this, 'BuildCache', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      versioned: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'build-cache/',
      lifecycleRules: [{ expiration: Duration.days(30), noncurrentVersionExpiration: Duration.days(1) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Every CodeBuild project of the pipeline logs here, by name (CT.CODEBUILD.PR.3), one stream per build.
    const buildLogs = new logs.LogGroup(this, 'BuildLogs', {
      logGroupName: `/aws/codebuild/${config.projectName}`,
      // A year: build logs are a few MB a month, so a year of them costs cents (CT.CLOUDWATCH.PR.2).
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.pipeline = new CodePipeline(this, 'Pipeline', {
      pipelineName: config.projectName,
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
      const inVpc: InVpcCheck | undefined =
        checkRole && checkedFromInsideTheVpc(environment)
          ? {
              functionArn: `arn:${config.partition}:lambda:${config.region}:${environment.account}:function:${verifierFunctionName(config.projectName, environment.name)}`,
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
    this.hardenArtifactStore(accessLogs);
    this.dropRedundantRoleDependency();
    this.acknowledgePipelineFindings(buildCache);
    new CfnOutput(this, 'PipelineName', { value: this.pipeline.pipeline.pipelineName });
  }

  /**
   * The server access logs of the pipeline's buckets. Its construct id predates the build cache's and artifacts' logs:
   * renaming it would replace a retained bucket.
   */
  private createAccessLogBucket(): s3.Bucket {
    const accessLogs = new s3.Bucket(this, 'SourceAccessLogs', {
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

  /**
   * CDK Pipelines creates the artifact bucket and its key; this adds what AWS Control Tower's proactive controls ask
   * of them. Versioning with a lifecycle (CT.S3.PR.11, CT.S3.PR.6): an execution reads only its own artifacts, and an
   * approval waits at most 7 days, so 30 days keeps every live one. Access logs into the log bucket (CT.S3.PR.2).
   */
  private hardenArtifactStore(accessLogs: s3.Bucket): void {
    const artifactBucket = this.pipeline.pipeline.artifactBucket as s3.Bucket;
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
          StringEquals: { 'aws:SourceAccount': this.account },
        },
      }),
    );
    // Nothing in the pipeline creates grants itself: S3, CodeBuild and CloudFormation decrypt with the roles' own
    // key permissions.
    denyGrantsExceptForAwsServices(artifactBucket.encryptionKey!);
  }

  /**
   * CodePipeline both reads its role's ARN and DependsOn the role; cfn-lint (W3005) flags the duplicate.
   * The dependency on the role's policy stays: the pipeline must not start before its permissions exist.
   */
  private dropRedundantRoleDependency(): void {
    const pipeline = this.pipeline.pipeline;
    const rolePolicy = pipeline.role.node.tryFindChild('DefaultPolicy')?.node.defaultChild as CfnElement;
    (pipeline.node.defaultChild as CfnResource).addOverride('DependsOn', [this.getLogicalId(rolePolicy)]);
  }

  /**
   * Findings on the grants CDK Pipelines generates, each with why it stands. They are all scoped to the
   * pipeline's own artifact bucket and key, its own CodeBuild projects, or CDK's bootstrap roles.
   */
  private acknowledgePipelineFindings(buildCache: s3.Bucket): void {
    const pipeline = this.pipeline.pipeline;
    const artifactBucket = this.getLogicalId(pipeline.artifactBucket.node.defaultChild as CfnElement);
    // cdk-nag names findings by the rendered ARN: the literal partition, or <AWS::Partition> while it is a token.
    const partition = Token.isUnresolved(this.partition) ? '<AWS::Partition>' : this.partition;
    const iam5 = (finding: string, reason: string) => ({ id: `AwsSolutions-IAM5[${finding}]`, reason });
    const objectActions =
      'the read/write action families of the artifact grant, limited to the pipeline artifact bucket';
    const acks = [
      ...['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'].map((a) =>
        iam5(`Action::${a}`, `${a} is one of ${objectActions}`),
      ),
      ...['kms:GenerateDataKey*', 'kms:ReEncrypt*'].map((a) =>
        iam5(`Action::${a}`, `${a} covers the data-key variants needed to use the pipeline's own artifact key only`),
      ),
      iam5(
        `Resource::<${artifactBucket}.Arn>/*`,
        'Artifacts are objects with generated keys inside the pipeline bucket',
      ),
      iam5(
        `Resource::<${this.getLogicalId(buildCache.node.defaultChild as CfnElement)}.Arn>/*`,
        'The Synth build caches npm packages under keys CodeBuild generates, inside the build cache bucket only',
      ),
      iam5(
        `Resource::arn:*:iam::${this.account}:role/*`,
        'Self-mutation assumes the CDK bootstrap roles, which CDK Pipelines narrows with an aws-cdk:bootstrap-role tag condition',
      ),
      iam5(
        'Resource::*',
        'Self-mutation and asset publishing describe stacks and assume bootstrap roles found only at deploy time; tag conditions narrow them',
      ),
      iam5(
        `Resource::arn:${partition}:logs:${this.region}:${this.account}:log-group:/aws/codebuild/*`,
        'The shared asset-publishing role writes the logs of its CodeBuild projects, whose names are generated',
      ),
      iam5(
        `Resource::arn:${partition}:codebuild:${this.region}:${this.account}:report-group/*`,
        'The shared asset-publishing role writes the test reports of its CodeBuild projects, whose names are generated',
      ),
    ];
    for (const project of this.node
      .findAll()
      .filter((c): c is codebuild.CfnProject => c instanceof codebuild.CfnProject)) {
      const id = this.getLogicalId(project);
      acks.push(
        iam5(
          `Resource::arn:${partition}:logs:${this.region}:${this.account}:log-group:/aws/codebuild/<${id}>:*`,
          'Each build writes its own log streams inside its project log group',
        ),
        iam5(
          `Resource::arn:${partition}:codebuild:${this.region}:${this.account}:report-group/<${id}>-*`,
          'Each project writes only report groups named after itself',
        ),
      );
    }
    // On each generated policy (the pipeline's, and the check role's grants from CDK Pipelines), where IAM5 reports.
    for (const policy of this.node.findAll().filter((c): c is iam.CfnPolicy => c instanceof iam.CfnPolicy)) {
      acknowledge(policy, ...acks);
    }
  }
}
