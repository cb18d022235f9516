// The policies `npm run bootstrap` installs in each account:
// - the CloudFormation execution policy, instead of AdministratorAccess: the services the account's stacks use,
//   in the configured region, on the project's resources where their names allow it;
// - the permissions boundary that every role the app creates carries. The execution policy lets CloudFormation
//   create a role, or change its policies, only with that boundary attached, and never remove or edit it, so no
//   commit that reaches main can make a role more powerful than the boundary (the pattern AWS documents for
//   delegating role creation: IAM user guide, "Permissions boundaries for IAM entities").
// This module holds what both share: the scope of an account and the roles it plays; the policies themselves are in
// boundary-policy.ts and execution-policy.ts, and the names and ARNs they use in config/names.ts.

/** What one account hosts; an account may host several (A = B, or tooling = A). */
export type AccountRole = 'tooling' | 'registry' | 'workload';

export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: ReadonlyArray<Record<string, unknown>>;
}

export interface PolicyScope {
  readonly partition: string;
  readonly account: string;
  readonly region: string;
  /** Stack names, roles, buckets, functions and parameters all start with it. */
  readonly projectName: string;
  readonly repositoryName: string;
  /** Whether the tooling account hosts the GitHub OIDC stack. */
  readonly githubOidc: boolean;
  /** The Route 53 zones the account's environments add records to. */
  readonly hostedZoneIds: readonly string[];
  /** Whether the stacks create KMS keys for their log groups (config logEncryption customer-key). */
  readonly logKeys: boolean;
}
