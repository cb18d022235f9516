import { defaultDelivery } from '../helpers/default-delivery';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildDeliveryApp } from '../../pipeline/build-app';
import { SOURCE_OBJECT_KEY } from '../../config/names';
import { repositoryPath } from '../../pipeline/pipeline-stack';
import { CODEBUILD_NODE_VERSION } from '../../pipeline/steps';
import { configWith, newProjectApp } from '../helpers/cdk';
import { actionsIn, projectFor, stagesOf } from './pipeline-template';
import {
  EXAMPLE_UUID,
  IMAGE_TAG,
  PRODUCTION_ACCOUNT,
  PROJECT_NAME,
  REGION,
  REGISTRY_ACCOUNT,
  TOOLING_ACCOUNT,
} from '../helpers/constants';

// GIVEN the default app (S3 source, one approved environment), and a variant with a CodeConnections
// source, x86 tasks and two environments, staging without approval then production with it
const defaultApp = defaultDelivery().delivery;
const template = Template.fromStack(defaultApp.pipeline);
const twoEnvironments = Template.fromStack(
  buildDeliveryApp(
    newProjectApp(),
    configWith((json) => {
      json.pipeline.source = {
        type: 'codeconnections',
        connectionArn: `arn:aws:codeconnections:${REGION}:${TOOLING_ACCOUNT}:connection/${EXAMPLE_UUID}`,
        repository: 'acme/hello-privatelink',
        branch: 'main',
      };
      json.pipeline.approvalTopicArn = `arn:aws:sns:${REGION}:${TOOLING_ACCOUNT}:deploy-approvals`;
      json.service.cpuArchitecture = 'X86_64';
      json.environments = [
        { name: 'staging', account: REGISTRY_ACCOUNT, requireApproval: false },
        {
          name: 'production',
          account: PRODUCTION_ACCOUNT,
          requireApproval: true,
          reviewUrl: 'https://example.com/changes',
        },
      ];
    }),
    IMAGE_TAG,
  ).pipeline,
);

