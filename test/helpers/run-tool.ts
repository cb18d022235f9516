import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from './cdk';
import type { HostResult } from './command-host';

export interface ToolRun {
  /** The exit code; 0 when the tool succeeded. */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** How the npm scripts run a command's TypeScript (package.json), by absolute path so that any folder finds it. */
export const TYPESCRIPT_LOADER = ['--require', path.join(PROJECT_ROOT, 'bin/load-typescript.cjs')] as const;

/**
 * Runs one of the project's CLIs as its npm script does, `node --require ./bin/load-typescript.cjs tools/NAME.ts
 * ARGS`, without npm in between, so that what the user's npm configuration prints never mixes with the tool's own
 * output.
 */
export async function runTool(
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  /** Where it runs. @default the project root */
  cwd = PROJECT_ROOT,
): Promise<ToolRun> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [...TYPESCRIPT_LOADER, path.resolve(PROJECT_ROOT, script), ...args],
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

/** One run of a CLI for runToolsInOneProcess. */
export interface ToolCase {
  readonly script: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Where it runs. @default the project root */
  readonly cwd?: string;
  /** Seconds it may take. @default 60 */
  readonly timeoutSeconds?: number;
}

export interface HostedToolRun extends ToolRun {
  readonly seconds: number;
  /** What the run left running: a real process would have stopped it at its exit; here it would go on. */
  readonly leftRunning: readonly string[];
}

/**
 * Runs CLIs one after another in one Node process (test/helpers/command-host.ts), each as its own main module with
 * its own argv, environment and folder: one Node start and one load of what they import for all of them, instead of
 * one each. For runs whose point is not the process itself; runTool runs a real one. A run that did not end in time
 * has code -1.
 */
export async function runToolsInOneProcess(cases: readonly ToolCase[]): Promise<HostedToolRun[]> {
  const input = cases.map((c) => ({
    script: path.resolve(PROJECT_ROOT, c.script),
    args: c.args,
    env: c.env ?? {},
    cwd: c.cwd ?? PROJECT_ROOT,
    timeoutMs: (c.timeoutSeconds ?? 60) * 1000,
  }));
  const host = execFile(process.execPath, [...TYPESCRIPT_LOADER, path.join(__dirname, 'command-host.ts')], {
    cwd: PROJECT_ROOT,
    maxBuffer: 64 * 1024 * 1024,
    timeout: input.reduce((sum, c) => sum + c.timeoutMs, 60_000),
  });
  let stdout = '';
  let stderr = '';
  host.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  host.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<number | null>((resolve) => host.on('close', resolve));
  host.stdin!.end(JSON.stringify(input));
  const code = await exit;
  let answer: { results?: HostResult[]; stray?: string; error?: string };
  try {
    answer = JSON.parse(stdout);
  } catch {
    throw new Error(`the command host exited ${code} without its results: ${(stderr || stdout).slice(-2000)}`);
  }
  if (!answer.results) throw new Error(`the command host failed: ${answer.error}`);
  if (answer.stray) throw new Error(`a run wrote after it had ended: ${answer.stray.slice(0, 2000)}`);
  return answer.results.map((r) => ({ ...r, code: r.code ?? -1 }));
}
