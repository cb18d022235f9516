import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { buildDeliveryApp } from '../../pipeline/build-app';
import { cfnLint, templatesIn } from '../helpers/cfn-lint';
import { configWith, newProjectApp } from '../helpers/cdk';

// GIVEN the default app and a variant with every flag on, each synthesized once
const defaultAssembly = buildDeliveryApp(newProjectApp(), configWith(), 'sha-0123456789abcdef').app.synth();
const everyFlagAssembly = buildDeliveryApp(
  newProjectApp(),
  configWith((json) => {
    json.network.albScheme = 'internal';
    json.network.diagnosticsHost = true;
    json.network.domainName = 'www.example.com';
    json.service.maxCount = 6;
    json.service.cpuArchitecture = 'X86_64';
    // A second environment in the registry account itself: A = B.
    json.environments[0].network = {
      certificateArn: 'arn:aws:acm:us-east-2:333333333333:certificate/11111111-2222-3333-4444-555555555555',
    };
    json.environments.push({
      name: 'staging',
      account: json.registry.account,
      requireApproval: false,
      network: { domainName: 'staging.example.com', hostedZone: { id: 'Z0123456789ABCDEFGHIJ', name: 'example.com' } },
    });
  }),
  'sha-0123456789abcdef',
).app.synth();

describe('cfn-lint', () => {
  const templates = [...templatesIn(defaultAssembly.directory), ...templatesIn(everyFlagAssembly.directory)];

  test('finds every template of both apps', () => {
    // The pipeline and the GitHub OIDC stack, plus registry, network and service per environment.
    expect(templates).toHaveLength(5 + 7);
  });

  test('reports 0 errors and 0 warnings on every synthesized template', () => {
    const { status, output } = cfnLint(templates);
    expect(output).toBe('');
    expect(status).toBe(0);
  });

  test('is live: it reports a template with a broken property', () => {
    const broken = path.join(defaultAssembly.directory, 'broken.json');
    writeFileSync(
      broken,
      JSON.stringify({ Resources: { Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlok: '10.0.0.0/16' } } } }),
    );
    expect(cfnLint([broken]).status).not.toBe(0);
  });
});
