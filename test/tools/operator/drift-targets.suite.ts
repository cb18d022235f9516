// Which stacks drift detection checks, and as whom: each account's CDK lookup role, which the drift role may assume.
import { defaultDelivery } from '../../helpers/default-delivery';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { parse } from 'yaml';
import { DRIFT_ENVIRONMENT, lookupRoleArn } from '../../../config/names';
import { buildDeliveryApp } from '../../../pipeline/build-app';
import { bootstrapTargets } from '../../../tools/operator/bootstrap';
import { driftTargets } from '../../../tools/operator/drift';
import { PROJECT_ROOT, configWith, newProjectApp } from '../../helpers/cdk';
import { IMAGE_TAG, PRODUCTION_ACCOUNT, REGION, STAGING_ACCOUNT } from '../../helpers/constants';
import { DeployedStack } from '../../helpers/deployed-policies';
import { decide } from '../../helpers/iam';

const BOOTSTRAP_TEMPLATE = parse(
  readFileSync(path.join(PROJECT_ROOT, 'node_modules/aws-cdk/lib/api/bootstrap/bootstrap-template.yaml'), 'utf8'),
);

/**
 * The lookup role's trust policy in `account` as CloudFormation would resolve the CDK CLI's own bootstrap template
 * with the parameters `cdk bootstrap --trust-for-lookup` and `--trust` set (Ref, Fn::If, Fn::Equals, Fn::Not,
 * Fn::Join, Fn::Sub of pseudo parameters: all it uses there).
 */
function lookupRoleTrust(account: string, trusted: string[]): any {
  const parameters: Record<string, unknown> = {
    'AWS::AccountId': account,
    'AWS::Partition': 'aws',
    TrustedAccountsForLookup: trusted,
    TrustedAccounts: trusted,
    DenyExternalId: 'true',
  };
  const NO_VALUE = Symbol('AWS::NoValue');
  const resolve = (value: any): any => {
    if (Array.isArray(value)) return value.map(resolve).filter((v) => v !== NO_VALUE);
    if (!value || typeof value !== 'object') return value;
    if ('Ref' in value) return value.Ref === 'AWS::NoValue' ? NO_VALUE : parameters[value.Ref];
    if ('Fn::If' in value) {
      const [condition, then, otherwise] = value['Fn::If'];
      return resolve(resolve(BOOTSTRAP_TEMPLATE.Conditions[condition]) ? then : otherwise);
    }
    if ('Fn::Equals' in value) {
      const [a, b] = resolve(value['Fn::Equals']);
      return JSON.stringify(a) === JSON.stringify(b);
    }
    if ('Fn::Not' in value) return !resolve(value['Fn::Not'][0]);
    if ('Fn::Join' in value) return resolve(value['Fn::Join'][1]).join(value['Fn::Join'][0]);
    if ('Fn::Sub' in value) return value['Fn::Sub'].replace(/\$\{([\w:]+)\}/g, (_: string, k: string) => parameters[k]);
    const entries = Object.entries(value).map(([k, v]) => [k, resolve(v)] as const);
    return Object.fromEntries(entries.filter(([, v]) => v !== NO_VALUE));
  };
  return resolve(BOOTSTRAP_TEMPLATE.Resources.LookupRole.Properties.AssumeRolePolicyDocument);
}

describe('which stacks drift detection checks, and as whom', () => {
  test("every stack the app deploys, in its own account, through that account's CDK lookup role", () => {
    // GIVEN an app with two environments in two accounts
    const config = configWith((json) =>
      json.environments.push({ name: 'staging', account: STAGING_ACCOUNT, requireApproval: false }),
    );
    const { app } = buildDeliveryApp(newProjectApp(), config, IMAGE_TAG);
    const deployed = app.node
      .findAll()
      .filter(Stack.isStack)
      .map((s) => [s.stackName, s.account]);
    // WHEN drift detection lists its targets THEN they are exactly the app's stacks
    const targets = driftTargets(config).map((t) => [t.stackName, t.account]);
    expect(targets.slice().sort()).toEqual(deployed.slice().sort());
    expect(targets).toHaveLength(7);
    expect(lookupRoleArn('aws', STAGING_ACCOUNT, REGION)).toBe(
      `arn:aws:iam::${STAGING_ACCOUNT}:role/cdk-hnb659fds-lookup-role-${STAGING_ACCOUNT}-${REGION}`,
    );
  });

  test('the lookup role the CDK CLI bootstraps is ReadOnlyAccess (with cloudformation:Detect*), and trusts the tooling account', () => {
    const role = BOOTSTRAP_TEMPLATE.Resources.LookupRole.Properties;
    expect(role.RoleName).toEqual({ 'Fn::Sub': 'cdk-${Qualifier}-lookup-role-${AWS::AccountId}-${AWS::Region}' });
    expect(BOOTSTRAP_TEMPLATE.Parameters.Qualifier.Default).toBe('hnb659fds');
    expect(role.ManagedPolicyArns).toEqual([{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/ReadOnlyAccess' }]);
    // Its only inline statement denies kms:Decrypt, which no drift detection of these stacks' resources needs.
    expect(role.Policies.flatMap((p: any) => p.PolicyDocument.Statement)).toEqual([
      { Sid: 'DontReadSecrets', Effect: 'Deny', Action: ['kms:Decrypt'], Resource: '*' },
    ]);
    // npm run bootstrap lets the tooling account look up in every other account.
    const config = configWith();
    for (const target of bootstrapTargets(config).filter((t) => t.account !== config.toolingAccount)) {
      expect(target.command.join(' ')).toContain(`--trust-for-lookup ${config.toolingAccount}`);
    }
  });

  test('the drift role may assume each lookup role and nothing else, trusted only to its own environment', async () => {
    // GIVEN the drift role as deployed, with the tooling account's boundary, and each lookup role's trust as the
    // CDK CLI's bootstrap template writes it with the parameters npm run bootstrap passes
    const { config, delivery } = defaultDelivery();
    const github = DeployedStack.of(delivery.github!);
    const [driftRole] = github.ofType('AWS::IAM::Role').filter((id) => id.startsWith('DriftRole'));
    const boundary = bootstrapTargets(config).find((t) => t.account === config.toolingAccount)!.boundary;
    const assume = (resource: string) => {
      const account = resource.split(':')[4];
      return decide({
        principal: github.arnOf(driftRole),
        action: 'sts:AssumeRole',
        resource,
        resourceAccount: account,
        identityPolicies: github.identityPolicies(driftRole),
        permissionsBoundary: boundary,
        resourcePolicy: lookupRoleTrust(account, account === config.toolingAccount ? [] : [config.toolingAccount]),
      });
    };
    // WHEN it assumes each account's lookup role, and then other bootstrap roles
    // THEN each lookup role lets it in, and nothing else does
    for (const target of driftTargets(config)) {
      expect([target.account, await assume(lookupRoleArn('aws', target.account, config.region))]).toEqual([
        target.account,
        'Allowed',
      ]);
    }
    for (const other of ['deploy', 'cfn-exec']) {
      const arn = `arn:aws:iam::${PRODUCTION_ACCOUNT}:role/cdk-hnb659fds-${other}-role-${PRODUCTION_ACCOUNT}-${REGION}`;
      expect([other, await assume(arn)]).toEqual([other, 'ImplicitlyDenied']);
    }
    expect(JSON.stringify(github.trustPolicy(driftRole))).toContain(
      `repo:my-org/hello-privatelink:environment:${DRIFT_ENVIRONMENT}`,
    );
  });
});