describe('the pipeline stack (tooling account)', () => {
  test('deploys into the tooling account as a V2 pipeline', () => {
    expect(defaultApp.pipeline.account).toBe(TOOLING_ACCOUNT);
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', { PipelineType: 'V2', Name: PROJECT_NAME });
  });

  test('orders Source, Synth, SelfMutate, Registry with PublishImage beside Network, then approval, service, smoke test: no asset stage', () => {
    expect(stagesOf(template).map((s) => s.Name)).toEqual([
      'Source',
      'Build',
      'UpdatePipeline',
      'Foundation',
      'ProductionService',
    ]);
    expect(actionsIn(template, 'Foundation').map((a) => [a.Name, a.RunOrder])).toEqual([
      ['Registry.hello-privatelink-registry.Deploy', 1],
      ['ProductionNetwork.hello-privatelink-production-network.Deploy', 1],
      ['Registry.PublishImage', 2],
    ]);
    expect(actionsIn(template, 'ProductionService').map((a) => [a.ActionTypeId.Category, a.RunOrder])).toEqual([
      ['Approval', 1],
      ['Deploy', 2],
      ['Build', 3],
    ]);
  });

  test('mutates itself with the pinned CDK CLI', () => {
    const [selfMutate] = actionsIn(template, 'UpdatePipeline');
    expect(selfMutate.Name).toBe('SelfMutate');
    const buildSpec = JSON.parse(projectFor(template, selfMutate).Source.BuildSpec);
    expect(buildSpec.phases.install.commands).toContain('npm install -g aws-cdk@2.1148.1');
    expect(buildSpec.phases.build.commands.join(' ')).toContain('cdk -a . deploy Pipeline --require-approval=never');
  });

  test('synthesizes with the project synth, which selects every stack', () => {
    const [synth] = actionsIn(template, 'Build');
    const buildSpec = JSON.parse(projectFor(template, synth).Source.BuildSpec);
    expect(buildSpec.phases.build.commands).toEqual(['npm ci --no-audit --no-fund', 'npm run synth']);
    expect(buildSpec.phases.install['runtime-versions']).toEqual({ nodejs: CODEBUILD_NODE_VERSION });
    expect(buildSpec.cache.paths).toEqual(['/root/.npm/**/*']);
    // npm's cache in S3, which survives a change of build host, unlike a local cache.
    expect(projectFor(template, synth).Cache).toEqual({
      Type: 'S3',
      Location: { 'Fn::Join': ['/', [{ Ref: expect.stringMatching(/^BuildCache/) }, 'synth']] },
    });
  });

  test('asks for a Docker layer cache only where CodeBuild allows one: privileged LINUX_CONTAINER', () => {
    // CodeBuild user guide, "Build caching": Docker layer cache is for the Linux environment only, in privileged mode.
    const x86 = twoEnvironments;
    const layerCaching = (t: Template) =>
      Object.values(t.findResources('AWS::CodeBuild::Project'))
        .map((r) => r.Properties)
        .filter((p) => p.Cache?.Modes?.includes('LOCAL_DOCKER_LAYER_CACHE'));
    for (const project of [...layerCaching(template), ...layerCaching(x86)]) {
      expect(project.Environment).toMatchObject({ Type: 'LINUX_CONTAINER', PrivilegedMode: true });
    }
    // The ARM default has none; on x86, PublishImage keeps its layers.
    expect(layerCaching(template)).toHaveLength(0);
    expect(layerCaching(x86).map((p) => JSON.parse(p.Source.BuildSpec).phases.build.commands.join(' '))).toEqual([
      expect.stringContaining('steps/publish-image.js'),
    ]);
  });

  test("deploys the registry with Account A's bootstrap roles and the stages of B with B's", () => {
    const deploys = stagesOf(template)
      .flatMap((s) => s.Actions)
      .filter((a) => a.ActionTypeId.Provider === 'CloudFormation');
    const roleOf = (stackName: string) =>
      JSON.stringify(deploys.find((a) => a.Configuration.StackName === stackName)!.RoleArn);
    expect(roleOf('hello-privatelink-registry')).toContain(
      `:iam::${REGISTRY_ACCOUNT}:role/cdk-hnb659fds-deploy-role-${REGISTRY_ACCOUNT}`,
    );
    expect(roleOf('hello-privatelink-production-network')).toContain(
      `:iam::${PRODUCTION_ACCOUNT}:role/cdk-hnb659fds-deploy-role-${PRODUCTION_ACCOUNT}`,
    );
    expect(roleOf('hello-privatelink-production-service')).toContain(
      `:iam::${PRODUCTION_ACCOUNT}:role/cdk-hnb659fds-deploy-role-${PRODUCTION_ACCOUNT}`,
    );
    for (const deploy of deploys) {
      expect(JSON.stringify(deploy.Configuration.RoleArn)).toMatch(
        new RegExp(`cdk-hnb659fds-cfn-exec-role-(${REGISTRY_ACCOUNT}|${PRODUCTION_ACCOUNT})`),
      );
    }
  });

  test('publishes the image from a privileged build that may only assume the registry publisher role', () => {
    const publish = actionsIn(template, 'Foundation').find((a) => a.Name === 'Registry.PublishImage')!;
    const project = projectFor(template, publish);
    expect(project.Environment).toMatchObject({
      PrivilegedMode: true,
      Type: 'ARM_CONTAINER',
      ComputeType: 'BUILD_GENERAL1_SMALL',
    });
    const commands = JSON.parse(project.Source.BuildSpec).phases.build.commands;
    expect(commands).toEqual([
      `node assembly/steps/publish-image.js --config config/deploy.json --role-arn arn:aws:iam::${REGISTRY_ACCOUNT}:role/hello-privatelink-image-publisher`,
    ]);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Resource: `arn:aws:iam::${REGISTRY_ACCOUNT}:role/hello-privatelink-image-publisher`,
          },
        ]),
      },
    });
  });

  test('gates the service stage with a manual approval', () => {
    const [approval] = actionsIn(template, 'ProductionService');
    expect(approval).toMatchObject({
      Name: 'Approve-production',
      ActionTypeId: { Category: 'Approval', Provider: 'Manual' },
      Configuration: { CustomData: `Deploy image ${IMAGE_TAG} to production (account ${PRODUCTION_ACCOUNT})?` },
    });
  });

  test('smoke-tests the live service with ExternalUrl from the network stage and the expected tag', () => {
    const smoke = actionsIn(template, 'ProductionService')[2];
    const variables = JSON.parse(smoke.Configuration.EnvironmentVariables);
    expect(variables).toEqual(
      expect.arrayContaining([
        {
          name: 'EXTERNAL_URL',
          type: 'PLAINTEXT',
          value: expect.stringMatching(/^#\{ProductionNetwork\w+\.ExternalUrl\}$/),
        },
      ]),
    );
    const project = projectFor(template, smoke);
    expect(project.Environment.EnvironmentVariables).toEqual(
      expect.arrayContaining([{ Name: 'EXPECTED_VERSION', Type: 'PLAINTEXT', Value: IMAGE_TAG }]),
    );
    const commands = JSON.parse(project.Source.BuildSpec).phases.build.commands;
    expect(commands).toEqual([
      'node steps/smoke-test.js "$EXTERNAL_URL" --expect-version "$EXPECTED_VERSION" --timeout 300',
    ]);
    const networkDeploy = actionsIn(template, 'Foundation')[1];
    expect(networkDeploy.Configuration.StackName).toBe('hello-privatelink-production-network');
  });

  test('encrypts artifacts with a rotating KMS key usable across accounts', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('keeps the source in a versioned, encrypted, TLS-only, private bucket, started only by the deploy workflow', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: Match.objectLike({ BlockPublicAcls: true, RestrictPublicBuckets: true }),
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'source/' }),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: Match.stringLikeRegexp('^SourceBucket') },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    const [source] = actionsIn(template, 'Source');
    expect(source).toMatchObject({ Name: 'Source', ActionTypeId: { Provider: 'S3' } });
    expect(source.Configuration).toMatchObject({ S3ObjectKey: SOURCE_OBJECT_KEY, PollForSourceChanges: false });
    template.hasOutput('SourceBucketName', {});
  });

  test('creates one CodeBuild project per job, and none for assets: the stacks have no file asset', () => {
    template.resourceCountIs('AWS::CodeBuild::Project', 4);
  });

  test("runs at most 4 CodeBuild actions in sequence up to the first environment's smoke test", () => {
    // Actions of one stage with the same RunOrder run side by side; stages run one after the other.
    let sequential = 0;
    for (const stage of stagesOf(template)) {
      const smoke = stage.Actions.find((a) => a.Name.startsWith('SmokeTest-production'));
      const orders = new Set(
        stage.Actions.filter((a) => a.ActionTypeId.Provider === 'CodeBuild')
          .filter((a) => !smoke || a.RunOrder <= smoke.RunOrder)
          .map((a) => a.RunOrder),
      );
      sequential += orders.size;
      if (smoke) break;
    }
    expect(sequential).toBe(4);
  });

  test('with a CodeConnections source, starts on pushes to the branch', () => {
    const [source] = actionsIn(twoEnvironments, 'Source');
    expect(source).toMatchObject({ ActionTypeId: { Provider: 'CodeStarSourceConnection' } });
    expect(source.Configuration).toMatchObject({ FullRepositoryId: 'acme/hello-privatelink', BranchName: 'main' });
    // The artifact, build cache and access log buckets: no source bucket.
    twoEnvironments.resourceCountIs('AWS::S3::Bucket', 3);
    expect(JSON.stringify(twoEnvironments.findResources('AWS::S3::Bucket'))).not.toContain('-source-');
  });

  test('deploys environments in order: staging unapproved, then production behind an approval with SNS and a review link', () => {
    expect(stagesOf(twoEnvironments).map((s) => s.Name)).toEqual([
      'Source',
      'Build',
      'UpdatePipeline',
      'Foundation',
      'StagingService',
      'ProductionNetwork',
      'ProductionService',
    ]);
    expect(actionsIn(twoEnvironments, 'Foundation').map((a) => a.Name)).toContain(
      'StagingNetwork.hello-privatelink-staging-network.Deploy',
    );
    expect(actionsIn(twoEnvironments, 'StagingService').map((a) => a.ActionTypeId.Category)).toEqual([
      'Deploy',
      'Build',
    ]);
    const [approval] = actionsIn(twoEnvironments, 'ProductionService');
    expect(approval.Configuration).toMatchObject({
      NotificationArn: `arn:aws:sns:${REGION}:${TOOLING_ACCOUNT}:deploy-approvals`,
      ExternalEntityLink: 'https://example.com/changes',
    });
  });

  test('refuses a config file outside the repository, which the Synth step would not have', () => {
    expect(repositoryPath('config/staging.json')).toBe('config/staging.json');
    expect(() => repositoryPath('/etc/deploy.json')).toThrow(
      '/etc/deploy.json: the config file is outside the repository; expected a file the pipeline',
    );
    expect(() => repositoryPath('../other/deploy.json')).toThrow('outside the repository');
  });

  test('installs nothing in the steps after Synth: they run the bundles Synth made', () => {
    const steps = stagesOf(template)
      .filter((stage) => !['Source', 'Build', 'UpdatePipeline'].includes(stage.Name))
      .flatMap((stage) => stage.Actions)
      .filter((a) => a.ActionTypeId.Provider === 'CodeBuild');
    expect(steps.map((a) => a.Name)).toEqual(['Registry.PublishImage', 'SmokeTest-production']);
    for (const step of steps) {
      const phases = JSON.parse(projectFor(template, step).Source.BuildSpec).phases;
      const commands = [...(phases.install?.commands ?? []), ...phases.build.commands].join('\n');
      expect(commands).not.toMatch(/npm (ci|install)|npx |tsx/);
      expect(commands).toMatch(/node (assembly\/)?steps\/[a-z-]+\.js/);
    }
  });
});
