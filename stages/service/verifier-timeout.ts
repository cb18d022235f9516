/**
 * The in-VPC verifier's timeout. The pipeline's check invokes it in rounds shorter than this, as often as its budget
 * allows. Its own file, so the step bundle takes this number without the construct and aws-cdk-lib.
 */
export const VERIFIER_TIMEOUT_SECONDS = 60;
