// jest globalTeardown: remove the run's temporary folder, and with it whatever a test left there.
import { rmSync } from 'node:fs';
import { RUN_TMPDIR_VARIABLE } from './global-setup';

export function tearDown(env: NodeJS.ProcessEnv): void {
  const runDir = env[RUN_TMPDIR_VARIABLE];
  if (runDir) rmSync(runDir, { recursive: true, force: true });
}

export default function globalTeardown(): void {
  tearDown(process.env);
}
