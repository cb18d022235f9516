import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** Wall time of one command in seconds; fails the benchmark if the command fails. */
export function timeCommand(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited ${result.status}: ${(result.stderr || result.stdout).slice(-400)}`,
    );
  }
  return seconds;
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
