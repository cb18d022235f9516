// Values many test files share, named for what they stand for. The accounts, region and project name are those of
// config/deploy.json, the configuration configWith() starts from (test/pipeline/app.suite.ts holds them to it); the
// others are made up.

/** The tooling account: the pipeline and GitHub OIDC stacks. */
export const TOOLING_ACCOUNT = '111111111111';
/** Account A: the registry. */
export const REGISTRY_ACCOUNT = '222222222222';
/** Account B: the production environment's network and service. */
export const PRODUCTION_ACCOUNT = '333333333333';
/** An account the default configuration does not use: the staging environment tests add, or a new account. */
export const STAGING_ACCOUNT = '444444444444';
/** An account outside the configuration, which boundaries and trust policies must keep out. */
export const OUTSIDE_ACCOUNT = '999999999999';

export const REGION = 'us-east-2';
export const PROJECT_NAME = 'hello-privatelink';

/** The image tag the tests synthesize with, in the form contentTag() gives: `sha-` and 16 hex digits. */
export const IMAGE_TAG = 'sha-0123456789abcdef';
/** A made-up UUID, where an ARN ends in one: a certificate, a CodeConnections connection, a stack id. */
export const EXAMPLE_UUID = '11111111-2222-3333-4444-555555555555';
