// `npm run deploy --ref`, the rollback, against moto (S3 versions, CloudFormation) and a CodePipeline stand-in, in a
// clone of its own, as the GitHub deploy role.
import { defaultDelivery } from '../../helpers/default-delivery';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { CodePipelineClient, ListPipelineExecutionsCommand } from '@aws-sdk/client-codepipeline';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Template } from 'aws-cdk-lib/assertions';
import { SOURCE_OBJECT_KEY, sourceBucketName } from '../../../config/names';
import { bootstrapTargets } from '../../../tools/operator/bootstrap';
import { SOURCE_VERSION_DAYS } from '../../../tools/operator/deploy';
import { PROJECT_ROOT, defaultConfigJson } from '../../helpers/cdk';
import { REGION } from '../../helpers/constants';
import { DeployedStack } from '../../helpers/deployed-policies';
import { startFakeCodePipeline, type FakeCodePipeline } from '../../helpers/fake-codepipeline';
import { decide, verdictOf, type IamRequest } from '../../helpers/iam';
import { motoCredentials, startMoto, type Moto } from '../../helpers/moto';
import { runTool } from '../../helpers/run-tool';

describe('deploy --ref, the rollback, against moto (S3 versions) and a CodePipeline stand-in', () => {
  // GIVEN the default app's pipeline and GitHub stacks, as deployed
  const { config, delivery } = defaultDelivery();
  const pipelineStack = DeployedStack.of(delivery.pipeline);
  const github = DeployedStack.of(delivery.github!);
  const deployRole = github.arnOf(github.ofType('AWS::IAM::Role').find((id) => id.startsWith('DeployRole'))!);
  const Bucket = sourceBucketName(config);
  const dir = mkdtempSync(path.join(tmpdir(), 'deploy-ref-'));
  const configFile = path.join(dir, 'deploy.json');
  writeFileSync(configFile, JSON.stringify(defaultConfigJson()));
  // AND a clone with four commits, c0 (oldest) to c3 (HEAD), c1 tagged v1
  const repo = path.join(dir, 'repo');
  mkdirSync(repo);
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: repo });
  git('init', '-q');
  const commits = [0, 1, 2, 3].map((n) => {
    writeFileSync(path.join(repo, 'app.txt'), `version ${n}`);
    git('add', 'app.txt');
    git('commit', '-q', '-m', `c${n}`);
    return git('rev-parse', 'HEAD').toString().trim();
  });
  git('tag', 'v1', commits[1]);
  const archive = (commit: string) => git('archive', '--format=zip', commit);

  let moto: Moto | undefined;
  let codepipeline: FakeCodePipeline | undefined;
  let s3: S3Client;
  let asDeployRole: NodeJS.ProcessEnv;
  /** The versions the earlier deploys of c1 and c2 left in the bucket. */
  const uploaded: Record<string, string> = {};

  beforeAll(async () => {
    // Each server is kept as soon as it runs, so afterAll stops it even when the other fails to start.
    moto = await startMoto();
    codepipeline = await startFakeCodePipeline();
    const admin = {
      region: config.region,
      endpoint: moto.endpoint,
      credentials: await motoCredentials(moto.endpoint, `arn:aws:iam::${config.toolingAccount}:role/admin`),
    };
    s3 = new S3Client({ ...admin, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket, CreateBucketConfiguration: { LocationConstraint: REGION } }));
    await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    await new CloudFormationClient(admin).send(
      new CreateStackCommand({
        StackName: pipelineStack.stackName,
        TemplateBody: JSON.stringify({ Resources: { Handle: { Type: 'AWS::CloudFormation::WaitConditionHandle' } } }),
      }),
    );
    // What deploy itself uploads for a commit: its archive, named in the metadata.
    for (const commit of [commits[1], commits[2]]) {
      const put = await s3.send(
        new PutObjectCommand({ Bucket, Key: SOURCE_OBJECT_KEY, Body: archive(commit), Metadata: { commit } }),
      );
      uploaded[commit] = put.VersionId!;
    }
    const credentials = await motoCredentials(moto.endpoint, deployRole);
    asDeployRole = {
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_ENDPOINT_URL_CODEPIPELINE: codepipeline.endpoint,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_SESSION_TOKEN: credentials.sessionToken,
      AWS_PROFILE: '',
      AWS_CONFIG_FILE: path.join(dir, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'no-credentials'),
    };
  }, 60_000);

  afterAll(async () => {
    await Promise.all([moto?.stop(), codepipeline?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs deploy in the clone (not the project: its commits are the clone's) as the GitHub deploy role, recording its AWS calls into `log`. */
  const deploy = (args: string[], log = path.join(dir, `calls-${Math.random().toString(36).slice(2)}.jsonl`)) =>
    runTool(
      'tools/operator/deploy.ts',
      ['--config', configFile, '--timeout', '30', ...args],
      {
        ...asDeployRole,
        NODE_OPTIONS: `--require ${path.join(PROJECT_ROOT, 'test/helpers/aws-call-recorder.js')}`,
        AWS_CALL_LOG: log,
      },
      repo,
    ).then((run) => ({
      ...run,
      calls: existsSync(log)
        ? readFileSync(log, 'utf8')
            .trim()
            .split('\n')
            .map((line) => JSON.parse(line) as { command: string; input: Record<string, any> })
        : [],
    }));
  const versions = async () =>
    ((await s3.send(new ListObjectVersionsCommand({ Bucket, Prefix: SOURCE_OBJECT_KEY }))).Versions ?? []).length;
  const lastStartedRevision = async () => {
    const pipeline = new CodePipelineClient({
      region: config.region,
      endpoint: codepipeline!.endpoint,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    const { pipelineExecutionSummaries = [] } = await pipeline.send(
      new ListPipelineExecutionsCommand({ pipelineName: config.projectName }),
    );
    return pipelineExecutionSummaries.at(-1)?.sourceRevisions?.[0]?.revisionId;
  };
  const own = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('deploy:'));

  test('keeps uploads as long as the source bucket does: the lifecycle rule and the rollback agree', () => {
    const buckets = Template.fromStack(delivery.pipeline).findResources('AWS::S3::Bucket', {
      Properties: { BucketName: Bucket },
    });
    expect(Object.values(buckets).map((b) => b.Properties.LifecycleConfiguration.Rules)).toEqual([
      [expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: SOURCE_VERSION_DAYS } })],
    ]);
  });

  test('starts the pipeline on the kept version of a commit named by its tag, uploading nothing', async () => {
    // WHEN deploy rolls back to v1, whose upload the bucket still keeps
    const before = await versions();
    const result = await deploy(['--ref', 'v1']);
    // THEN the pipeline runs that very version, and the bucket is as it was
    expect([result.code, own(result.stderr)]).toEqual([0, []]);
    expect(result.stdout).toContain(
      `${commits[1]} is kept in s3://${Bucket}/${SOURCE_OBJECT_KEY} as version ${uploaded[commits[1]]}`,
    );
    expect(await lastStartedRevision()).toBe(uploaded[commits[1]]);
    expect(await versions()).toBe(before);
    expect(result.calls.map((c) => c.command)).not.toContain('PutObjectCommand');
  });

  test('builds and uploads the archive of a commit the bucket no longer keeps, and starts the pipeline on it', async () => {
    // WHEN deploy rolls back to c0, never uploaded (or expired after 30 days)
    const result = await deploy(['--ref', commits[0].slice(0, 10)]);
    // THEN a new version holds exactly git's archive of c0, named in its metadata, and the pipeline runs it
    expect([result.code, own(result.stderr)]).toEqual([0, []]);
    expect(result.stdout).toContain(`${commits[0]} is no longer kept in s3://${Bucket}/${SOURCE_OBJECT_KEY}`);
    const version = await lastStartedRevision();
    expect(Object.values(uploaded)).not.toContain(version);
    const object = await s3.send(new GetObjectCommand({ Bucket, Key: SOURCE_OBJECT_KEY, VersionId: version }));
    expect(object.Metadata).toEqual({ commit: commits[0] });
    expect(Buffer.from(await object.Body!.transformToByteArray()).equals(archive(commits[0]))).toBe(true);
  });

  test('refuses a ref that names no commit with one line, calling nothing', async () => {
    const before = await versions();
    for (const ref of ['no-such-branch', commits[0].replace(/^./, (c) => (c === 'f' ? '0' : 'f')), 'HEAD^{tree}']) {
      const result = await deploy(['--ref', ref]);
      expect([ref, result.code, own(result.stderr)]).toEqual([
        ref,
        1,
        [
          `deploy: --ref ${ref} names no commit in this clone; fetch it first (git fetch origin), or give its full hash`,
        ],
      ]);
      expect(result.calls).toEqual([]);
    }
    expect(await versions()).toBe(before);
  });

  test('refuses a ref that git would read as an option, before git sees it', async () => {
    const result = await deploy(['--ref=--output=/tmp/x']);
    expect(own(result.stderr)).toEqual([
      'deploy: --ref is "--output=/tmp/x"; expected a commit: a hash, tag or branch of this clone',
    ]);
    expect(result.calls).toEqual([]);
  });

  test('the dry run says where the commit comes from, and that a rollback needs the pipeline', async () => {
    const result = await deploy(['--dry-run', '--ref', 'v1']);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').slice(0, 5)).toEqual([
      'deploy (dry run): nothing is called',
      `  1. if stack ${pipelineStack.stackName} is missing: stop (a rollback goes through the pipeline)`,
      `  2. the newest version of s3://${Bucket}/${SOURCE_OBJECT_KEY} whose metadata names ${commits[1]}, kept 30 days;`,
      `     if none: git archive --format=zip ${commits[1]} → s3://${Bucket}/${SOURCE_OBJECT_KEY}`,
      `  3. start pipeline ${config.projectName} on that object version`,
    ]);
    expect(result.calls).toEqual([]);
  });

  test('refuses to roll back without a pipeline, uploading nothing', async () => {
    const json = defaultConfigJson() as Record<string, any>;
    json.projectName = 'never-deployed';
    const file = path.join(dir, 'never-deployed.json');
    writeFileSync(file, JSON.stringify(json));
    const result = await deploy(['--ref', 'v1', '--config', file]);
    expect(own(result.stderr)).toEqual([
      'deploy: stack never-deployed-pipeline does not exist, so there is no pipeline to roll back through; deploy once without --ref',
    ]);
    expect(result.calls.map((c) => c.command)).toEqual(['DescribeStacksCommand']);
  });

  test('every call a rollback makes is one the GitHub deploy role may make, and no wider listing', async () => {
    // GIVEN the calls of both rollbacks, as IAM would see them
    const { calls } = await deploy(['--ref', commits[2]]);
    const boundary = bootstrapTargets(config).find((t) => t.account === config.toolingAccount)!.boundary;
    const pipelineArn = `arn:aws:codepipeline:${REGION}:${config.toolingAccount}:${config.projectName}`;
    const request = (c: { command: string; input: Record<string, any> }): IamRequest => {
      const object = `arn:aws:s3:::${c.input.Bucket}/${c.input.Key}`;
      const [action, resource, context]: [string, string, Record<string, string>?] = (() => {
        switch (c.command) {
          case 'ListObjectVersionsCommand':
            return ['s3:ListBucketVersions', `arn:aws:s3:::${c.input.Bucket}`, { 's3:prefix': c.input.Prefix }];
          case 'HeadObjectCommand':
            return [c.input.VersionId ? 's3:GetObjectVersion' : 's3:GetObject', object];
          case 'PutObjectCommand':
            return ['s3:PutObject', object];
          case 'DescribeStacksCommand':
            return [
              'cloudformation:DescribeStacks',
              `arn:aws:cloudformation:${REGION}:${config.toolingAccount}:stack/${c.input.StackName}/0123`,
            ];
          default:
            return [`codepipeline:${c.command.replace(/Command$/, '')}`, pipelineArn];
        }
      })();
      return {
        principal: deployRole,
        action,
        resource,
        resourceAccount: config.toolingAccount,
        identityPolicies: github.identityPolicies(
          github.ofType('AWS::IAM::Role').find((id) => id.startsWith('DeployRole'))!,
        ),
        permissionsBoundary: boundary,
        resourcePolicy: pipelineStack.resourcePolicyFor(resource),
        context: { 'aws:RequestedRegion': config.region, ...context },
      };
    };
    const requests = calls.map(request);
    // THEN it found the kept version of c2 with calls the role may make, and every one of them is allowed
    expect(requests.map((r) => r.action)).toEqual(
      expect.arrayContaining(['s3:ListBucketVersions', 's3:GetObjectVersion', 'codepipeline:StartPipelineExecution']),
    );
    const verdicts = await Promise.all(requests.map((r) => verdictOf(r)));
    expect(verdicts.filter((v) => !v.endsWith(': Allowed'))).toEqual([]);
    // AND listing more of the bucket than the source object is not
    const list = requests.find((r) => r.action === 's3:ListBucketVersions')!;
    expect(await decide({ ...list, context: { ...list.context, 's3:prefix': '' } })).toBe('ImplicitlyDenied');
  });
});
