import { defaultDelivery } from '../helpers/default-delivery';
import type { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { buildDeliveryApp } from '../../pipeline/build-app';
import { DRIFT_ENVIRONMENT, GITHUB_OIDC_HOST } from '../../config/names';
import { GitHubOidcStack, githubTrustConditions } from '../../pipeline/github-oidc-stack';
import { configWith, newProjectApp } from '../helpers/cdk';
import { IMAGE_TAG, PRODUCTION_ACCOUNT, REGION, REGISTRY_ACCOUNT, TOOLING_ACCOUNT } from '../helpers/constants';

// GIVEN the default config, whose repository is my-org/hello-privatelink with a diff role
const { github } = defaultDelivery().delivery;
const template = Template.fromStack(github!);
const roleTrust = (id: string) =>
  Object.entries(template.findResources('AWS::IAM::Role')).find(([logicalId]) => logicalId.startsWith(id))![1]
    .Properties.AssumeRolePolicyDocument.Statement;

function standaloneOidcStack(roles: { diffRole?: boolean; driftRole?: boolean } = {}): GitHubOidcStack {
  return new GitHubOidcStack(newProjectApp(), 'Oidc', {
    env: { account: TOOLING_ACCOUNT, region: REGION },
    repository: 'acme/app',
    diffRole: false,
    pipelineName: 'p',
    pipelineStackName: 'p-pipeline',
    sourceBucketName: `p-source-${TOOLING_ACCOUNT}`,
    sourceObjectKey: 'source/source.zip',
    diffAccounts: [],
    ...roles,
  });
}

describe('the GitHub OIDC stack (tooling account)', () => {
  test('creates the GitHub OIDC provider for audience sts.amazonaws.com', () => {
    template.hasResourceProperties('AWS::IAM::OIDCProvider', {
      Url: `https://${GITHUB_OIDC_HOST}`,
      ClientIdList: ['sts.amazonaws.com'],
    });
  });

  test('trusts the deploy role only to the production environment of the repository', () => {
    expect(roleTrust('DeployRole')).toEqual([
      {
        Action: 'sts:AssumeRoleWithWebIdentity',
        Effect: 'Allow',
        Principal: { Federated: { Ref: expect.stringMatching(/^Provider/) } },
        Condition: {
          StringEquals: {
            'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
            'token.actions.githubusercontent.com:sub': 'repo:my-org/hello-privatelink:environment:production',
          },
        },
      },
    ]);
  });

  test('trusts the diff role only to the reviewed diff environment, never to any pull request', () => {
    expect(roleTrust('DiffRole')[0].Condition).toEqual({
      StringEquals: {
        'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
        'token.actions.githubusercontent.com:sub': 'repo:my-org/hello-privatelink:environment:pull-request-diff',
      },
    });
  });

  test('lets the deploy role upload the commit, find a kept one, drive the pipeline, and assume the bootstrap roles, nothing more', () => {
    const [policy] = Object.values(
      template.findResources('AWS::IAM::Policy', {
        Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^DeployRole') }] },
      }),
    );
    const statements = policy.Properties.PolicyDocument.Statement as Array<Record<string, any>>;
    expect(statements.map((st) => st.Sid).sort()).toEqual([
      'FindAKeptCommit',
      'FindThePipelineStack',
      'FirstDeployOfThePipelineThroughCdkBootstrapRoles',
      'ReadWhichCommitAVersionIs',
      'StartAndFollowThePipeline',
      'UploadTheCommit',
    ]);
    const statement = (sid: string) => statements.find((st) => st.Sid === sid)!;
    expect(statement('UploadTheCommit')).toMatchObject({
      Action: 's3:PutObject',
      Resource: `arn:aws:s3:::hello-privatelink-source-${TOOLING_ACCOUNT}/source/source.zip`,
    });
    // A rollback lists the versions of the source object only, and reads only that object's versions.
    expect(statement('FindAKeptCommit')).toMatchObject({
      Action: 's3:ListBucketVersions',
      Resource: `arn:aws:s3:::hello-privatelink-source-${TOOLING_ACCOUNT}`,
      Condition: { StringEquals: { 's3:prefix': 'source/source.zip' } },
    });
    expect(statement('ReadWhichCommitAVersionIs')).toMatchObject({
      Action: 's3:GetObjectVersion',
      Resource: `arn:aws:s3:::hello-privatelink-source-${TOOLING_ACCOUNT}/source/source.zip`,
    });
    expect(statement('StartAndFollowThePipeline').Resource).toBe(
      `arn:aws:codepipeline:${REGION}:${TOOLING_ACCOUNT}:hello-privatelink`,
    );
    expect(statement('FindThePipelineStack')).toMatchObject({
      Action: 'cloudformation:DescribeStacks',
      Resource: `arn:aws:cloudformation:${REGION}:${TOOLING_ACCOUNT}:stack/hello-privatelink-pipeline/*`,
    });
    expect(statement('FirstDeployOfThePipelineThroughCdkBootstrapRoles')).toMatchObject({
      Action: 'sts:AssumeRole',
      Resource: ['deploy', 'file-publishing', 'lookup'].map(
        (k) => `arn:aws:iam::${TOOLING_ACCOUNT}:role/cdk-hnb659fds-${k}-role-${TOOLING_ACCOUNT}-${REGION}`,
      ),
    });
  });

  test('lets the diff role assume only the lookup roles of the configured accounts', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^DiffRole') }],
      PolicyDocument: {
        Statement: [
          {
            Sid: 'ReadDeployedTemplatesThroughCdkLookupRoles',
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Resource: [TOOLING_ACCOUNT, REGISTRY_ACCOUNT, PRODUCTION_ACCOUNT].map(
              (a) => `arn:aws:iam::${a}:role/cdk-hnb659fds-lookup-role-${a}-${REGION}`,
            ),
          },
        ],
      },
    });
  });

  test('trusts the drift role only to the drift environment, and lets it assume only the lookup roles', () => {
    expect(roleTrust('DriftRole')[0].Condition).toEqual({
      StringEquals: {
        'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
        'token.actions.githubusercontent.com:sub': `repo:my-org/hello-privatelink:environment:${DRIFT_ENVIRONMENT}`,
      },
    });
    expect(DRIFT_ENVIRONMENT).toBe('drift-detection');
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^DriftRole') }],
      PolicyDocument: {
        Statement: [
          {
            Sid: 'DetectDriftThroughCdkLookupRoles',
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Resource: [TOOLING_ACCOUNT, REGISTRY_ACCOUNT, PRODUCTION_ACCOUNT].map(
              (a) => `arn:aws:iam::${a}:role/cdk-hnb659fds-lookup-role-${a}-${REGION}`,
            ),
          },
        ],
      },
    });
    template.hasOutput('DriftRoleArn', { Description: 'GitHub variable DRIFT_ROLE_ARN' });
  });

  test.each([
    [{}, false],
    [{ diffRole: true }, true],
    [{ driftRole: true }, true],
    [{ diffRole: true, driftRole: false }, false],
  ])('with %j makes a drift role: %s (it follows the diff role unless set)', (roles, made) => {
    const stack = standaloneOidcStack(roles);
    expect(stack.driftRole !== undefined).toBe(made);
    expect(Object.keys(Template.fromStack(stack).findOutputs('DriftRoleArn'))).toHaveLength(made ? 1 : 0);
  });

  test('reuses an existing provider by ARN instead of creating one', () => {
    const reused = buildDeliveryApp(
      newProjectApp(),
      configWith(
        (json) => (json.github.oidcProviderArn = `arn:aws:iam::${TOOLING_ACCOUNT}:oidc-provider/${GITHUB_OIDC_HOST}`),
      ),
      IMAGE_TAG,
    ).github!;
    const t = Template.fromStack(reused);
    t.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    expect(JSON.stringify(t.toJSON())).toContain(`oidc-provider/${GITHUB_OIDC_HOST}`);
  });

  test.each([
    [
      'trusts every repository of the owner (repo:ORG/*)',
      {
        StringLike: { [`${GITHUB_OIDC_HOST}:sub`]: 'repo:acme/*' },
        StringEquals: { [`${GITHUB_OIDC_HOST}:aud`]: 'sts.amazonaws.com' },
      },
      /must pin sub to one exact value/,
    ],
    [
      'lacks the audience condition',
      { StringEquals: { [`${GITHUB_OIDC_HOST}:sub`]: 'repo:acme/app:environment:production' } },
      /does not pin aud to sts\.amazonaws\.com/,
    ],
  ])('fails synth for a role that %s', (_case, conditions, problem) => {
    // GIVEN a sound OIDC stack WHEN a careless role joins it THEN synth stops and names the problem
    const stack = standaloneOidcStack();
    new iam.Role(stack, 'CarelessRole', {
      assumedBy: new iam.WebIdentityPrincipal(
        `arn:aws:iam::${TOOLING_ACCOUNT}:oidc-provider/${GITHUB_OIDC_HOST}`,
        conditions,
      ),
    });
    expect(() => (stack.node.root as App).synth()).toThrow(problem);
  });

  test('passes synth for the exact conditions it builds', () => {
    const stack = standaloneOidcStack();
    expect(githubTrustConditions('repo:acme/app:pull_request').StringEquals[`${GITHUB_OIDC_HOST}:sub`]).toBe(
      'repo:acme/app:pull_request',
    );
    expect(() => (stack.node.root as App).synth()).not.toThrow();
  });
});
