import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from './cdk';

export interface ToolRun {
  /** The exit code; 0 when the tool succeeded. */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs one of the project's CLIs as `node --import tsx tools/NAME.ts ARGS`, without npm or npx in between, so
 * that what the user's npm configuration prints never mixes with the tool's own output.
 */
export async function runTool(script: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<ToolRun> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
