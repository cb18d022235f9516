// `npm run deploy [-- --dry-run] [--config FILE] [--timeout S]`: what the GitHub deploy job does, runnable by hand.
// 1. Deploy the pipeline stack if it does not exist yet (the first run; self-mutation keeps it current after).
// 2. Upload this commit (git archive) to the pipeline's S3 source.
// 3. Start the pipeline on exactly that object version.
// 4. Follow it with pipeline-watch, and fail unless it succeeds.
import { execFileSync, spawn } from 'node:child_process';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CodePipelineClient, StartPipelineExecutionCommand } from '@aws-sdk/client-codepipeline';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DEFAULT_CONFIG_PATH, loadConfig } from '../../config/load';
import { PIPELINE_STACK_ID } from '../../pipeline/build-app';
import { pipelineStackName } from '../../pipeline/delivery-stages';
import { SOURCE_OBJECT_KEY, sourceBucketName } from '../../pipeline/pipeline-stack';
import { awsCall, boundedClientConfig } from '../cli/aws';
import { CommandError, parseCommandLine, runCommand, seconds } from '../cli/command';
import { watchExecution } from './pipeline-watch';

const SPEC = {
  name: 'deploy',
  usage: `
usage: npm run deploy -- [--dry-run] [--config FILE] [--timeout SECONDS]

Deploys the pipeline stack if it does not exist yet, uploads this commit (git archive HEAD) to the pipeline's
S3 source, starts the pipeline on exactly that object version, and follows it until it ends.

  --dry-run          print the steps and call nothing
  --config FILE      the deployment configuration (default ${DEFAULT_CONFIG_PATH}), the same file synth uses
  --timeout SECONDS  how long to follow the pipeline (default 5400)
  --help             print this and do nothing
`,
  options: {
    'dry-run': { type: 'boolean' },
    config: { type: 'string' },
    timeout: { type: 'string' },
  },
} as const;

class DeployError extends CommandError {
  constructor(message: string) {
    super(message);
    this.name = 'DeployError';
  }
}

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

function cdkDeployPipeline(configPath: string): Promise<number> {
  const context = configPath === DEFAULT_CONFIG_PATH ? [] : ['-c', `config=${configPath}`];
  return new Promise((resolve) => {
    // A first deploy of the pipeline stack takes minutes; an hour bounds it.
    const child = spawn('npx', ['cdk', 'deploy', PIPELINE_STACK_ID, '--require-approval', 'never', ...context], {
      stdio: 'inherit',
      timeout: 60 * 60 * 1000,
    });
    child.on('error', () => resolve(127));
    child.on('close', (code) => resolve(code ?? 1));
  });
}

async function main(): Promise<number> {
  const parsed = parseCommandLine(SPEC, process.argv.slice(2));
  if (!parsed) return 0;
  const configPath = parsed.values.config ?? DEFAULT_CONFIG_PATH;
  const dryRun = parsed.values['dry-run'] === true;
  const timeoutSeconds = seconds('--timeout', parsed.values.timeout, 5400);
  const config = loadConfig(configPath);
  const stackName = pipelineStackName(config);
  const bucket = sourceBucketName(config);
  const commit = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();

  if (config.pipeline.source.type !== 's3') {
    throw new DeployError(
      `pipeline.source.type is ${config.pipeline.source.type}; the pipeline starts itself on push, so there is nothing to upload`,
    );
  }
  if (dryRun) {
    console.log(
      [
        `deploy (dry run): nothing is called`,
        `  1. if stack ${stackName} is missing: npx cdk deploy ${PIPELINE_STACK_ID} --require-approval never`,
        `  2. git archive --format=zip ${commit} → s3://${bucket}/${SOURCE_OBJECT_KEY}`,
        `  3. start pipeline ${config.projectName} on that object version`,
        `  4. follow it for up to ${timeoutSeconds} s`,
      ].join('\n'),
    );
    return 0;
  }

  const region = config.region;
  const cloudformation = new CloudFormationClient(boundedClientConfig({ region }));
  if (!(await stackExists(cloudformation, stackName))) {
    console.log(`${stackName} does not exist yet: deploying it once; self-mutation keeps it current from now on`);
    const code = await cdkDeployPipeline(configPath);
    if (code !== 0) throw new DeployError(`cdk deploy of ${stackName} exited ${code}; nothing was uploaded or started`);
  }

  const archive = execFileSync('git', ['archive', '--format=zip', commit], { maxBuffer: 512 * 1024 * 1024 });
  const upload = await new S3Client(boundedClientConfig({ region }))
    .send(new PutObjectCommand({ Bucket: bucket, Key: SOURCE_OBJECT_KEY, Body: archive, Metadata: { commit } }))
    .catch((e: Error) => {
      throw new DeployError(
        `upload to s3://${bucket}/${SOURCE_OBJECT_KEY} failed (${e.name}: ${e.message}); nothing was started`,
      );
    });
  if (!upload.VersionId) throw new DeployError(`s3://${bucket} returned no object version; is versioning on?`);
  console.log(`uploaded ${commit} (${archive.length} bytes) as version ${upload.VersionId}`);

  const codepipeline = new CodePipelineClient(boundedClientConfig({ region }));
  const started = await codepipeline
    .send(
      new StartPipelineExecutionCommand({
        name: config.projectName,
        sourceRevisions: [
          { actionName: 'Source', revisionType: 'S3_OBJECT_VERSION_ID', revisionValue: upload.VersionId },
        ],
      }),
    )
    .catch((e: Error) => {
      throw new DeployError(
        `version ${upload.VersionId} is uploaded, but starting pipeline ${config.projectName} failed (${e.name}: ${e.message}); re-run to retry`,
      );
    });
  console.log(`started execution ${started.pipelineExecutionId}`);

  const result = await watchExecution(codepipeline, {
    pipelineName: config.projectName,
    executionId: started.pipelineExecutionId!,
    timeoutSeconds,
    log: (line) => console.log(`  ${line}`),
  });
  if (!result.ok) throw new DeployError(result.summary);
  console.log(result.summary);
  return 0;
}

runCommand(SPEC.name, main);
