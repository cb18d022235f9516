// Runs many invocations of the project's commands one after another in this one Node process, each exactly as
// its npm script would run it (the command's module as the main module, its own argv, environment and working
// folder), and prints what each did as JSON. Starting Node and loading a command's imports costs a fraction of a
// second each; running the command's module again costs milliseconds. See runToolsInOneProcess in run-tool.ts.
//
// What a separate process would give each run, this host gives it too, or reports that it could not:
// - process.exit ends the run with its code: it throws, so nothing after it runs, as in a real exit;
// - an error nobody catches ends the run with its stack on stderr and code 1, as Node prints it;
// - a run that never calls exit ends when nothing is left for it to do, with process.exitCode, as Node ends;
// - whatever the run left running (a timer, a socket, a server) is named in the result, and the caller fails on it:
//   in a real process an exit would stop it, here it would go on into the next run.
import Module from 'node:module';
import * as path from 'node:path';

/** One invocation, as the caller sends it on stdin. */
export interface HostCase {
  /** The command's file, absolute. */
  readonly script: string;
  readonly args: readonly string[];
  /** Added to this process's environment for this run only. */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** How long the run may take before the host gives up on it. */
  readonly timeoutMs: number;
}

/** What one invocation did, as the host prints it. */
export interface HostResult {
  /** The exit code; undefined when the run did not end within its time. */
  readonly code: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
  /** Kinds of work the run left running (Node's active resource names), beyond what the host itself holds. */
  readonly leftRunning: string[];
}

/** Thrown by the stand-in process.exit, so that nothing after an exit runs. */
class Exited {
  constructor(readonly code: number) {}
}

interface Current {
  readonly stdout: string[];
  readonly stderr: string[];
  finish(code: number | undefined): void;
}

let current: Current | undefined;
/** Output written while no run was in progress: a run that went on after its end. */
const stray: string[] = [];

const realStdoutWrite = process.stdout.write.bind(process.stdout);
const realExit = process.exit.bind(process);
const baseEnv = { ...process.env };

function capture(stream: 'stdout' | 'stderr'): typeof process.stdout.write {
  return ((chunk: string | Uint8Array, encoding?: unknown, callback?: unknown) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (current) current[stream].push(text);
    else stray.push(text);
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') process.nextTick(done as () => void);
    return true;
  }) as typeof process.stdout.write;
}

/** What Node does with an error nobody caught: print its stack, and exit 1. */
function uncaught(error: unknown): void {
  if (error instanceof Exited) return;
  const text = `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`;
  if (!current) return void stray.push(text);
  current.stderr.push(text);
  current.finish(1);
}

/**
 * File reads and writes in flight: they end on their own, printing nothing. Every other kind (a timer, a socket, a
 * connect, a lookup, a child process) could go on into the next run.
 */
const FILE_REQUESTS = /^(FSReq\w*|CloseReq|FileHandleCloseReq)$/;

/** Active resources by kind, counted, file requests too or not: what the host holds between runs is the baseline. */
function activeResources(withFileRequests = false): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) {
    if (withFileRequests || !FILE_REQUESTS.test(kind)) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return counts;
}

function beyond(now: Map<string, number>, baseline: Map<string, number>): string[] {
  return [...now].flatMap(([kind, n]) => Array<string>(Math.max(0, n - (baseline.get(kind) ?? 0))).fill(kind));
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

async function run(c: HostCase, baseline: Map<string, number>, idleBaseline: Map<string, number>): Promise<HostResult> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  let finish!: (code: number | undefined) => void;
  const ended = new Promise<number | undefined>((resolve) => (finish = resolve));
  let finished = false;
  current = {
    stdout,
    stderr,
    finish: (code) => {
      if (!finished) finish(code);
      finished = true;
    },
  };
  process.argv = [process.execPath, c.script, ...c.args];
  process.env = { ...baseEnv, ...c.env };
  process.exitCode = undefined;
  process.chdir(c.cwd);
  const started = process.hrtime.bigint();
  // The host's own timers are unreferenced: they keep nothing alive, so Node does not count them as active.
  const timer = setTimeout(() => current?.finish(undefined), c.timeoutMs).unref();
  // A run that never calls exit ends as Node ends it: when nothing is left to do, with process.exitCode.
  let idleTicks = 0;
  const idle = setInterval(() => {
    idleTicks = beyond(activeResources(true), idleBaseline).length === 0 ? idleTicks + 1 : 0;
    if (idleTicks >= 2) current?.finish(Number(process.exitCode ?? 0));
  }, 20).unref();
  // The command's module runs again, as the main module; what it imports stays loaded from earlier runs.
  const file = require.resolve(c.script);
  delete require.cache[file];
  try {
    (Module as unknown as { _load(request: string, parent: null, isMain: boolean): unknown })._load(file, null, true);
  } catch (error) {
    uncaught(error);
  }
  const code = await ended;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  clearTimeout(timer);
  clearInterval(idle);
  // Whatever the exit interrupted gets a turn to settle before the host looks at what is still running.
  await settle();
  current = undefined;
  return {
    code,
    stdout: stdout.join(''),
    stderr: stderr.join(''),
    seconds,
    leftRunning: beyond(activeResources(), baseline),
  };
}

async function main(): Promise<void> {
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  const cases = JSON.parse(input) as HostCase[];
  process.stdout.write = capture('stdout');
  process.stderr.write = capture('stderr');
  process.exit = ((code?: number | string | null) => {
    const n = Number(code ?? process.exitCode ?? 0);
    current?.finish(n);
    throw new Exited(n);
  }) as typeof process.exit;
  process.on('uncaughtException', uncaught);
  process.on('unhandledRejection', uncaught);
  const home = process.cwd();
  // Keeps the host alive between runs, whatever they leave; part of the baseline.
  const alive = setInterval(() => undefined, 2 ** 30);
  await settle();
  const baseline = activeResources();
  const idleBaseline = activeResources(true);
  const results: HostResult[] = [];
  for (const c of cases) results.push(await run({ ...c, script: path.resolve(c.script) }, baseline, idleBaseline));
  clearInterval(alive);
  process.chdir(home);
  realStdoutWrite(`${JSON.stringify({ results, stray: stray.join('') })}\n`, () => realExit(0));
}

main().catch((error: unknown) => {
  realStdoutWrite(`${JSON.stringify({ error: String((error as Error)?.stack ?? error) })}\n`, () => realExit(1));
});
