import { Template } from 'aws-cdk-lib/assertions';
import { NetworkStage } from '../../../stages/network/network-stage';
import type { NetworkSettings } from '../../../stages/network/network-stack';
import { EXAMPLE_ZONE, newProjectApp } from '../../helpers/cdk';

export const REPOSITORY_ARN = 'arn:aws:ecr:us-east-2:222222222222:repository/hello-privatelink';
export const CERTIFICATE_ARN = 'arn:aws:acm:us-east-2:333333333333:certificate/11111111-2222-3333-4444-555555555555';

// GIVEN four variants of the network stage in one app, synthesized once for each test file that imports this
const app = newProjectApp();
function variant(id: string, settings: Partial<NetworkSettings>): Template {
  const stage = new NetworkStage(app, id, {
    env: { account: '333333333333', region: 'us-east-2' },
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
