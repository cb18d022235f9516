import { Template } from 'aws-cdk-lib/assertions';
import { createDeliveryStages } from '../../../pipeline/delivery-stages';
import { configWith, newProjectApp } from '../../helpers/cdk';
import { IMAGE_TAG, REGION, REGISTRY_ACCOUNT, STAGING_ACCOUNT } from '../../helpers/constants';

// GIVEN the default configuration (blue/green) with auto scaling up to 4 tasks, and a second environment that rolls,
// synthesized once for each test file that imports this
const config = configWith((json) => {
  json.service.maxCount = 4;
  json.environments.push({
    name: 'staging',
    account: STAGING_ACCOUNT,
    requireApproval: false,
    service: { deploymentStrategy: 'rolling' },
  });
});
const stages = createDeliveryStages(newProjectApp(), config, IMAGE_TAG);
export const service = stages.environments[0].service;
export const template = Template.fromStack(service.stack);
export const rolling = Template.fromStack(stages.environments[1].service.stack);
export const serviceOf = (t: Template) => Object.values(t.findResources('AWS::ECS::Service'))[0];
export const REPOSITORY_ARN = `arn:aws:ecr:${REGION}:${REGISTRY_ACCOUNT}:repository/hello-privatelink`;

/** A value the service stack reads from its network stack when CloudFormation deploys it. */
export const fromNetwork = (output: string, environment = 'production') => ({
  'Fn::GetStackOutput': { StackName: `hello-privatelink-${environment}-network`, OutputName: output },
});
