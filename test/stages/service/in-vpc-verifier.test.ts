// The in-VPC verifier of an internal service: where the template puts it and who may call it, and its inline code
// run as Lambda runs it, against the real nginx serving the image's config, as the pipeline's check.
import * as path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { createDeliveryStages } from '../../../pipeline/delivery-stages';
import { KEEP_WARM_EVENT, KEEP_WARM_INTERVAL_HOURS, verifierCode } from '../../../stages/service/in-vpc-verifier';
import type { VerifyResponse } from '../../../runtime/lambda/verifier-handler';
import { freePort, startLocalNginx, type LocalNginx } from '../../../tools/local/local-nginx';
import { EXAMPLE_ZONE, PROJECT_ROOT, configWith, newProjectApp } from '../../helpers/cdk';
import { IMAGE_TAG, TOOLING_ACCOUNT } from '../../helpers/constants';
import { lambdaContext, loadInlineHandler } from '../../helpers/inline-lambda';

// GIVEN an internal environment on its own domain, synthesized once for the file
const config = configWith((json) => {
  json.network.albScheme = 'internal';
  json.network.domainName = 'app.example.com';
  json.network.hostedZone = EXAMPLE_ZONE;
});
const [{ service }] = createDeliveryStages(newProjectApp(), config, IMAGE_TAG).environments;
const template = Template.fromStack(service.stack);
const [functionId] = Object.keys(template.findResources('AWS::Lambda::Function'));
const functionProperties = template.findResources('AWS::Lambda::Function')[functionId].Properties;
/** A value the service stack reads from the network stack's outputs. */
const fromNetwork = (output: string) => ({
  'Fn::GetStackOutput': { StackName: `${config.projectName}-production-network`, OutputName: output },
});

describe('the in-VPC verifier (template)', () => {
  test('runs in the isolated subnets with a group that reaches only the HTTPS and test listeners', () => {
    expect(functionProperties.VpcConfig.SubnetIds).toEqual([
      fromNetwork('PrivateSubnet1Id'),
      fromNetwork('PrivateSubnet2Id'),
    ]);
    const [group] = Object.keys(
      template.findResources('AWS::EC2::SecurityGroup', {
        Properties: { GroupDescription: Match.stringLikeRegexp('verifier') },
      }),
    );
    expect(functionProperties.VpcConfig.SecurityGroupIds).toEqual([{ 'Fn::GetAtt': [group, 'GroupId'] }]);
    const egress = Object.values(template.findResources('AWS::EC2::SecurityGroupEgress'))
      .map((r) => r.Properties)
      .filter((p) => p.GroupId['Fn::GetAtt']?.[0] === group);
    expect(egress).toEqual(
      [443, 9080].map((port) => ({
        GroupId: { 'Fn::GetAtt': [group, 'GroupId'] },
        IpProtocol: 'tcp',
        FromPort: port,
        ToPort: port,
        DestinationSecurityGroupId: fromNetwork('LoadBalancerSecurityGroupId'),
        Description: `Listener ${port}`,
      })),
    );
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('verifier'),
      SecurityGroupIngress: Match.absent(),
    });
  });

  test('checks only the ExternalUrl and test URL the network stage published, with the bundled checks inline', () => {
    expect(functionProperties.FunctionName).toBe('hello-privatelink-production-verifier');
    // No load balancer name to look up: an internal load balancer's DNS name already leads to private addresses.
    expect(functionProperties.Environment.Variables).toEqual({
      SERVICE_URL: fromNetwork('ExternalUrl'),
      TEST_URL: fromNetwork('TestUrl'),
    });
    expect(functionProperties.Code).toEqual({ ZipFile: verifierCode() });
    expect(verifierCode().length).toBeLessThan(16 * 1024);
  });

  test('deletes its security group before its role, which Lambda needs to remove the network interfaces', () => {
    const [group] = Object.entries(template.findResources('AWS::EC2::SecurityGroup')).filter(([, g]) =>
      /verifier/.test(g.Properties.GroupDescription),
    );
    expect(group[1].DependsOn).toEqual([functionProperties.Role['Fn::GetAtt'][0]]);
  });

  test("may be invoked only by the pipeline's check role in the tooling account, and by its keep-warm schedule", () => {
    const [rule] = Object.keys(template.findResources('AWS::Events::Rule'));
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).map((r) => r.Properties);
    expect(permissions).toEqual([
      {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': [functionId, 'Arn'] },
        Principal: `arn:aws:iam::${TOOLING_ACCOUNT}:role/hello-privatelink-post-deploy-check`,
      },
      {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': [functionId, 'Arn'] },
        Principal: 'events.amazonaws.com',
        SourceArn: { 'Fn::GetAtt': [rule, 'Arn'] },
      },
    ]);
  });

  test('is invoked every day while ECS may call it as a hook, so it never idles into the Inactive state', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 day)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [functionId, 'Arn'] },
          Input: JSON.stringify(KEEP_WARM_EVENT),
          RetryPolicy: { MaximumRetryAttempts: 2 },
        }),
      ],
    });
    // Lambda reclaims an idle function's resources after weeks (Lambda developer guide, "Lambda function states").
    expect(KEEP_WARM_INTERVAL_HOURS).toBeLessThanOrEqual(7 * 24);
  });
});

