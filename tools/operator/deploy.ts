// `npm run deploy [-- --dry-run] [--ref COMMIT] [--config FILE] [--profile NAME] [--timeout S]`: what the GitHub deploy
// job does, runnable by hand, and the rollback path.
// 1. Deploy the pipeline stack if it does not exist yet (the first run; self-mutation keeps it current after).
// 2. Upload this commit (git archive) to the pipeline's S3 source. With --ref, an earlier commit: the object version
//    that already holds it when the bucket still keeps one (30 days), else its git archive, uploaded.
// 3. Start the pipeline on exactly that object version: every check of the pipeline runs again.
// 4. Follow it with pipeline-watch, and fail unless it succeeds.
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CodePipelineClient, StartPipelineExecutionCommand } from '@aws-sdk/client-codepipeline';
import { S3Client } from '@aws-sdk/client-s3';
import { fromIni } from '@aws-sdk/credential-providers';
import { DEFAULT_CONFIG_PATH, loadConfig } from '../../config/load';
import {
  PIPELINE_STACK_ID,
  SOURCE_OBJECT_KEY,
  pipelineName,
  pipelineStackName,
  sourceBucketName,
} from '../../config/names';
import { awsBoundsText, awsCall, boundedClient, boundedClientConfig } from '../cli/aws';
import { CommandError, parseCommandLine, runCommand, seconds, shorten } from '../cli/command';
import { configFlag } from '../cli/config-flag';
import { refusePlaceholders } from '../cli/placeholder-lookups';
import { profileName } from './aws-profile';
import { runCdkCli } from './cdk-cli';
import { changesOutsideHead, git, resolveRef } from './deploy-git';
import { UPLOAD_BOUNDS, findKeptVersion, uploadCommit } from './deploy-source';
import { watchExecution } from './pipeline-watch';

/**
 * How long the source bucket keeps an upload once a newer one replaces it: its lifecycle rule in the pipeline stack
 * (deploy.test.ts holds the two together).
 */
export const SOURCE_VERSION_DAYS = 30;

const SPEC = {
  name: 'deploy',
  usage: `
usage: npm run deploy -- [--dry-run] [--ref COMMIT] [--config FILE] [--profile NAME] [--timeout SECONDS]

Deploys the pipeline stack if it does not exist yet, uploads this commit (git archive HEAD) to the pipeline's
S3 source, starts the pipeline on exactly that object version, and follows it until it ends. Uncommitted and
untracked changes are not part of HEAD: it names them before it uploads.

  --dry-run          print the steps and call nothing
  --ref COMMIT       roll back: send this earlier commit (a hash, tag or branch of this clone) through the
                     pipeline, with all its checks. The source bucket keeps each uploaded commit ${SOURCE_VERSION_DAYS} days: the
                     newest version that holds it is started again, with nothing uploaded; an older commit is
                     built with git archive COMMIT and uploaded
  --config FILE      the deployment configuration (default ${DEFAULT_CONFIG_PATH}), the same file synth uses
  --profile NAME     the AWS CLI profile of the tooling account (default: the usual AWS credentials, as in
                     the deploy workflow)
  --timeout SECONDS  how long to follow the pipeline (default 5400)
  --help             print this and do nothing

${awsBoundsText()} The upload's attempts get ${UPLOAD_BOUNDS.requestTimeoutMs / 1000} s each.
`,
  options: {
    'dry-run': { type: 'boolean' },
    ref: { type: 'string' },
    config: { type: 'string' },
    profile: { type: 'string' },
    timeout: { type: 'string' },
  },
} as const;

async function stackExists(cloudformation: CloudFormationClient, stackName: string): Promise<boolean> {
  return awsCall('CloudFormation DescribeStacks', async () => {
    try {
      const { Stacks = [] } = await cloudformation.send(new DescribeStacksCommand({ StackName: stackName }));
      return Stacks.some((s) => s.StackStatus !== 'REVIEW_IN_PROGRESS');
    } catch (error) {
      if (/does not exist/.test((error as Error).message)) return false;
      throw error;
    }
  });
}

/** The `cdk deploy` of the pipeline stack, as run and as the dry run prints it. */
export function cdkDeployArgs(configPath: string, profile: string | undefined): string[] {
  return [
    'cdk',
    'deploy',
    PIPELINE_STACK_ID,
    '--require-approval',
    'never',
    ...(configPath === DEFAULT_CONFIG_PATH ? [] : ['-c', `config=${configPath}`]),
    ...(profile ? ['--profile', profile] : []),
  ];
}

