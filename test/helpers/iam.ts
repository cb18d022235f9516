// What AWS would decide for one API call, by a maintained IAM policy evaluator (@cloud-copilot/iam-simulate,
// AGPL-3.0: a dev dependency used only here, never bundled or run by the pipeline). It combines the identity
// policies, the permissions boundary, the resource policy (or a role's trust policy) and the VPC endpoint
// policies the way IAM does, across accounts included.
import { isWildcardOnlyAction, runSimulation } from '@cloud-copilot/iam-simulate';

export type PolicyJson = { Version?: string; Statement: unknown };

/** One request as AWS would evaluate it. */
export interface IamRequest {
  /** The calling principal's ARN: a role, or `Federated` provider for web identity. */
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  /** The account that owns the resource. */
  readonly resourceAccount: string;
  readonly identityPolicies?: readonly PolicyJson[];
  readonly permissionsBoundary?: PolicyJson;
  /** The resource's policy: a bucket, repository or key policy, or the trust policy of a role being assumed. */
  readonly resourcePolicy?: PolicyJson;
  readonly endpointPolicies?: readonly PolicyJson[];
  readonly context?: Record<string, string | string[]>;
}

export type Verdict = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

/**
 * The global keys AWS sets on every request of an IAM role's session (IAM user guide, "AWS global condition context
 * keys"), which the evaluator leaves to the caller. Requests from these tools always use TLS.
 */
function globalContext(principal: string): Record<string, string> {
  const role = /^arn:aws:iam::(\d{12}):role\//.exec(principal);
  return {
    'aws:SecureTransport': 'true',
    ...(role && { 'aws:PrincipalArn': principal, 'aws:PrincipalAccount': role[1], 'aws:PrincipalType': 'AssumedRole' }),
  };
}

/**
 * Verdicts already reached in this test file, by request. The evaluator is a pure function of the request, and a
 * matrix variant asks the same one many times (each resource's calls on the same execution policy): 2200 calls, 989
 * distinct, in one variant.
 */
const verdicts = new Map<string, Promise<Verdict>>();

/** The evaluator's verdict, or an error naming why the request could not be evaluated. */
export function decide(request: IamRequest): Promise<Verdict> {
  const key = JSON.stringify(request);
  let verdict = verdicts.get(key);
  if (!verdict) {
    verdict = evaluate(request);
    verdicts.set(key, verdict);
  }
  return verdict;
}

async function evaluate(request: IamRequest): Promise<Verdict> {
  const named = (policies: readonly PolicyJson[] = [], prefix: string) =>
    policies.map((policy, i) => ({ name: `${prefix}${i}`, policy: { Version: '2012-10-17', ...policy } }));
  const result = await runSimulation(
    {
      request: {
        principal: request.principal,
        action: request.action,
        // Actions with no resource type, such as kms:CreateKey, are always requested on `*`.
        resource: {
          resource: (await isWildcardOnlyAction(...(request.action.split(':') as [string, string])))
            ? '*'
            : request.resource,
          accountId: request.resourceAccount,
        },
        contextVariables: { ...globalContext(request.principal), ...request.context },
      },
      identityPolicies: named(request.identityPolicies, 'identity'),
      permissionBoundaryPolicies: request.permissionsBoundary
        ? named([request.permissionsBoundary], 'boundary')
        : undefined,
      resourcePolicy: request.resourcePolicy && { Version: '2012-10-17', ...request.resourcePolicy },
      vpcEndpointPolicies: request.endpointPolicies && named(request.endpointPolicies, 'endpoint'),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    { simulationMode: 'Strict' },
  );
  if (result.resultType === 'error') {
    throw new Error(`${request.action} on ${request.resource}: cannot evaluate: ${JSON.stringify(result.errors)}`);
  }
  return result.overallResult as Verdict;
}

/** The verdict with the request, so a failing expectation says which call was refused. */
export async function verdictOf(request: IamRequest): Promise<string> {
  return `${request.action} on ${request.resource} by ${request.principal}: ${await decide(request)}`;
}
