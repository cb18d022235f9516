// The pre-traffic check's relay, for an internet-facing load balancer. ECS invokes it as the blue/green lifecycle
// hook. Outside the VPC it reaches the EC2 API at no cost, where the isolated subnets would need an ec2 interface
// endpoint ($7.30 a month per zone). It looks up the load balancer's private addresses, which its public name does
// not lead to, and invokes the in-VPC verifier with them; the verifier checks the new tasks through the test
// listener from inside the VPC, the only place that reaches it. The verifier's answer is ECS's answer.
import { boundedRuntimeClient } from '../../tools/cli/aws';
import { isHookEvent, type HookEvent, type HookResponse } from './deployment-hook';
import { loadBalancerAddresses } from './load-balancer-addresses';
import { VERIFIER_TIMEOUT_SECONDS } from './verifier-timeout';

/** The hook event as the relay passes it on: ECS's fields, and the addresses or why there are none. */
export interface RelayedHookEvent extends HookEvent {
  readonly loadBalancerAddresses?: readonly string[];
  readonly addressLookupError?: string;
}

function failed(line: string): HookResponse {
  console.log(`FAILED: ${line}`);
  return { hookStatus: 'FAILED' };
}

export async function handler(event: unknown): Promise<HookResponse> {
  const loadBalancer = process.env.LOAD_BALANCER_FULL_NAME;
  const verifier = process.env.VERIFIER_FUNCTION_NAME;
  if (!loadBalancer || !verifier) return failed('the relay has no LOAD_BALANCER_FULL_NAME or VERIFIER_FUNCTION_NAME');
  if (!isHookEvent(event)) return failed('not an ECS lifecycle hook event');
  let relayed: RelayedHookEvent;
  try {
    relayed = { ...event, loadBalancerAddresses: await loadBalancerAddresses(loadBalancer) };
  } catch (error) {
    // The verifier decides: it waits (IN_PROGRESS) until the hook's deadline, as for tasks that do not answer yet.
    relayed = { ...event, addressLookupError: String((error as Error).message).slice(0, 300) };
  }
  // Loaded on use; require, because the inline code is CommonJS. One attempt: a retried invoke would run the checks twice.
  const { LambdaClient, InvokeCommand } =
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('@aws-sdk/client-lambda') as typeof import('@aws-sdk/client-lambda');
  const lambda = boundedRuntimeClient(
    LambdaClient,
    {},
    { connectionTimeoutMs: 3000, requestTimeoutMs: (VERIFIER_TIMEOUT_SECONDS + 5) * 1000, maxAttempts: 1 },
  );
  try {
    const result = await lambda.send(new InvokeCommand({ FunctionName: verifier, Payload: JSON.stringify(relayed) }));
    const payload = Buffer.from(result.Payload ?? []).toString('utf8');
    if (result.FunctionError) return failed(`the verifier ${verifier} failed: ${payload.slice(0, 300)}`);
    const answer = JSON.parse(payload) as HookResponse;
    console.log(`the verifier answered ${answer.hookStatus}`);
    return answer;
  } catch (error) {
    return failed(`cannot invoke the verifier ${verifier}: ${String((error as Error).message).slice(0, 300)}`);
  }
}
