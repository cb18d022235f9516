import { Template } from 'aws-cdk-lib/assertions';
import { NetworkStage } from '../../../stages/network/network-stage';
import type { NetworkSettings } from '../../../stages/network/network-stack';
import { EXAMPLE_ZONE, newProjectApp } from '../../helpers/cdk';
import { EXAMPLE_UUID, PRODUCTION_ACCOUNT, REGION, REGISTRY_ACCOUNT } from '../../helpers/constants';

export const REPOSITORY_ARN = `arn:aws:ecr:${REGION}:${REGISTRY_ACCOUNT}:repository/hello-privatelink`;
export const CERTIFICATE_ARN = `arn:aws:acm:${REGION}:${PRODUCTION_ACCOUNT}:certificate/${EXAMPLE_UUID}`;

// GIVEN four variants of the network stage in one app, synthesized once for each test file that imports this
const app = newProjectApp();
function variant(id: string, settings: Partial<NetworkSettings>): Template {
  const stage = new NetworkStage(app, id, {
    env: { account: PRODUCTION_ACCOUNT, region: REGION },
    stackName: `test-${id.toLowerCase()}-network`,
    network: {
      vpcCidr: '10.0.0.0/16',
      internetFacing: true,
      diagnosticsHost: false,
      logRetentionDays: 30,
      deletionProtection: true,
      repositoryArn: REPOSITORY_ARN,
      ...settings,
    },
  });
  return Template.fromStack(stage.stack);
}
export const publicNetwork = variant('Public', {});
export const internalNetwork = variant('Internal', { internetFacing: false });
export const httpsWithDiagnostics = variant('Https', {
  domainName: 'www.example.com',
  certificateArn: CERTIFICATE_ARN,
  diagnosticsHost: true,
});
export const zoned = variant('Zoned', {
  internetFacing: false,
  domainName: 'app.internal.example.com',
  hostedZone: EXAMPLE_ZONE,
});
