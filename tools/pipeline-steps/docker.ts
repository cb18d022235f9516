// Docker as publish-image runs it: the real CLI, or a stand-in the tests give, behind one small interface.
import { CommandError } from '../cli/command';
import { runProcess } from '../cli/process';

/** Runs docker; injected so tests can stand in for an engine. */
export interface DockerRunner {
  run(args: readonly string[], stdin?: string): Promise<{ code: number; output: string }>;
}

/** docker build and push get this long: a build from a cached base takes a minute, a cold one a few. */
const DOCKER_TIMEOUT_MS = 20 * 60 * 1000;

/** The real docker CLI, streaming its output to stderr as progress. */
export const dockerCli: DockerRunner = {
  run: async (args, stdin) => {
    const run = await runProcess('docker', args, { input: stdin, output: 'tee', timeoutMs: DOCKER_TIMEOUT_MS });
    if (run.startError) return { code: 127, output: `cannot run docker: ${run.startError.message}` };
    if (run.timedOut) {
      return { code: 124, output: `${run.output}\nstopped after ${DOCKER_TIMEOUT_MS / 60_000} minutes` };
    }
    return { code: run.code ?? 1, output: run.output };
  },
};

/** Runs one docker step; a failure is one line with docker's last. */
export async function docker(runner: DockerRunner, what: string, args: string[], stdin?: string): Promise<void> {
  const { code, output } = await runner.run(args, stdin);
  if (code !== 0) {
    const lastLine = output.trim().split('\n').pop() ?? '';
    throw new CommandError(`docker ${what} failed (exit ${code}): ${lastLine}`);
  }
}
