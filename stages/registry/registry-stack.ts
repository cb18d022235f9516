import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { ECR_PULL_ACTIONS } from '../../config/iam-actions';
import { publisherRoleName, roleArn } from '../../config/names';
import { acknowledge } from '../nag';

/** The four pull actions the seed grants to Account B: a task's pull, and listing the images; nothing that writes. */
export const CROSS_ACCOUNT_PULL_ACTIONS = [...ECR_PULL_ACTIONS, 'ecr:ListImages'] as const;

/** What the registry needs to know, independent of where it is deployed. */
export interface RegistrySettings {
  /** The ECR repository name; the service stage and the publish tool address it by this name. */
  readonly repositoryName: string;
  /** Names the publisher role: the execution policy lets CloudFormation manage only roles named after the project. */
  readonly projectName: string;
  /** Accounts whose Fargate tasks pull the image (every workload account). */
  readonly pullerAccounts: readonly string[];
  /** The tooling account, whose pipeline roles may assume the publisher role. */
  readonly toolingAccount: string;
  /**
   * Role-name prefix of the pipeline's roles in the tooling account; the publisher role trusts only these.
   * CDK names the pipeline's roles after its stack, so the stack name is the natural prefix.
   */
  readonly pipelineRolePrefix: string;
  /** How many images the lifecycle policy keeps. */
  readonly keepLastImages: number;
  /** Days after which untagged images expire. */
  readonly untaggedExpiryDays: number;
}

export interface RegistryStackProps extends StackProps, RegistrySettings {}

/** Account A: the ECR repository Account B pulls from, and the role the pipeline pushes through. */
export class RegistryStack extends Stack {
  readonly repository: ecr.Repository;
  readonly publisherRole: iam.Role;
  readonly repositoryUriOutput: CfnOutput;

  constructor(scope: Construct, id: string, props: RegistryStackProps) {
    super(scope, id, props);

    this.repository = new ecr.Repository(this, 'Repository', {
      repositoryName: props.repositoryName,
      imageScanOnPush: true,
      // Content-hash tags never move, so an immutable repository loses nothing and blocks overwrites.
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      // Images are the release history: keep them if the stack goes away.
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          description: 'Expire untagged images (failed or superseded pushes)',
          rulePriority: 1,
          tagStatus: ecr.TagStatus.UNTAGGED,
          maxImageAge: Duration.days(props.untaggedExpiryDays),
        },
        {
          description: `Keep the last ${props.keepLastImages} images`,
          rulePriority: 2,
          tagStatus: ecr.TagStatus.ANY,
          maxImageCount: props.keepLastImages,
        },
      ],
    });

    // ECR checks at deploy time that policy principals exist, so grant account roots, not roles that may not exist yet.
    this.repository.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'WorkloadAccountsPull',
        principals: props.pullerAccounts.map((account) => new iam.AccountPrincipal(account)),
        actions: [...CROSS_ACCOUNT_PULL_ACTIONS],
      }),
    );

    this.publisherRole = new iam.Role(this, 'PublisherRole', {
      roleName: publisherRoleName(props.projectName),
      description: 'Assumed by the delivery pipeline in the tooling account to push images to this repository',
      assumedBy: new iam.AccountPrincipal(props.toolingAccount).withConditions({
        ArnLike: {
          'aws:PrincipalArn': roleArn(this.partition, props.toolingAccount, `${props.pipelineRolePrefix}*`),
        },
      }),
      maxSessionDuration: Duration.hours(1),
    });
    this.repository.grantPullPush(this.publisherRole);
    // The publish tool finds the repository, checks whether a tag exists, and reads (or starts) its scan.
    this.repository.grant(
      this.publisherRole,
      'ecr:DescribeRepositories',
      'ecr:DescribeImages',
      'ecr:DescribeImageScanFindings',
      'ecr:StartImageScan',
    );
    acknowledge(this.publisherRole, {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ecr:GetAuthorizationToken has no resource-level permissions; every other action is scoped to the repository ARN',
    });

    this.repositoryUriOutput = new CfnOutput(this, 'RepositoryUri', { value: this.repository.repositoryUri });
    new CfnOutput(this, 'RepositoryArn', { value: this.repository.repositoryArn });
    new CfnOutput(this, 'PublisherRoleArn', { value: this.publisherRole.roleArn });
  }
}
