// The in-VPC verifier's inline code as the blue/green pre-traffic hook ECS invokes, run as Lambda runs it against the
// real nginx serving the image's config: directly, or through the relay outside the VPC (which looks up load balancer
// addresses in moto's EC2 and invokes the verifier through a loopback stand-in of Lambda's Invoke API).
import * as path from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateNetworkInterfaceCommand, CreateSubnetCommand, CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import { verifierCode } from '../../../stages/service/in-vpc-verifier';
import { inlineBundle } from '../../../stages/inline-function';
import type { HookResponse } from '../../../runtime/lambda/deployment-hook';
import { freePort, startLocalNginx, type LocalNginx } from '../../../tools/local/local-nginx';
import { PROJECT_ROOT } from '../../helpers/cdk';
import { IMAGE_TAG, PRODUCTION_ACCOUNT, REGION } from '../../helpers/constants';
import { lambdaContext, loadInlineHandler } from '../../helpers/inline-lambda';
import { startMoto, type Moto } from '../../helpers/moto';

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
    resourceArn: `arn:aws:ecs:${REGION}:${PRODUCTION_ACCOUNT}:service-deployment/cluster/web/d1`,
    executionDetails: {
      serviceArn: `arn:aws:ecs:${REGION}:${PRODUCTION_ACCOUNT}:service/cluster/web`,
      targetServiceRevisionArn: `arn:aws:ecs:${REGION}:${PRODUCTION_ACCOUNT}:service-revision/cluster/web/2`,
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
    const answer = await invoke(nginx!.url, { expectVersion: IMAGE_TAG, deadlineSeconds: 600 });
    expect(answer).toEqual({ hookStatus: 'FAILED' });
    expect(logged.at(-1)).toMatch(new RegExp(`^FAILED: /version: version mismatch: expected ${IMAGE_TAG}, got dev `));
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
    process.env.TEST_URL = `http://web-123.${REGION}.elb.amazonaws.com:${new URL(nginx!.url).port}`;
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
        AWS_REGION: REGION,
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        AWS_ENDPOINT_URL_LAMBDA: `http://127.0.0.1:${(lambdaApi!.address() as AddressInfo).port}`,
        LOAD_BALANCER_FULL_NAME: 'app/web/0123456789abcdef',
        VERIFIER_FUNCTION_NAME: 'hello-privatelink-production-verifier',
        // The test URL names the load balancer's public DNS name, which the VPC cannot reach.
        TEST_URL: `http://web-123.${REGION}.elb.amazonaws.com:${new URL(nginx!.url).port}`,
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
