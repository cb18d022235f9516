// The in-VPC verifier: a Lambda in the workload VPC's isolated subnets that runs the service checks where only the
// VPC can reach the load balancer (an internal ALB resolves to private addresses). The pipeline invokes it
// synchronously across accounts; the answer comes back in the invocation's response, so the function makes no
// outbound AWS call and the VPC needs no extra endpoint. It is bundled into the template as inline code.
import { runSmokeTest } from './service-checks';

/** What the pipeline's post-deploy check sends. */
export interface VerifyRequest {
  /** The service URL; it must be the one this verifier is for (its SERVICE_URL). */
  readonly url: string;
  /** The image tag /version must return. */
  readonly expectVersion?: string;
  /** The budget of this invocation; the function's own remaining time caps it. */
  readonly timeoutSeconds: number;
}

export interface VerifyResponse {
  readonly ok: boolean;
  /** One line: what passed, or what failed and why. */
  readonly summary: string;
  /** The progress lines of each attempt. */
  readonly lines: readonly string[];
}

/** The part of Lambda's context object the verifier uses. */
export interface LambdaContext {
  getRemainingTimeInMillis(): number;
}

/** Time kept back from the function's own timeout, to answer before Lambda stops it. */
const ANSWER_MARGIN_MS = 2000;

function refuse(summary: string): VerifyResponse {
  return { ok: false, summary, lines: [] };
}

export async function handler(event: unknown, context?: LambdaContext): Promise<VerifyResponse> {
  const serviceUrl = process.env.SERVICE_URL;
  const request = (event ?? {}) as Partial<VerifyRequest>;
  if (!serviceUrl) return refuse('refused: the verifier has no SERVICE_URL');
  // Only its own service: an invoker cannot point it at other addresses inside the VPC.
  if (request.url !== serviceUrl) {
    return refuse(`refused: this verifier checks ${serviceUrl} only, not ${String(request.url).slice(0, 200)}`);
  }
  if (request.expectVersion !== undefined && !/^[\w.-]{1,128}$/.test(String(request.expectVersion))) {
    return refuse('refused: expectVersion is not an image tag');
  }
  const requested = Number(request.timeoutSeconds);
  if (!Number.isFinite(requested) || requested <= 0) return refuse('refused: timeoutSeconds must be a positive number');
  const remainingSeconds = ((context?.getRemainingTimeInMillis() ?? Infinity) - ANSWER_MARGIN_MS) / 1000;
  const lines: string[] = [];
  const result = await runSmokeTest({
    url: serviceUrl,
    expectVersion: request.expectVersion,
    timeoutSeconds: Math.max(1, Math.min(requested, remainingSeconds)),
    log: (line) => lines.push(line),
  });
  return { ...result, lines };
}
