import { Match, Template } from 'aws-cdk-lib/assertions';
import { createDeliveryStages } from '../../../pipeline/delivery-stages';
import { pipelineStackName } from '../../../config/names';
import { CROSS_ACCOUNT_PULL_ACTIONS } from '../../../stages/registry/registry-stack';
import { configWith, newProjectApp } from '../../helpers/cdk';
import { IMAGE_TAG, PRODUCTION_ACCOUNT, REGION, REGISTRY_ACCOUNT, TOOLING_ACCOUNT } from '../../helpers/constants';

// GIVEN the default configuration, synthesized once for the whole file
const config = configWith();
const stages = createDeliveryStages(newProjectApp(), config, IMAGE_TAG);
const template = Template.fromStack(stages.registry.stack);
const repositoryPolicy = () =>
  Object.values(template.findResources('AWS::ECR::Repository'))[0].Properties.RepositoryPolicyText.Statement as Array<
    Record<string, any>
  >;

describe('registry stage (Account A)', () => {
  test('deploys into the registry account and region', () => {
    expect(stages.registry.stack.account).toBe(REGISTRY_ACCOUNT);
    expect(stages.registry.stack.region).toBe(REGION);
  });

  test('creates the repository with its configured name, scan on push and immutable tags, retained', () => {
    template.resourceCountIs('AWS::ECR::Repository', 1);
    template.hasResource('AWS::ECR::Repository', {
      Properties: {
        RepositoryName: 'hello-privatelink',
        ImageScanningConfiguration: { ScanOnPush: true },
        ImageTagMutability: 'IMMUTABLE',
      },
      DeletionPolicy: 'Retain',
    });
  });

  test('expires untagged images and keeps the last N', () => {
    const { LifecyclePolicy } = Object.values(template.findResources('AWS::ECR::Repository'))[0].Properties;
    const rules = JSON.parse(LifecyclePolicy.LifecyclePolicyText).rules;
    expect(rules).toEqual([
      expect.objectContaining({
        selection: expect.objectContaining({ tagStatus: 'untagged', countType: 'sinceImagePushed', countNumber: 1 }),
      }),
      expect.objectContaining({
        selection: expect.objectContaining({ tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 30 }),
      }),
    ]);
  });

  test('lets the workload account pull with exactly the four pull actions', () => {
    const statements = repositoryPolicy();
    expect(statements).toHaveLength(1);
    expect(statements[0].Effect).toBe('Allow');
    expect([...statements[0].Action].sort()).toEqual([...CROSS_ACCOUNT_PULL_ACTIONS].sort());
    expect(JSON.stringify(statements[0].Principal)).toContain(PRODUCTION_ACCOUNT);
  });

  test('grants no push action and no * principal in the repository policy', () => {
    const text = JSON.stringify(repositoryPolicy());
    for (const push of ['PutImage', 'InitiateLayerUpload', 'UploadLayerPart', 'CompleteLayerUpload', 'ecr:*']) {
      expect(text).not.toContain(push);
    }
    for (const statement of repositoryPolicy()) {
      expect(statement.Principal).not.toBe('*');
      expect(JSON.stringify(statement.Principal)).not.toContain('"*"');
    }
  });

  test('lets only the pipeline roles of the tooling account assume the publisher role', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'hello-privatelink-image-publisher',
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: 'sts:AssumeRole',
            Principal: { AWS: `arn:aws:iam::${TOOLING_ACCOUNT}:root` },
            Condition: {
              ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${TOOLING_ACCOUNT}:role/${pipelineStackName(config)}*` },
            },
          }),
        ],
      },
    });
  });

  test('lets the publisher push to this repository only', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    expect(policies).toHaveLength(1);
    const statements = policies[0].Properties.PolicyDocument.Statement as Array<Record<string, any>>;
    const push = statements.find((s) => [s.Action].flat().includes('ecr:PutImage'));
    expect(push?.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Repository/), 'Arn'] });
    const unscoped = statements.filter((s) => s.Resource === '*');
    expect(unscoped).toEqual([expect.objectContaining({ Action: 'ecr:GetAuthorizationToken' })]);
  });

  test('outputs the repository URI and ARN', () => {
    template.hasOutput('RepositoryUri', {});
    template.hasOutput('RepositoryArn', {});
  });
});
