// The test environment: Node's, plus a check when each test file ends that it left no process running. A server
// a suite starts (nginx, moto_server) and never stops keeps jest from exiting and outlives the run; here it is
// stopped, and the suite fails naming it.
import { execFileSync } from 'node:child_process';
import { TestEnvironment } from 'jest-environment-node';

export interface LeftProcess {
  readonly pid: number;
  readonly command: string;
}

interface ProcessRow {
  readonly pid: number;
  readonly ppid: number;
  readonly command: string;
}

/** Every live process (zombies, which have ended and wait only to be reaped, left out). `ps` runs on Linux and macOS. */
function processTable(): ProcessRow[] {
  const table = execFileSync('ps', ['-A', '-o', 'pid=,ppid=,stat=,args='], { encoding: 'utf8' });
  return table
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null && !m[3].startsWith('Z') && !/^ps -A /.test(m[4]))
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), command: m[4].slice(0, 120) }));
}

/** The live child processes of `parent`, but for esbuild's service (one per worker, unreferenced, ends with it). */
export function childProcesses(parent: number = process.pid): LeftProcess[] {
  return processTable()
    .filter((p) => p.ppid === parent && !/\besbuild --service=/.test(p.command))
    .map(({ pid, command }) => ({ pid, command }));
}

/** The processes and all their descendants: an nginx master's workers go on serving when only the master is killed. */
function withDescendants(roots: readonly LeftProcess[]): number[] {
  const table = processTable();
  const tree = new Set(roots.map((r) => r.pid));
  for (let grew = true; grew;) {
    grew = false;
    for (const p of table) {
      if (tree.has(p.ppid) && !tree.has(p.pid)) {
        tree.add(p.pid);
        grew = true;
      }
    }
  }
  return [...tree];
}

function signal(pids: readonly number[], name: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, name);
    } catch {
      // Gone in the meantime.
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits a moment for children that are on their way out, then stops the rest with their descendants: SIGTERM, and
 * SIGKILL for what is still there after a few seconds. Returns what it had to stop.
 */
export async function stopLeftovers(parent: number = process.pid, graceMs = 2000): Promise<LeftProcess[]> {
  const deadline = Date.now() + graceMs;
  let left = childProcesses(parent);
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(100);
    left = childProcesses(parent);
  }
  if (left.length === 0) return [];
  const tree = withDescendants(left);
  signal(tree, 'SIGTERM');
  const live = () => new Set(processTable().map((p) => p.pid));
  for (const until = Date.now() + 3000; tree.some((pid) => live().has(pid)) && Date.now() < until;) await sleep(100);
  signal(
    tree.filter((pid) => live().has(pid)),
    'SIGKILL',
  );
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
