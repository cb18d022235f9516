// Every AWS call publish-image, deploy and pipeline-watch really make, recorded while they run against moto
// (CodePipeline, which moto lacks, against a stand-in), then evaluated against every policy that decides it on
// AWS: the identity policies and boundary of the role that made it, the target's resource policy, and the trust
// policy of every role assumed, with the principal that assumes it there. No list of calls is written by hand.
import { defaultDelivery } from '../helpers/default-delivery';
import { parse as parseArn } from '@aws-sdk/util-arn-parser';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { CreateBucketCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { publisherRoleArn, sourceBucketName } from '../../config/names';
import { bootstrapTargets } from '../../tools/operator/bootstrap';
import { PROJECT_ROOT } from '../helpers/cdk';
import { DeployedStack } from '../helpers/deployed-policies';
import { startFakeCodePipeline, type FakeCodePipeline } from '../helpers/fake-codepipeline';
import { decide, verdictOf, type IamRequest } from '../helpers/iam';
import { motoCredentials, startMoto, type Moto } from '../helpers/moto';
import { runTool, type ToolRun } from '../helpers/run-tool';
import { REGION } from '../helpers/constants';

// GIVEN the default app, synthesized once for the run
const { config, delivery } = defaultDelivery();
const pipeline = DeployedStack.of(delivery.pipeline);
const github = DeployedStack.of(delivery.github!);
const registry = DeployedStack.of(delivery.stages.registry.stack);
const boundaries = new Map(bootstrapTargets(config).map((t) => [t.account, t.boundary]));

/** The pipeline's PublishImage CodeBuild role, as CloudFormation names it. */
const publishProjectRole = (() => {
  const project = pipeline
    .ofType('AWS::CodeBuild::Project')
    .find((id) => JSON.stringify(pipeline.resources[id].Properties.Source).includes('publish-image'))!;
  return pipeline.resources[project].Properties.ServiceRole['Fn::GetAtt'][0] as string;
})();
const [githubDeployRole] = github.ofType('AWS::IAM::Role').filter((id) => id.startsWith('DeployRole'));

/** One call as test/helpers/aws-call-recorder.js writes it. */
interface AwsCallRecord {
  client: string;
  command: string;
  input: Record<string, any>;
  accessKeyId?: string;
  region?: string;
  service?: string;
  /** For AssumeRole: the session it returned. */
  assumed?: { accessKeyId: string; arn?: string };
  error?: string;
}

/** Roles whose policies the evaluator needs, by deployed ARN. */
const ROLES = new Map(
  [pipeline, github, registry].flatMap((stack) =>
    stack.ofType('AWS::IAM::Role').map((id) => [stack.arnOf(id), { stack, id }] as const),
  ),
);

/** The ARN an ECR, S3, CodePipeline, CloudFormation or STS call acts on. */
function resourceOf(record: AwsCallRecord, account: string): { arn: string; account: string } {
  const input = record.input;
  switch (record.service) {
    case 'ecr': {
      const registryId = input.registryId ?? input.registryIds?.[0] ?? account;
      if (record.command === 'GetAuthorizationTokenCommand') return { arn: '*', account: registryId };
      const name = input.repositoryName ?? input.repositoryNames?.[0];
      return { arn: `arn:aws:ecr:${REGION}:${registryId}:repository/${name}`, account: registryId };
    }
    case 'sts':
      return { arn: input.RoleArn, account: parseArn(input.RoleArn).accountId };
    case 's3':
      return { arn: `arn:aws:s3:::${input.Bucket}${input.Key ? `/${input.Key}` : ''}`, account };
    case 'codepipeline':
      return { arn: `arn:aws:codepipeline:${REGION}:${account}:${input.name ?? input.pipelineName}`, account };
    case 'cloudformation':
      return { arn: `arn:aws:cloudformation:${REGION}:${account}:stack/${input.StackName}/0123`, account };
    default:
      throw new Error(`${record.client} ${record.command}: no resource mapping; add one`);
  }
}

/** Turns the recorded calls into the requests IAM decides, following the sessions AssumeRole handed out. */
function requestsOf(records: AwsCallRecord[], firstPrincipal: Map<string, string>): IamRequest[] {
  const principals = new Map(firstPrincipal);
  for (const record of records) {
    if (record.assumed) principals.set(record.assumed.accessKeyId, record.input.RoleArn);
  }
  return records.map((record) => {
    const principal = principals.get(record.accessKeyId ?? '');
    if (!principal) throw new Error(`${record.command} was signed with an unknown key ${record.accessKeyId}`);
    const caller = ROLES.get(principal);
    if (!caller) throw new Error(`${record.command}: ${principal} is no role of the app`);
    const { arn, account } = resourceOf(record, caller.stack.account);
    const target = ROLES.get(arn);
    return {
      principal,
      action: `${record.service}:${record.command.replace(/Command$/, '')}`,
      resource: arn,
      resourceAccount: account,
      identityPolicies: caller.stack.identityPolicies(caller.id),
      permissionsBoundary: boundaries.get(caller.stack.account),
      // A role's trust policy decides AssumeRole; a repository or bucket policy decides calls on it.
      resourcePolicy: target
        ? target.stack.trustPolicy(target.id)
        : [registry, pipeline].map((s) => s.resourcePolicyFor(arn)).find(Boolean),
      context: { 'aws:RequestedRegion': REGION },
    };
  });
}

const RECORDER = path.join(PROJECT_ROOT, 'test/helpers/aws-call-recorder.js');
const FAKE_DOCKER_DIR = path.join(PROJECT_ROOT, 'test/helpers/fake-docker');

describe('the calls the tools make, as AWS would decide them', () => {
  let moto: Moto | undefined;
  let codepipeline: FakeCodePipeline | undefined;
  const logDir = mkdtempSync(path.join(tmpdir(), 'aws-calls-'));
  const runs: Record<string, { run: ToolRun; records: AwsCallRecord[]; requests: IamRequest[] }> = {};

  /** Runs one tool with the recorder, as `principal`, against moto and the CodePipeline stand-in. */
  async function record(name: string, script: string, args: string[], principal: string, env: NodeJS.ProcessEnv = {}) {
    const credentials = await motoCredentials(moto!.endpoint, principal);
    const log = path.join(logDir, `${name}.jsonl`);
    const run = await runTool(script, args, {
      NODE_OPTIONS: `--require ${RECORDER}`,
      AWS_CALL_LOG: log,
      AWS_ENDPOINT_URL: moto!.endpoint,
      AWS_ENDPOINT_URL_CODEPIPELINE: codepipeline!.endpoint,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_SESSION_TOKEN: credentials.sessionToken,
      // The user's AWS configuration must not decide anything here.
      AWS_PROFILE: '',
      AWS_CONFIG_FILE: path.join(logDir, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(logDir, 'no-credentials'),
      ...env,
    });
    if (!existsSync(log)) throw new Error(`${name} made no AWS call: exit ${run.code}: ${run.stderr.trim()}`);
    const records = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as AwsCallRecord);
    runs[name] = { run, records, requests: requestsOf(records, new Map([[credentials.accessKeyId, principal]])) };
  }

  beforeAll(async () => {
    moto = await startMoto();
    codepipeline = await startFakeCodePipeline();
    const as = async (account: string) => ({
      region: REGION,
      endpoint: moto!.endpoint,
      credentials: await motoCredentials(moto!.endpoint, `arn:aws:iam::${account}:role/admin`),
    });
    // What the registry, pipeline and GitHub stacks would have created.
    await new ECRClient(await as(config.registry.account)).send(
      new CreateRepositoryCommand({
        repositoryName: config.registry.repositoryName,
        imageScanningConfiguration: { scanOnPush: true },
      }),
    );
    const s3 = new S3Client({ ...(await as(config.toolingAccount)), forcePathStyle: true });
    const Bucket = sourceBucketName(config);
    await s3.send(new CreateBucketCommand({ Bucket, CreateBucketConfiguration: { LocationConstraint: REGION } }));
    await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    await new CloudFormationClient(await as(config.toolingAccount)).send(
      new CreateStackCommand({
        StackName: pipeline.stackName,
        TemplateBody: JSON.stringify({ Resources: { Handle: { Type: 'AWS::CloudFormation::WaitConditionHandle' } } }),
      }),
    );

    await record(
      'publish-image',
      'tools/pipeline-steps/publish-image.ts',
      ['--scan-timeout', '60'],
      pipeline.arnOf(publishProjectRole),
      {
        PATH: `${FAKE_DOCKER_DIR}${path.delimiter}${process.env.PATH}`,
        FAKE_DOCKER_ROLE_ARN: publisherRoleArn('aws', config.registry.account, config.projectName),
      },
    );
    const deployRole = github.arnOf(githubDeployRole);
    await record('deploy', 'tools/operator/deploy.ts', ['--timeout', '60'], deployRole);
    const execution = /started execution (\S+)/.exec(runs.deploy.run.stdout)?.[1] ?? 'none';
    await record(
      'pipeline-watch',
      'tools/operator/pipeline-watch.ts',
      ['--pipeline', config.projectName, '--execution', execution, '--timeout', '60'],
      deployRole,
    );
  }, 120_000);

  afterAll(async () => {
    await Promise.all([moto?.stop(), codepipeline?.stop()]);
    rmSync(logDir, { recursive: true, force: true });
  });

  test.each(['publish-image', 'deploy', 'pipeline-watch'])('%s succeeds against moto', (name) => {
    const { code, stderr } = runs[name].run;
    // Only the tool's own lines count: Node prints its warnings on stderr too.
    expect([name, code, stderr.split('\n').filter((l) => l.startsWith(`${name}:`))]).toEqual([name, 0, []]);
  });

  test('publish-image assumes the publisher role, finds the repository, builds, pushes and passes the scan gate', () => {
    const calls = runs['publish-image'].requests.map((r) => r.action);
    expect(calls[0]).toBe('sts:AssumeRole');
    expect(calls).toEqual(
      expect.arrayContaining([
        'ecr:DescribeRepositories',
        'ecr:DescribeImages',
        'ecr:GetAuthorizationToken',
        'ecr:InitiateLayerUpload',
        'ecr:PutImage',
        'ecr:DescribeImageScanFindings',
      ]),
    );
  });

  test.each(['publish-image', 'deploy', 'pipeline-watch'])('every call %s makes is allowed', async (name) => {
    const { requests } = runs[name];
    expect(requests.length).toBeGreaterThanOrEqual(2);
    const verdicts = await Promise.all(requests.map((r) => verdictOf(r)));
    expect(verdicts.filter((v) => !v.endsWith(': Allowed'))).toEqual([]);
  });

  test('the publisher role trusts only the pipeline roles of the tooling account', async () => {
    const assume = runs['publish-image'].requests[0];
    const other = { ...assume, principal: `arn:aws:iam::${config.toolingAccount}:role/someone-else` };
    expect(await decide(other)).not.toBe('Allowed');
  });
});
