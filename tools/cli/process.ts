// The one way the tools run another program: arguments as an array, never through a shell, and one result shape.
// runProcess waits for it; startProcess keeps it running (a server) until stop(); runProcessSync blocks, for a probe
// or a git call in a check that runs once.
import { spawn, spawnSync, type ChildProcess, type StdioOptions } from 'node:child_process';
import { CommandError, shorten } from './command';

export interface ProcessOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Written to its stdin, which is then closed. @default - stdin is empty, or the terminal's with 'inherit' */
  readonly input?: string;
  /**
   * Its output: 'capture' keeps both streams; 'tee' keeps them and copies them to stderr, as progress; 'inherit'
   * gives it the terminal's, stdin too unless there is input (the CDK CLI asks there for a profile's MFA code);
   * 'ignore' drops them. @default 'capture'
   */
  readonly output?: 'capture' | 'tee' | 'inherit' | 'ignore';
  /** Stopped with SIGTERM after this long, and the result says so. @default - no limit */
  readonly timeoutMs?: number;
  /** Run as this user and group. @default - the caller's */
  readonly uid?: number;
  readonly gid?: number;
}

export interface ProcessResult {
  /** The exit code; null when a signal ended it or it never started. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Whether timeoutMs ran out and stopped it. */
  readonly timedOut: boolean;
  /** Why it never started, such as `spawn docker ENOENT`. */
  readonly startError?: Error;
  /** What stopped a blocking run that did start: its timeout (ETIMEDOUT) or the output limit (ENOBUFS). */
  readonly runError?: Error;
  readonly stdout: string;
  /** stdout as bytes, for output that is not text (git archive). */
  readonly stdoutBytes: Buffer;
  /** Both streams: as they came, or stdout then stderr from runProcessSync. */
  readonly output: string;
}

/** A program started with startProcess. */
export interface RunningProcess {
  readonly child: ChildProcess;
  /** Resolves once it has ended and its streams are closed. */
  readonly result: Promise<ProcessResult>;
  /** Whether it has exited, or never started. */
  exited(): boolean;
  /** What it printed so far (captured output only). */
  output(): string;
  startError(): Error | undefined;
  /** Sends `signal`; SIGKILL if it has not exited within graceMs. Resolves once it has exited (2 s more at most). */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

/** Enough for npm test's whole output and a git archive of the project; a sync call beyond it fails with ENOBUFS. */
const MAX_OUTPUT_BYTES = 512 * 1024 * 1024;

function stdio(options: ProcessOptions): StdioOptions {
  const output = options.output ?? 'capture';
  const streams = output === 'inherit' || output === 'ignore' ? output : 'pipe';
  const stdin = options.input !== undefined ? 'pipe' : output === 'inherit' ? 'inherit' : 'ignore';
  return [stdin, streams, streams];
}

/** Whether `done` settles within ms. */
function within(done: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  return Promise.race([done.then(() => true), late]).finally(() => clearTimeout(timer));
}

export function startProcess(command: string, args: readonly string[], options: ProcessOptions = {}): RunningProcess {
  const { cwd, env, uid, gid } = options;
  const child = spawn(command, [...args], { cwd, env, uid, gid, stdio: stdio(options) });
  const stdout: Buffer[] = [];
  let output = '';
  let timedOut = false;
  let startError: Error | undefined;
  child.stdout?.on('data', (d: Buffer) => stdout.push(d));
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on('data', (d: Buffer) => {
      output += d.toString();
      if (options.output === 'tee') process.stderr.write(d);
    });
  }
  // A program may exit without reading its input (EPIPE): its exit code says what happened.
  child.stdin?.on('error', () => {});
  child.stdin?.end(options.input);
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          child.kill('SIGTERM');
        }, options.timeoutMs);
  // 'error' without a pid: it never started. With one, a signal could not be sent; the exit still comes.
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.on('error', () => child.pid === undefined && resolve());
  });
  const result = new Promise<ProcessResult>((resolve) => {
    const end = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      const bytes = Buffer.concat(stdout);
      resolve({ code, signal, timedOut, startError, stdout: bytes.toString(), stdoutBytes: bytes, output });
    };
    child.on('error', (error) => {
      if (child.pid !== undefined) return;
      startError = error;
      end(null, null);
    });
    child.once('close', end);
  });
  const exited = () => startError !== undefined || child.exitCode !== null || child.signalCode !== null;
  return {
    child,
    result,
    exited,
    output: () => output,
    startError: () => startError,
    stop: async (signal = 'SIGTERM', graceMs = 5000) => {
      if (exited()) return;
      child.kill(signal);
      if (!(await within(exit, graceMs))) {
        child.kill('SIGKILL');
        await within(exit, 2000);
      }
    },
  };
}

/** Runs a program to its end. */
export function runProcess(command: string, args: readonly string[], options: ProcessOptions = {}) {
  return startProcess(command, args, options).result;
}

/** Runs a program to its end, blocking: 'tee' copies its output to stderr once it has ended. */
export function runProcessSync(command: string, args: readonly string[], options: ProcessOptions = {}): ProcessResult {
  const { cwd, env, uid, gid, input, timeoutMs } = options;
  const run = spawnSync(command, [...args], {
    cwd,
    env,
    uid,
    gid,
    input,
    stdio: stdio(options),
    timeout: timeoutMs,
    maxBuffer: MAX_OUTPUT_BYTES,
  });
  const stdoutBytes = run.stdout ?? Buffer.alloc(0);
  const output = `${stdoutBytes.toString()}${run.stderr?.toString() ?? ''}`;
  if (options.output === 'tee') process.stderr.write(output);
  return {
    code: run.status,
    signal: run.signal,
    timedOut: (run.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT',
    // Without a pid it never started; with one, an error is the timeout or the output limit.
    startError: run.pid ? undefined : run.error,
    runError: run.pid ? run.error : undefined,
    stdout: stdoutBytes.toString(),
    stdoutBytes,
    output,
  };
}

/** The result of a run that exited 0; else a CommandError naming it, with the end of its output. */
export function succeeded<R extends ProcessResult>(what: string, run: R): R {
  if (run.startError) throw new CommandError(`${what} could not start: ${run.startError.message}`);
  if (run.runError) throw new CommandError(`${what} failed: ${run.runError.message}`);
  if (run.code !== 0) throw new CommandError(`${what} exited ${run.code}: ${shorten(run.output.slice(-400), 400)}`);
  return run;
}
