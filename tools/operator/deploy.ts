// `npm run deploy [-- --dry-run] [--ref COMMIT] [--config FILE] [--profile NAME] [--timeout S]`: what the GitHub deploy
// job does, runnable by hand, and the rollback path.
// 1. Deploy the pipeline stack if it does not exist yet (the first run; self-mutation keeps it current after).
// 2. Upload this commit (git archive) to the pipeline's S3 source. With --ref, an earlier commit: the object version
//    that already holds it when the bucket still keeps one (30 days), else its git archive, uploaded.
// 3. Start the pipeline on exactly that object version: every check of the pipeline runs again.
// 4. Follow it with pipeline-watch, and fail unless it succeeds.
import { spawn, spawnSync } from 'node:child_process';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CodePipelineClient, StartPipelineExecutionCommand } from '@aws-sdk/client-codepipeline';
import { HeadObjectCommand, ListObjectVersionsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { fromIni } from '@aws-sdk/credential-providers';
import { DEFAULT_CONFIG_PATH, loadConfig } from '../../config/load';
import { PIPELINE_STACK_ID } from '../../pipeline/build-app';
import { pipelineStackName } from '../../pipeline/names';
import { SOURCE_OBJECT_KEY, sourceBucketName } from '../../pipeline/pipeline-stack';
import {
  AWS_CLIENT_BOUNDS,
  awsBoundsText,
  awsCall,
  boundedClient,
  boundedClientConfig,
  type AwsClientBounds,
} from '../cli/aws';
import { CommandError, parseCommandLine, runCommand, seconds, shorten } from '../cli/command';
import { configFlag } from '../cli/config-flag';
import { refusePlaceholders } from '../cli/placeholder-lookups';
import { watchExecution } from './pipeline-watch';

/** The upload of the source zip gets longer per attempt than a plain call: it carries megabytes. */
const UPLOAD_BOUNDS: AwsClientBounds = { ...AWS_CLIENT_BOUNDS, requestTimeoutMs: 120_000 };

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

class DeployError extends CommandError {
  constructor(message: string) {
    super(message);
    this.name = 'DeployError';
  }
}

/** An AWS CLI profile name, as the CLI's config file allows it. */
export function profileName(raw: string | undefined): string | undefined {
  if (raw !== undefined && !/^[\w.+@-]{1,64}$/.test(raw)) {
    throw new CommandError(`--profile is "${shorten(raw)}"; expected an AWS CLI profile name, such as tooling`);
  }
  return raw;
}

/** Runs git; its failure is one line of ours, never git's own text. */
function git(args: readonly string[], what: string, maxBuffer = 16 * 1024 * 1024): Buffer {
  const result = spawnSync('git', [...args], { maxBuffer, stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.error || result.status !== 0) {
    const reason = result.error
      ? `cannot run git: ${(result.error as NodeJS.ErrnoException).code ?? result.error.message}`
      : /not a git repository/i.test(String(result.stderr))
        ? `${process.cwd()} is not inside a git checkout`
        : `git ${args[0]} exited ${result.status}`;
    throw new DeployError(`${what} failed (${reason}); deploy uploads a commit: run it from a clone of the project`);
  }
  return result.stdout;
}

/**
 * The full hash of the commit a --ref names, or one line saying it names none here. It never reaches git as an
 * option, and names only commits (`^{commit}`): a tag resolves to its commit, a tree or a blob is refused.
 */
export function resolveRef(raw: string): string {
  if (raw.trim() === '' || raw.startsWith('-') || raw.length > 256 || /[\s\0]/.test(raw)) {
    throw new DeployError(`--ref is "${shorten(raw)}"; expected a commit: a hash, tag or branch of this clone`);
  }
  // Outside a clone, or without git, the usual one line; inside one, git's exit status only says whether it resolves.
  git(['rev-parse', '--git-dir'], 'git rev-parse');
  const result = spawnSync('git', ['rev-parse', '--verify', '--quiet', `${raw}^{commit}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const hash = String(result.stdout ?? '').trim();
  if (result.status !== 0 || !/^[0-9a-f]{40,64}$/.test(hash)) {
    throw new DeployError(
      `--ref ${shorten(raw)} names no commit in this clone; fetch it first (git fetch origin), or give its full hash`,
    );
  }
  return hash;
}

/** The newest versions of the source object a rollback looks through for its commit, a few at a time. */
const MAX_VERSIONS_SEARCHED = 200;
const HEADS_AT_ONCE = 8;

/** A version of the source object that holds a commit. */
export interface KeptVersion {
  readonly versionId: string;
  readonly lastModified?: Date;
}

/**
 * The newest version of the source object whose metadata names the commit (deploy writes it on every upload), if
 * the bucket still keeps one; undefined otherwise. Bounded: a few pages of versions, at most MAX_VERSIONS_SEARCHED
 * read, newest first.
 */
export async function findKeptVersion(
  s3: Pick<S3Client, 'send'>,
  bucket: string,
  key: string,
  commit: string,
): Promise<KeptVersion | undefined> {
  const versions: KeptVersion[] = [];
  let markers: { KeyMarker?: string; VersionIdMarker?: string } = {};
  for (let page = 0; page < 5 && versions.length < MAX_VERSIONS_SEARCHED; page++) {
    const out = await awsCall('S3 ListObjectVersions', () =>
      s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key, ...markers })),
    );
    for (const v of out.Versions ?? []) {
      if (v.Key === key && v.VersionId) versions.push({ versionId: v.VersionId, lastModified: v.LastModified });
    }
    if (!out.IsTruncated) break;
    markers = { KeyMarker: out.NextKeyMarker, VersionIdMarker: out.NextVersionIdMarker };
  }
  versions.sort((a, b) => (b.lastModified?.getTime() ?? 0) - (a.lastModified?.getTime() ?? 0));
  const candidates = versions.slice(0, MAX_VERSIONS_SEARCHED);
  for (let i = 0; i < candidates.length; i += HEADS_AT_ONCE) {
    const batch = candidates.slice(i, i + HEADS_AT_ONCE);
    const heads = await Promise.all(
      batch.map((v) =>
        awsCall('S3 HeadObject', () =>
          s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, VersionId: v.versionId })),
        ),
      ),
    );
    const found = batch.find((_, j) => heads[j].Metadata?.commit === commit);
    if (found) return found;
  }
  return undefined;
}

/** Uncommitted and untracked files, which `git archive HEAD` leaves out. */
function changesOutsideHead(): string[] {
  return git(['status', '--porcelain', '--untracked-files=normal'], 'git status')
    .toString('utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.slice(3));
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

function cdkDeployPipeline(args: readonly string[]): Promise<number> {
  return new Promise((resolve) => {
    // A first deploy of the pipeline stack takes minutes; an hour bounds it.
    const child = spawn('npx', [...args], { stdio: 'inherit', timeout: 60 * 60 * 1000 });
    child.on('error', () => resolve(127));
    child.on('close', (code) => resolve(code ?? 1));
  });
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
    throw new DeployError(
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
        `  3. start pipeline ${config.projectName} on that object version`,
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
      throw new DeployError(
        `stack ${stackName} does not exist, so there is no pipeline to roll back through; deploy once without --ref`,
      );
    }
    console.log(`${stackName} does not exist yet: deploying it once; self-mutation keeps it current from now on`);
    const code = await cdkDeployPipeline(cdkArgs);
    if (code !== 0) throw new DeployError(`cdk deploy of ${stackName} exited ${code}; nothing was uploaded or started`);
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
        name: config.projectName,
        sourceRevisions: [{ actionName: 'Source', revisionType: 'S3_OBJECT_VERSION_ID', revisionValue: versionId }],
      }),
    ),
  ).catch((e: Error) => {
    throw new DeployError(`${resumeHint(config.projectName, versionId, profile, region)}: ${e.message}`);
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

/** Uploads a commit's git archive as the source object, naming the commit in its metadata; returns the version. */
async function uploadCommit(
  bucket: string,
  commit: string,
  clientConfig: { region: string; credentials: ReturnType<typeof fromIni> | undefined },
): Promise<string> {
  const archive = git(['archive', '--format=zip', commit], 'git archive', 512 * 1024 * 1024);
  const upload = await awsCall('S3 PutObject', () =>
    boundedClient(S3Client, clientConfig, UPLOAD_BOUNDS).send(
      new PutObjectCommand({ Bucket: bucket, Key: SOURCE_OBJECT_KEY, Body: archive, Metadata: { commit } }),
    ),
  ).catch((e: Error) => {
    throw new DeployError(`${e.message} (s3://${bucket}/${SOURCE_OBJECT_KEY}); nothing was started`);
  });
  if (!upload.VersionId) throw new DeployError(`s3://${bucket} returned no object version; is versioning on?`);
  console.log(`uploaded ${commit} (${archive.length} bytes) as version ${upload.VersionId}`);
  return upload.VersionId;
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