describe('the in-VPC verifier (its inline code against the real nginx)', () => {
  const handler = loadInlineHandler<Record<string, unknown>, VerifyResponse>(verifierCode());
  let nginx: LocalNginx | undefined;
  const saved = process.env.SERVICE_URL;
  beforeAll(async () => {
    nginx = await startLocalNginx({ dockerDir: path.join(PROJECT_ROOT, 'docker') });
  });
  afterAll(async () => {
    process.env.SERVICE_URL = saved;
    await nginx?.stop();
  });
  const verify = (url: string, request: Record<string, unknown>, remainingMs = 60_000) => {
    process.env.SERVICE_URL = url;
    return handler({ url, timeoutSeconds: 5, ...request }, lambdaContext(remainingMs));
  };

  test('passes when the service serves the expected version', async () => {
    const answer = await verify(nginx!.url, { expectVersion: 'dev' });
    expect(answer).toEqual({
      ok: true,
      summary: `${nginx!.url} is healthy serving dev`,
      lines: [
        expect.stringMatching(/^✓ \/healthz/),
        expect.stringMatching(/^✓ \/ /),
        expect.stringMatching(/^✓ \/version/),
      ],
    });
  });

  test('fails on another version, naming both', async () => {
    const answer = await verify(nginx!.url, { expectVersion: IMAGE_TAG, timeoutSeconds: 2 });
    expect(answer.ok).toBe(false);
    expect(answer.summary).toMatch(
      new RegExp(`^/version: version mismatch: expected ${IMAGE_TAG}, got dev \\(gave up`),
    );
  });

  test('fails on an unreachable target within its deadline, and within the time Lambda leaves it', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    let started = Date.now();
    const answer = await verify(closed, { timeoutSeconds: 2 });
    expect([answer.ok, answer.summary]).toEqual([false, expect.stringMatching(/^\/healthz: unreachable/)]);
    expect(Date.now() - started).toBeLessThan(4000);
    // A budget larger than the function's remaining time is cut to that time, less the margin to answer.
    started = Date.now();
    const capped = await verify(closed, { timeoutSeconds: 30 }, 4000);
    expect(capped.ok).toBe(false);
    expect(Date.now() - started).toBeLessThan(4000);
  });

  test('answers the keep-warm schedule at once, checking nothing, even with no URL to check', async () => {
    delete process.env.SERVICE_URL;
    const started = Date.now();
    expect(await handler({ ...KEEP_WARM_EVENT }, lambdaContext(60_000))).toEqual({
      ok: true,
      summary: 'kept warm',
      lines: [],
    });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  test('refuses any other URL than its own, and malformed requests', async () => {
    process.env.SERVICE_URL = nginx!.url;
    const other = await handler({ url: 'http://10.0.0.1/', timeoutSeconds: 5 }, lambdaContext(60_000));
    expect(other).toEqual({
      ok: false,
      summary: `refused: this verifier checks ${nginx!.url} only, not http://10.0.0.1/`,
      lines: [],
    });
    const noBudget = await handler({ url: nginx!.url }, lambdaContext(60_000));
    expect(noBudget.summary).toBe('refused: timeoutSeconds must be a positive number');
    const badTag = await handler({ url: nginx!.url, timeoutSeconds: 5, expectVersion: 'a b' }, lambdaContext(60_000));
    expect(badTag.summary).toBe('refused: expectVersion is not an image tag');
  });
});
