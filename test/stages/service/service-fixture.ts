import { Template } from 'aws-cdk-lib/assertions';
import { createDeliveryStages } from '../../../pipeline/delivery-stages';
import { configWith, newProjectApp } from '../../helpers/cdk';

// GIVEN the default configuration (blue/green) with auto scaling up to 4 tasks, and a second environment that rolls,
// synthesized once for each test file that imports this
const config = configWith((json) => {
  json.service.maxCount = 4;
  json.environments.push({
    name: 'staging',
    account: '444444444444',
    requireApproval: false,
    service: { deploymentStrategy: 'rolling' },
  });
});
const stages = createDeliveryStages(newProjectApp(), config, 'sha-0123456789abcdef');
export const service = stages.environments[0].service;
export const template = Template.fromStack(service.stack);
export const rolling = Template.fromStack(stages.environments[1].service.stack);
export const serviceOf = (t: Template) => Object.values(t.findResources('AWS::ECS::Service'))[0];
export const REPOSITORY_ARN = 'arn:aws:ecr:us-east-2:222222222222:repository/hello-privatelink';

/** A value the service stack reads from its network stack when CloudFormation deploys it. */
export const fromNetwork = (output: string, environment = 'production') => ({
  'Fn::GetStackOutput': { StackName: `hello-privatelink-${environment}-network`, OutputName: output },
});
