// The test environment: Node's, plus a check when each test file ends that it left no process running. A server
// a suite starts (nginx, moto_server) and never stops keeps jest from exiting and outlives the run; here it is
// stopped, and the suite fails naming it.
import { execFileSync } from 'node:child_process';
import { TestEnvironment } from 'jest-environment-node';

export interface LeftProcess {
  readonly pid: number;
  readonly command: string;
}

/**
 * The live child processes of `parent` (zombies, which have ended and wait only to be reaped, do not count). `ps`
 * runs on Linux and macOS alike.
 */
export function childProcesses(parent: number = process.pid): LeftProcess[] {
  const table = execFileSync('ps', ['-A', '-o', 'pid=,ppid=,stat=,args='], { encoding: 'utf8' });
  return (
    table
      .split('\n')
      .map((line) => /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .filter((m) => Number(m[2]) === parent && !m[3].startsWith('Z') && !/^ps -A /.test(m[4]))
      // esbuild's async API keeps one service process per worker, unreferenced, that ends with it: not a leftover.
      .filter((m) => !/\besbuild --service=/.test(m[4]))
      .map((m) => ({ pid: Number(m[1]), command: m[4].slice(0, 120) }))
  );
}

/** Waits a moment for children that are on their way out, then stops the rest; returns what it had to stop. */
export async function stopLeftovers(parent: number = process.pid, graceMs = 2000): Promise<LeftProcess[]> {
  const deadline = Date.now() + graceMs;
  let left = childProcesses(parent);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    left = childProcesses(parent);
  }
  for (const child of left) {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      // Gone in the meantime.
    }
  }
  return left;
}

export default class CheckedEnvironment extends TestEnvironment {
  async teardown(): Promise<void> {
    await super.teardown();
    const left = await stopLeftovers();
    if (left.length > 0) {
      throw new Error(
        `the test file left ${left.length} process(es) running, stopped now: ` +
          `${left.map((p) => `${p.command} (pid ${p.pid})`).join('; ')}; stop what a suite starts in its afterAll, ` +
          `also when a later step of its setup fails`,
      );
    }
  }
}
