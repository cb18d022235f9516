// `npm run status` and `npm run drift` read as the CDK lookup role of the account that holds the data,
// `cdk-hnb659fds-lookup-role-<account>-<region>`, assumed from the operator's own credentials in the tooling account;
// never as a deploy role. CDK's stock bootstrap template (node_modules/aws-cdk/lib/api/bootstrap/bootstrap-template.yaml,
// resource LookupRole) gives that role the AWS managed policy ReadOnlyAccess and one inline statement,
// DontReadSecrets, that denies kms:Decrypt; it trusts its own account and the accounts passed with --trust-for-lookup
// and --trust, which `npm run bootstrap` passes for the tooling account in every workload account. ReadOnlyAccess
// allows the Describe/List/Get calls status makes (cloudformation, ecs, cloudwatch, codepipeline) and drift
// detection's cloudformation:Detect*, Describe* and Get*.
import { fromIni, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { lookupRoleArn } from '../../config/names';
import { boundedClientConfig } from '../cli/aws';

export interface LookupSession {
  /** The AWS CLI profile, in the tooling account, that assumes the roles; the usual credentials without one. */
  readonly profile?: string;
  /** The name of each role session, which CloudTrail shows. */
  readonly sessionName: string;
  readonly durationSeconds?: number;
}

/** For each account, a provider of its lookup role's credentials; STS calls are bounded like every other call. */
export function lookupRoleCredentials(
  config: { readonly partition: string; readonly region: string },
  session: LookupSession,
): (account: string) => ReturnType<typeof fromTemporaryCredentials> {
  const { partition, region } = config;
  const operator = session.profile
    ? fromIni({ profile: session.profile, clientConfig: boundedClientConfig({ region }) })
    : undefined;
  return (account) =>
    fromTemporaryCredentials({
      params: {
        RoleArn: lookupRoleArn(partition, account, region),
        RoleSessionName: session.sessionName,
        ...(session.durationSeconds ? { DurationSeconds: session.durationSeconds } : {}),
      },
      ...(operator ? { masterCredentials: operator } : {}),
      clientConfig: boundedClientConfig({ region }),
    });
}
