import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
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
export async function runTool(
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  /** Where it runs. @default the project root */
  cwd = PROJECT_ROOT,
): Promise<ToolRun> {
  // tsx and the script by absolute path, so that a run from another folder finds both.
  const tsx = pathToFileURL(path.join(PROJECT_ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', tsx, path.resolve(PROJECT_ROOT, script), ...args],
      {
        cwd,
        env: { ...process.env, ...env },
        timeout: 60_000,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
