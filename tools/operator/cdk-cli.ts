// The CDK CLI as bootstrap and deploy run it: in the foreground on the operator's terminal, stdin included, because
// the CLI asks there for the MFA code of a profile with mfa_serial (aws/aws-cdk#6510). tools/cli/process.ts gives a
// program no stdin; once it can hand the terminal's on, this goes through it like every other program the tools run.
import { spawn } from 'node:child_process';

/** Runs `npx <args>`: its exit code, 127 when it could not start, 1 when a signal or the time limit ended it. */
export function runCdkCli(args: readonly string[], timeoutMs: number): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn('npx', [...args], { stdio: 'inherit', timeout: timeoutMs });
    child.on('error', () => resolve(127));
    child.on('close', (code) => resolve(code ?? 1));
  });
}
