// The pre-traffic check's time budget: whatever the load balancer's addresses do, one invocation answers ECS within
// its round, far inside the function's timeout, so a silent address never turns into a failed invocation.
import { createServer, type Server, type Socket } from 'node:net';
import { HOOK_ROUND_SECONDS, runDeploymentHook } from '../../../runtime/lambda/deployment-hook';
import { VERIFIER_TIMEOUT_SECONDS } from '../../../runtime/lambda/verifier-timeout';

describe('the pre-traffic check against addresses that accept and never answer', () => {
  // GIVEN three load balancer addresses that accept connections and never answer
  const servers: Server[] = [];
  const sockets: Socket[] = [];
  const addresses = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
  let port = 0;
  beforeAll(async () => {
    for (const address of addresses) {
      const server = createServer((socket) => void sockets.push(socket));
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(port, address, resolve));
      port = (server.address() as { port: number }).port;
    }
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });

  test('spends one round across all of them and answers IN_PROGRESS within it', async () => {
    const roundSeconds = 3;
    const started = Date.now();
    // WHEN the hook checks them all in one invocation
    const answer = await runDeploymentHook(
      { lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT', hookDetails: { expectVersion: 'dev', deadlineSeconds: 600 } },
      {
        testUrl: `http://lb.example:${port}`,
        addresses: async () => addresses,
        roundSeconds,
        log: () => {},
      },
    );
    const elapsedSeconds = (Date.now() - started) / 1000;
    // THEN it answers within the one round (a round per address would take 9 s), and asks to be called again
    expect(answer.hookStatus).toBe('IN_PROGRESS');
    expect(elapsedSeconds).toBeLessThan(roundSeconds + 1);
  });

  test("the default round fits the function's timeout with room to answer", () => {
    expect(HOOK_ROUND_SECONDS + 5).toBeLessThan(VERIFIER_TIMEOUT_SECONDS);
  });
});
