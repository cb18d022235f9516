// jest globalSetup: make sure the programs the suite runs are here, then give the run one temporary folder.
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { VENV_BIN, checkPrerequisites, thisMachine, type Machine } from './prerequisites';

/** The variable that tells global-teardown.ts which folder to remove. */
export const RUN_TMPDIR_VARIABLE = 'PRIVATELINK_TEST_TMPDIR';

const RUN_TMPDIR_PREFIX = 'privatelink-tests-';

/** Whether a process still runs; EPERM means it does, under another user. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the folders of earlier runs that were killed before their teardown (their jest process is gone). */
export function removeAbandonedRunDirs(parent: string): string[] {
  const abandoned = readdirSync(parent).filter((name) => {
    const pid = new RegExp(`^${RUN_TMPDIR_PREFIX}(\\d+)-`).exec(name)?.[1];
    return pid !== undefined && !alive(Number(pid));
  });
  for (const name of abandoned) rmSync(path.join(parent, name), { recursive: true, force: true });
  return abandoned;
}

/**
 * Prints one line and ends the run. A throw from a global setup makes jest print a stack trace under the line;
 * exiting here prints the line alone (checked in test/helpers/prerequisites.test.ts).
 */
function stop(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

export interface SetUpOptions {
  /** The environment the workers and every process they start inherit. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** What to do with a one-line failure. @default print it and exit 1 */
  readonly exit?: (message: string) => never;
  /** The venv whose programs join PATH when it exists. @default the project's .venv */
  readonly venvBin?: string;
}

/** The setup itself, with the machine and the environment replaceable by tests. */
export function setUp(machine: Machine, options: SetUpOptions = {}): void {
  const { env = process.env, exit = stop, venvBin = VENV_BIN } = options;
  // Tests, and every process they start, find the Python tools in the project's venv too (moto's helper runs plain
  // `moto_server`). Workers start after this and inherit the environment.
  if (existsSync(venvBin)) env.PATH = `${venvBin}${path.delimiter}${env.PATH ?? ''}`;
  const result = checkPrerequisites(machine);
  if (!result.ok) return exit(result.message);
  if (result.warning) process.stderr.write(`${result.warning}\n`);

  // npm's own warnings (such as an unknown key in the user's ~/.npmrc) go to stderr of every `npx` a test starts;
  // no test may depend on them.
  env.npm_config_loglevel = 'error';
  env.npm_config_update_notifier = 'false';

  // One folder for everything the run writes to os.tmpdir(), removed by global-teardown.ts. Readable by all:
  // nginx's workers may run as nobody and serve files from below it.
  removeAbandonedRunDirs(tmpdir());
  const runDir = mkdtempSync(path.join(tmpdir(), `${RUN_TMPDIR_PREFIX}${process.pid}-`));
  chmodSync(runDir, 0o755);
  env[RUN_TMPDIR_VARIABLE] = runDir;
  env.TMPDIR = runDir;
}

export default function globalSetup(): void {
  setUp(thisMachine());
}
