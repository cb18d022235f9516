import type { CfnOutput } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { CodeBuildStep, ManualApprovalStep, type IFileSetProducer } from 'aws-cdk-lib/pipelines';
import type { CpuArchitecture, EnvironmentConfig } from '../config/load';
import { stepBundle } from '../config/names';

/**
 * Node on CodeBuild, the same major version as `.nvmrc` (test/versions.test.ts holds them together). Ubuntu
 * standard:7.0 and Amazon Linux 2023 AArch64 standard:3.0 both list `nodejs: 24` in their runtimes.yml
 * (aws/aws-codebuild-docker-images), so the images the pipeline uses need no change for it.
 */
export const CODEBUILD_NODE_VERSION = '24';

/** Where the publish step mounts the cloud assembly beside its checkout. */
const ASSEMBLY_DIR = 'assembly';

export interface PublishImageStepProps {
  /** The repository checkout: docker/ and config/. */
  readonly input: IFileSetProducer;
  /** Synth's cloud assembly, which holds the step's bundle. */
  readonly assembly: IFileSetProducer;
  /** The registry's publisher role, assumed across accounts. */
  readonly publisherRoleArn: string;
  /** The config file synth used, so publishing targets the same repository. */
  readonly configPath: string;
  /** Builds run natively on the task's architecture: no emulation, no cross-build surprises. */
  readonly cpuArchitecture: CpuArchitecture;
}

/**
 * Builds and pushes the image into Account A's repository with the project's publish tool. Privileged,
 * because docker build needs it; its only extra permission is assuming the publisher role.
 */
export function publishImageStep(props: PublishImageStepProps): CodeBuildStep {
  // "Docker layer cache mode is available for the Linux environment only. If you choose this mode, you must run
  // your build in privileged mode" (CodeBuild user guide, "Build caching"): LINUX_CONTAINER, so not on ARM.
  const dockerLayerCache = props.cpuArchitecture === 'X86_64';
  return new CodeBuildStep('PublishImage', {
    input: props.input,
    cache: codebuild.Cache.local(
      codebuild.LocalCacheMode.CUSTOM,
      ...(dockerLayerCache ? [codebuild.LocalCacheMode.DOCKER_LAYER] : []),
    ),
    buildEnvironment: {
      privileged: true,
      buildImage:
        props.cpuArchitecture === 'ARM64'
          ? codebuild.LinuxArmBuildImage.AMAZON_LINUX_2023_STANDARD_3_0
          : codebuild.LinuxBuildImage.STANDARD_7_0,
      computeType: codebuild.ComputeType.SMALL,
    },
    additionalInputs: { [ASSEMBLY_DIR]: props.assembly },
    commands: [
      `node ${ASSEMBLY_DIR}/${stepBundle('publish-image')} --config ${props.configPath} --role-arn ${props.publisherRoleArn}`,
    ],
    rolePolicyStatements: [
      new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [props.publisherRoleArn] }),
    ],
  });
}

/** How a check reaches a service that only its VPC can reach: the verifier there, and the role that may invoke it. */
export interface InVpcCheck {
  /** The verifier function's ARN in the workload account. */
  readonly functionArn: string;
  /** The role the step runs as; the verifier's resource policy admits it. */
  readonly role: iam.IRole;
}

export interface SmokeTestStepProps {
  /** Synth's cloud assembly, which holds the step's bundle. */
  readonly assembly: IFileSetProducer;
  readonly environmentName: string;
  /** The network stage's ExternalUrl output, resolved when the step runs. */
  readonly externalUrl: CfnOutput;
  /** The image tag the service must report at /version. */
  readonly expectedVersion: string;
  readonly timeoutSeconds: number;
  /** Check through the in-VPC verifier instead of from the step itself. @default - from the step, over the internet */
  readonly inVpc?: InVpcCheck;
}

/**
 * Checks the live service with the project's smoke tool; a circuit-breaker rollback fails it on /version. An
 * internet-facing service is checked from the step, the way users reach it; an internal one through the verifier
 * in its VPC, which the step invokes across accounts.
 */
export function smokeTestStep(props: SmokeTestStepProps): CodeBuildStep {
  const viaVerifier = props.inVpc ? ` --via-function ${props.inVpc.functionArn}` : '';
  return new CodeBuildStep(`SmokeTest-${props.environmentName}`, {
    input: props.assembly,
    envFromCfnOutputs: { EXTERNAL_URL: props.externalUrl },
    env: { EXPECTED_VERSION: props.expectedVersion },
    commands: [
      `node ${stepBundle('smoke-test')} "$EXTERNAL_URL" --expect-version "$EXPECTED_VERSION" --timeout ${props.timeoutSeconds}${viaVerifier}`,
    ],
    role: props.inVpc?.role,
    rolePolicyStatements: props.inVpc && [
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [props.inVpc.functionArn] }),
    ],
  });
}

/** The gate before an environment's service stage: a person approves, optionally told through SNS. */
export function approvalStep(
  environment: EnvironmentConfig,
  imageTag: string,
  notificationTopic?: sns.ITopic,
): ManualApprovalStep {
  return new ManualApprovalStep(`Approve-${environment.name}`, {
    comment: `Deploy image ${imageTag} to ${environment.name} (account ${environment.account})?`,
    reviewUrl: environment.reviewUrl,
    notificationTopic,
  });
}
