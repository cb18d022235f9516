// The in-VPC verifier of an internal service: where the template puts it and who may call it, and its inline code
// run as Lambda runs it, against the real nginx serving the image's config: as the pipeline's check, and as the
// blue/green pre-traffic hook ECS invokes, directly or through the relay outside the VPC (which looks up load balancer
// addresses in moto's EC2 and invokes the verifier through a loopback stand-in of Lambda's Invoke API).
import * as path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { createDeliveryStages } from '../../../pipeline/delivery-stages';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KEEP_WARM_EVENT, KEEP_WARM_INTERVAL_HOURS, verifierCode } from '../../../stages/service/in-vpc-verifier';
import { inlineBundle } from '../../../stages/inline-function';
import { CreateNetworkInterfaceCommand, CreateSubnetCommand, CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import type { HookResponse } from '../../../runtime/lambda/deployment-hook';
import type { VerifyResponse } from '../../../runtime/lambda/verifier-handler';
import { freePort, startLocalNginx, type LocalNginx } from '../../../tools/local/local-nginx';
import { EXAMPLE_ZONE, PROJECT_ROOT, configWith, newProjectApp } from '../../helpers/cdk';
import { lambdaContext, loadInlineHandler } from '../../helpers/inline-lambda';
import { startMoto, type Moto } from '../../helpers/moto';

// GIVEN an internal environment on its own domain, synthesized once for the file
const config = configWith((json) => {
  json.network.albScheme = 'internal';
  json.network.domainName = 'app.example.com';
  json.network.hostedZone = EXAMPLE_ZONE;
});
const [{ service }] = createDeliveryStages(newProjectApp(), config, 'sha-0123456789abcdef').environments;
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
        Principal: 'arn:aws:iam::111111111111:role/hello-privatelink-post-deploy-check',
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
    const answer = await verify(nginx!.url, { expectVersion: 'sha-0123456789abcdef', timeoutSeconds: 2 });
    expect(answer.ok).toBe(false);
    expect(answer.summary).toMatch(/^\/version: version mismatch: expected sha-0123456789abcdef, got dev \(gave up/);
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

describe('the pre-traffic hook (the same inline code, invoked by ECS, against the real nginx)', () => {
  const handler = loadInlineHandler<Record<string, unknown>, HookResponse>(verifierCode());
  let nginx: LocalNginx | undefined;
  let moto: Moto | undefined;
  const saved = { ...process.env };
  const logged: string[] = [];
  let log: jest.SpyInstance | undefined;
  beforeAll(async () => {
    // Both start side by side; whichever starts is kept, so afterAll stops it even when the other fails.
    const [started, motoStarted] = await Promise.allSettled([
      startLocalNginx({ dockerDir: path.join(PROJECT_ROOT, 'docker') }),
      startMoto(),
    ]);
    if (started.status === 'fulfilled') nginx = started.value;
    if (motoStarted.status === 'fulfilled') moto = motoStarted.value;
    for (const result of [started, motoStarted]) if (result.status === 'rejected') throw result.reason;
    log = jest.spyOn(console, 'log').mockImplementation((line: string) => void logged.push(line));
  });
  afterAll(async () => {
    process.env = saved;
    log?.mockRestore();
    await Promise.all([nginx?.stop(), moto?.stop()]);
  });
  beforeEach(() => {
    logged.length = 0;
    process.env = { ...saved };
  });

  /** The event ECS sends at POST_TEST_TRAFFIC_SHIFT (ECS developer guide, "Lambda hooks"). */
  const hookEvent = (hookDetails: Record<string, unknown>) => ({
    executionId: 'e1',
    lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT',
    resourceArn: 'arn:aws:ecs:us-east-2:333333333333:service-deployment/cluster/web/d1',
    executionDetails: {
      serviceArn: 'arn:aws:ecs:us-east-2:333333333333:service/cluster/web',
      targetServiceRevisionArn: 'arn:aws:ecs:us-east-2:333333333333:service-revision/cluster/web/2',
      testTrafficWeights: {},
      productionTrafficWeights: {},
    },
    hookDetails,
  });
  const invoke = (testUrl: string, hookDetails: Record<string, unknown>, remainingMs = 4000) => {
    process.env.TEST_URL = testUrl;
    return handler(hookEvent(hookDetails), lambdaContext(remainingMs));
  };

  test('answers SUCCEEDED when the test listener serves the version being deployed', async () => {
    expect(await invoke(nginx!.url, { expectVersion: 'dev', deadlineSeconds: 600 })).toEqual({
      hookStatus: 'SUCCEEDED',
    });
    expect(logged.at(-1)).toBe(`SUCCEEDED: ${nginx!.url} is healthy serving dev`);
  });

  test('answers FAILED on another version, and its log names both', async () => {
    const answer = await invoke(nginx!.url, { expectVersion: 'sha-0123456789abcdef', deadlineSeconds: 600 });
    expect(answer).toEqual({ hookStatus: 'FAILED' });
    expect(logged.at(-1)).toMatch(/^FAILED: \/version: version mismatch: expected sha-0123456789abcdef, got dev /);
  });

  test('answers IN_PROGRESS while nothing answers, then FAILED once its deadline has passed', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const first = await invoke(closed, { expectVersion: 'dev', deadlineSeconds: 10 });
    expect(first).toEqual({
      hookStatus: 'IN_PROGRESS',
      callBackDelay: 15,
      hookDetails: { firstCheckAt: expect.any(Number) },
    });
    expect(logged.at(-1)).toMatch(/^IN_PROGRESS: not answering yet after \d s of 10 s: \/healthz: unreachable/);
    // ECS merges the returned details into the configured ones when it calls again, callBackDelay (15 s) later:
    // here the first check is moved that far back instead of waiting.
    const firstCheckAt = first.hookDetails!.firstCheckAt! - first.callBackDelay! * 1000;
    const second = await invoke(closed, { expectVersion: 'dev', deadlineSeconds: 10, firstCheckAt });
    expect(second).toEqual({ hookStatus: 'FAILED' });
    expect(logged.at(-1)).toMatch(/^FAILED: the new tasks did not answer within 10 s: \/healthz: unreachable/);
  });

  test('refuses details without an image tag and a deadline', async () => {
    expect(await invoke(nginx!.url, { expectVersion: 'a b', deadlineSeconds: 600 })).toEqual({ hookStatus: 'FAILED' });
    expect(await invoke(nginx!.url, { expectVersion: 'dev' })).toEqual({ hookStatus: 'FAILED' });
    expect(logged.at(-1)).toMatch(/^FAILED: the hook's details name no image tag and deadline/);
  });

  test('takes only IPv4 addresses from a relayed event, and checks through them', async () => {
    process.env.TEST_URL = `http://web-123.us-east-2.elb.amazonaws.com:${new URL(nginx!.url).port}`;
    const event = {
      ...hookEvent({ expectVersion: 'dev', deadlineSeconds: 600 }),
      loadBalancerAddresses: ['evil.example.com', '127.0.0.1'],
    };
    expect(await handler(event, lambdaContext(4000))).toEqual({ hookStatus: 'SUCCEEDED' });
    expect(logged.some((line) => line.includes('evil.example.com'))).toBe(false);
  });

  describe('through the relay outside the VPC, for an internet-facing load balancer', () => {
    const relay = loadInlineHandler<Record<string, unknown>, HookResponse>(inlineBundle('hook-relay-handler.ts'));
    /** A loopback stand-in for Lambda's Invoke API that runs the verifier's inline code, as Lambda would. */
    let lambdaApi: Server | undefined;
    const invoked: Array<{ name: string; payload: Record<string, unknown> }> = [];
    beforeAll(async () => {
      lambdaApi = createServer((request, response) => {
        let body = '';
        request.on('data', (chunk) => (body += chunk));
        request.on('end', async () => {
          const name = decodeURIComponent(/\/functions\/([^/]+)\/invocations/.exec(request.url ?? '')?.[1] ?? '');
          const payload = JSON.parse(body);
          invoked.push({ name, payload });
          const answer = await handler(payload, lambdaContext(8000));
          response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(answer));
        });
      });
      await new Promise<void>((resolve) => lambdaApi!.listen(0, '127.0.0.1', resolve));
    });
    afterAll(() => new Promise<void>((resolve) => (lambdaApi ? lambdaApi.close(() => resolve()) : resolve())));
    beforeEach(() => {
      invoked.length = 0;
      Object.assign(process.env, {
        AWS_REGION: 'us-east-2',
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        AWS_ENDPOINT_URL_LAMBDA: `http://127.0.0.1:${(lambdaApi!.address() as AddressInfo).port}`,
        LOAD_BALANCER_FULL_NAME: 'app/web/0123456789abcdef',
        VERIFIER_FUNCTION_NAME: 'hello-privatelink-production-verifier',
        // The test URL names the load balancer's public DNS name, which the VPC cannot reach.
        TEST_URL: `http://web-123.us-east-2.elb.amazonaws.com:${new URL(nginx!.url).port}`,
      });
    });

    test('looks up the private addresses of its interfaces, and the verifier checks through them', async () => {
      // GIVEN moto's EC2 with the load balancer's interface at the address nginx listens on, and another interface
      process.env.AWS_ENDPOINT_URL_EC2 = moto!.endpoint;
      const ec2 = new EC2Client({ endpoint: moto!.endpoint });
      const { Vpc } = await ec2.send(new CreateVpcCommand({ CidrBlock: '127.0.0.0/16' }));
      const { Subnet } = await ec2.send(new CreateSubnetCommand({ VpcId: Vpc!.VpcId, CidrBlock: '127.0.0.0/24' }));
      for (const [ip, description] of [
        ['127.0.0.1', 'ELB app/web/0123456789abcdef'],
        ['127.0.0.2', 'ELB app/other/0123456789abcdef'],
      ]) {
        await ec2.send(
          new CreateNetworkInterfaceCommand({
            SubnetId: Subnet!.SubnetId,
            PrivateIpAddress: ip,
            Description: description,
          }),
        );
      }
      // WHEN ECS invokes the relay
      const answer = await relay(hookEvent({ expectVersion: 'dev', deadlineSeconds: 600 }), lambdaContext(70000));
      // THEN the verifier got the one address and checked through it, and its answer is ECS's answer
      expect(answer).toEqual({ hookStatus: 'SUCCEEDED' });
      expect(invoked).toEqual([
        {
          name: 'hello-privatelink-production-verifier',
          payload: expect.objectContaining({
            loadBalancerAddresses: ['127.0.0.1'],
            lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT',
          }),
        },
      ]);
      expect(logged).toContain(`SUCCEEDED: http://127.0.0.1:${new URL(nginx!.url).port} is healthy serving dev`);
    });

    test('hands on a failed lookup, and the verifier waits as for tasks that do not answer yet', async () => {
      process.env.AWS_ENDPOINT_URL_EC2 = `http://127.0.0.1:${await freePort()}`;
      const answer = await relay(hookEvent({ expectVersion: 'dev', deadlineSeconds: 600 }), lambdaContext(70000));
      expect(answer).toMatchObject({ hookStatus: 'IN_PROGRESS' });
      expect(invoked[0].payload.addressLookupError).toEqual(expect.any(String));
      expect(logged.at(-2)).toMatch(/cannot look up the load balancer's addresses/);
    });

    test('answers FAILED when it cannot invoke the verifier, naming it', async () => {
      process.env.AWS_ENDPOINT_URL_EC2 = moto!.endpoint;
      process.env.AWS_ENDPOINT_URL_LAMBDA = `http://127.0.0.1:${await freePort()}`;
      const answer = await relay(hookEvent({ expectVersion: 'dev', deadlineSeconds: 600 }), lambdaContext(70000));
      expect(answer).toEqual({ hookStatus: 'FAILED' });
      expect(logged.at(-1)).toMatch(/^FAILED: cannot invoke the verifier hello-privatelink-production-verifier: /);
    });
  });
});