async function main(): Promise<number> {
  const parsed = parseCommandLine(SPEC, process.argv.slice(2));
  if (!parsed) return 0;
  const configPath = configFlag(parsed.values.config);
  const dryRun = parsed.values['dry-run'] === true;
  const timeoutSeconds = seconds('--timeout', parsed.values.timeout, 5400);
  const config = loadConfig(configPath);
  for (const warning of config.warnings) process.stderr.write(`deploy warning: ${warning}\n`);
  refusePlaceholders(config, 'deploy');
  const profile = profileName(parsed.values.profile);
  const stackName = pipelineStackName(config);
  const bucket = sourceBucketName(config);
  const ref = parsed.values.ref;
  const commit =
    ref === undefined ? git(['rev-parse', 'HEAD'], 'git rev-parse HEAD').toString('utf8').trim() : resolveRef(ref);

  if (config.pipeline.source.type !== 's3') {
    throw new CommandError(
      `pipeline.source.type is ${config.pipeline.source.type}; the pipeline starts itself on push, so there is nothing to upload`,
    );
  }
  // A rollback sends a commit, not the checkout: what is uncommitted here has no part in it.
  const outside = ref === undefined ? changesOutsideHead() : [];
  if (outside.length > 0) {
    // Not a failure: the commit is what a deploy is of. A warning, never a line of the `deploy:` kind.
    process.stderr.write(
      `deploy warning: ${outside.length} uncommitted or untracked file(s) are not part of ${commit.slice(0, 12)} and ` +
        `are not deployed: ${shorten(outside.join(', '), 200)}\n`,
    );
  }
  const cdkArgs = cdkDeployArgs(configPath, profile);
  if (dryRun) {
    console.log(
      [
        `deploy (dry run): nothing is called`,
        ref === undefined
          ? `  1. if stack ${stackName} is missing: npx ${cdkArgs.join(' ')}`
          : `  1. if stack ${stackName} is missing: stop (a rollback goes through the pipeline)`,
        ...(ref === undefined
          ? [`  2. git archive --format=zip ${commit} → s3://${bucket}/${SOURCE_OBJECT_KEY}`]
          : [
              `  2. the newest version of s3://${bucket}/${SOURCE_OBJECT_KEY} whose metadata names ${commit}, kept ${SOURCE_VERSION_DAYS} days;`,
              `     if none: git archive --format=zip ${commit} → s3://${bucket}/${SOURCE_OBJECT_KEY}`,
            ]),
        `  3. start pipeline ${pipelineName(config)} on that object version`,
        `  4. follow it for up to ${timeoutSeconds} s`,
        ...(profile ? [`  as AWS CLI profile ${profile}`] : []),
      ].join('\n'),
    );
    return 0;
  }

  const region = config.region;
  const credentials = profile ? fromIni({ profile, clientConfig: boundedClientConfig({ region }) }) : undefined;
  const cloudformation = boundedClient(CloudFormationClient, { region, credentials });
  if (!(await stackExists(cloudformation, stackName))) {
    if (ref !== undefined) {
      throw new CommandError(
        `stack ${stackName} does not exist, so there is no pipeline to roll back through; deploy once without --ref`,
      );
    }
    console.log(`${stackName} does not exist yet: deploying it once; self-mutation keeps it current from now on`);
    // A first deploy of the pipeline stack takes minutes; an hour bounds it.
    const code = await runCdkCli(cdkArgs, 60 * 60 * 1000);
    if (code !== 0)
      throw new CommandError(`cdk deploy of ${stackName} exited ${code}; nothing was uploaded or started`);
  }

  const kept =
    ref === undefined
      ? undefined
      : await findKeptVersion(boundedClient(S3Client, { region, credentials }), bucket, SOURCE_OBJECT_KEY, commit);
  let versionId: string;
  if (kept) {
    versionId = kept.versionId;
    console.log(
      `${commit} is kept in s3://${bucket}/${SOURCE_OBJECT_KEY} as version ${versionId}` +
        `${kept.lastModified ? ` (uploaded ${kept.lastModified.toISOString()})` : ''}: starting the pipeline on it, nothing uploaded`,
    );
  } else {
    if (ref !== undefined) {
      console.log(
        `${commit} is no longer kept in s3://${bucket}/${SOURCE_OBJECT_KEY} (versions stay ${SOURCE_VERSION_DAYS} days): uploading its git archive`,
      );
    }
    versionId = await uploadCommit(bucket, commit, { region, credentials });
  }

  const codepipeline = boundedClient(CodePipelineClient, { region, credentials });
  const started = await awsCall('CodePipeline StartPipelineExecution', () =>
    codepipeline.send(
      new StartPipelineExecutionCommand({
        name: pipelineName(config),
        sourceRevisions: [{ actionName: 'Source', revisionType: 'S3_OBJECT_VERSION_ID', revisionValue: versionId }],
      }),
    ),
  ).catch((e: Error) => {
    throw new CommandError(`${resumeHint(pipelineName(config), versionId, profile, region)}: ${e.message}`);
  });
  console.log(`started execution ${started.pipelineExecutionId}`);

  const result = await watchExecution(codepipeline, {
    pipelineName: pipelineName(config),
    executionId: started.pipelineExecutionId!,
    timeoutSeconds,
    log: (line) => console.log(`  ${line}`),
  });
  if (!result.ok) throw new CommandError(result.summary);
  console.log(result.summary);
  return 0;
}

/** What to run to start the pipeline on an object version that is already uploaded, without uploading again. */
export function resumeHint(pipeline: string, versionId: string, profile: string | undefined, region: string): string {
  return (
    `version ${versionId} is uploaded but the pipeline did not start; resume without uploading with: ` +
    `aws codepipeline start-pipeline-execution --region ${region}${profile ? ` --profile ${profile}` : ''} ` +
    `--name ${pipeline} --source-revisions actionName=Source,revisionType=S3_OBJECT_VERSION_ID,revisionValue=${versionId}`
  );
}

if (require.main === module) runCommand(SPEC.name, main);
