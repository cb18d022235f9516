// The CDK CLI as bootstrap and deploy run it: in the foreground on the operator's terminal, stdin included, because
// the CLI asks there for the MFA code of a profile with mfa_serial (aws/aws-cdk#6510).
import { runProcess } from '../cli/process';

/** Runs `npx <args>`: its exit code, 127 when it could not start, 1 when a signal or the time limit ended it. */
export async function runCdkCli(args: readonly string[], timeoutMs: number): Promise<number> {
  const run = await runProcess('npx', args, { output: 'inherit', timeoutMs });
  return run.startError ? 127 : (run.code ?? 1);
}
