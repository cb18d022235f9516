/**
 * The in-VPC verifier's timeout. The pipeline's check invokes it in rounds shorter than this, as often as its budget
 * allows. Its own file, so the step bundle takes this number without the construct and aws-cdk-lib.
 */
export const VERIFIER_TIMEOUT_SECONDS = 60;

/** The pre-traffic relay waits for the verifier's whole run, and a little more for the call itself. */
export const RELAY_TIMEOUT_SECONDS = VERIFIER_TIMEOUT_SECONDS + 15;
