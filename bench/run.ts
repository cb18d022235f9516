import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runProcessSync, succeeded, type ProcessResult } from '../tools/cli/process';

export interface TimedRun extends ProcessResult {
  readonly seconds: number;
  /** CPU seconds of the command and everything it started; undefined where the system does not tell. */
  readonly cpuSeconds: number | undefined;
}

/**
 * CPU seconds of this process's waited-for children so far (user and system), from /proc/self/stat: what a command
 * and everything it started used, less noisy than wall time on a shared machine. Undefined where there is no /proc.
 */
function childCpuSeconds(): number | undefined {
  try {
    // The fields after the command name (which may hold spaces) start at state, field 3; cutime and cstime are 16, 17.
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100; // USER_HZ, 100 on Linux
  } catch {
    return undefined;
  }
}

/** Wall time of one command in seconds, its CPU time where the system tells it, and how it ended. */
export function runTimed(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}) {
  const cpuBefore = childCpuSeconds();
  const started = process.hrtime.bigint();
  const result = runProcessSync(command, args, { env: options.env ?? process.env, cwd: options.cwd });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpuAfter = childCpuSeconds();
  const cpuSeconds = cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;
  return { ...result, seconds, cpuSeconds } satisfies TimedRun;
}

/** Wall time of one command in seconds; fails the benchmark if the command fails. */
export function timeCommand(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  cwd: string | undefined = undefined,
): number {
  return succeeded(`${command} ${args.join(' ')}`, runTimed(command, args, { env, cwd })).seconds;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** One folder in the temporary directory for everything a benchmark run writes, removed when the process exits. */
let runDir: string | undefined;

function benchRunDir(): string {
  if (runDir) return runDir;
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-run-'));
  chmodSync(dir, 0o755); // nginx's workers may run as nobody and serve files from below it
  runDir = dir;
  // 'exit' handlers run on process.exit too, which is how every command ends (runCommand); Ctrl-C and a kill end
  // through exit as well. Synchronous removal is the only kind an exit handler can do.
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
  return dir;
}

/** A fresh folder inside the run's folder, gone when the benchmark ends, however it ends. */
export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(benchRunDir(), prefix));
}
