// The configuration matrix: each variant is synthesized once (matrix.test.ts), cdk-nag and cfn-lint clean, with each
// environment's post-deploy check traced to its target. Together they set every field of the README's configuration table.
import { EXAMPLE_ZONE } from '../helpers/cdk';
import { EXAMPLE_UUID, PRODUCTION_ACCOUNT, REGION, STAGING_ACCOUNT } from '../helpers/constants';

const certificate = (account: string) => `arn:aws:acm:${REGION}:${account}:certificate/${EXAMPLE_UUID}`;

export interface Variant {
  readonly title: string;
  readonly change: (json: Record<string, any>) => void;
}

export const VARIANTS = {
  'internet-http': {
    title: 'internet-facing over HTTP on the load balancer name, one environment, ARM64 (the default)',
    change: () => {},
  },
  'internet-https-zone': {
    title:
      'internet-facing HTTPS on a domain in a hosted zone with a requested certificate, X86_64, diagnostics host, 10-minute bake, log groups under customer keys',
    change: (json) => {
      json.logEncryption = 'customer-key';
      json.service.deploymentStrategy = 'blue-green';
      json.service.bakeTimeMinutes = 10;
      json.network.domainName = 'www.example.com';
      json.network.hostedZone = EXAMPLE_ZONE;
      json.network.diagnosticsHost = true;
      json.service.cpuArchitecture = 'X86_64';
    },
  },
  'internet-https-certificate': {
    title: 'internet-facing HTTPS on a domain with no zone and a given certificate, a 10% canary for 3 minutes',
    change: (json) => {
      json.service.deploymentStrategy = 'canary';
      json.service.canary = { percent: 10, bakeMinutes: 3 };
      json.network.domainName = 'www.example.com';
      json.network.certificateArn = certificate(PRODUCTION_ACCOUNT);
      json.network.deletionProtection = true;
    },
  },
  'internal-https-zone': {
    title: 'internal HTTPS on a domain in a hosted zone, in the registry account itself (A = B), linear in 20% steps',
    change: (json) => {
      json.service.deploymentStrategy = 'linear';
      json.service.linear = { stepPercent: 20, intervalMinutes: 4 };
      json.environments[0].account = json.registry.account;
      json.network.albScheme = 'internal';
      json.network.vpcCidr = '10.20.0.0/20';
      json.network.domainName = 'app.example.com';
      json.network.hostedZone = EXAMPLE_ZONE;
    },
  },
  'several-environments': {
    title:
      'staging internal over HTTP with 1 small task rolling and no deletion protection, then production internet-facing HTTPS with its own certificate and an alarm topic',
    change: (json) => {
      json.environments[0].alarmTopicArn = `arn:aws:sns:${REGION}:${PRODUCTION_ACCOUNT}:production-alarms`;
      json.service.maxCount = 4;
      json.service.logRetentionDays = 14;
      json.network.logRetentionDays = 14;
      json.environments[0].network = { domainName: 'www.example.com', certificateArn: certificate(PRODUCTION_ACCOUNT) };
      json.environments.unshift({
        name: 'staging',
        account: STAGING_ACCOUNT,
        requireApproval: false,
        reviewUrl: 'https://example.com/changes',
        service: { cpu: 512, memoryMiB: 1024, desiredCount: 1, maxCount: 1, deploymentStrategy: 'rolling' },
        network: { albScheme: 'internal', deletionProtection: false },
      });
    },
  },
} satisfies Record<string, Variant>;

export type VariantName = keyof typeof VARIANTS;
