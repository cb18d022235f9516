import { Template } from 'aws-cdk-lib/assertions';
import { createDeliveryStages } from '../../pipeline/delivery-stages';
import { configWith, newProjectApp } from '../helpers/cdk';
import { IMAGE_TAG, REGISTRY_ACCOUNT } from '../helpers/constants';

// GIVEN staging with 1 task of 0.5 vCPU behind an internal load balancer, then production on the shared settings,
// synthesized once for the file
const config = configWith((json) => {
  json.environments.unshift({
    name: 'staging',
    account: REGISTRY_ACCOUNT,
    requireApproval: false,
    service: { desiredCount: 1, cpu: 512, memoryMiB: 1024 },
    network: { albScheme: 'internal' },
  });
});
const stages = createDeliveryStages(newProjectApp(), config, IMAGE_TAG);
const [staging, production] = stages.environments.map((e) => ({
  network: Template.fromStack(e.network.stack),
  service: Template.fromStack(e.service.stack),
}));

describe('per-environment settings in the deployed stacks', () => {
  test('run each environment with its own task count and size', () => {
    staging.service.hasResourceProperties('AWS::ECS::Service', { DesiredCount: 1 });
    staging.service.hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: '512', Memory: '1024' });
    production.service.hasResourceProperties('AWS::ECS::Service', { DesiredCount: 2 });
    production.service.hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: '256', Memory: '512' });
  });

  test('give each environment its own load balancer scheme', () => {
    staging.network.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internal' });
    staging.network.resourceCountIs('AWS::EC2::InternetGateway', 0);
    production.network.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
    });
    production.network.resourceCountIs('AWS::EC2::InternetGateway', 1);
  });
});
