// The programs the test suite runs besides Node, how to find them, and what to do when one is missing.
// Kept free of aws-cdk-lib and of tools/, so jest's global setup loads it in a blink.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

export const PROJECT_ROOT = path.resolve(__dirname, '../..');

/** Where `python3 -m venv .venv && .venv/bin/pip install -r requirements-dev.txt` puts cfn-lint and moto_server. */
export const VENV_BIN = path.join(PROJECT_ROOT, '.venv', process.platform === 'win32' ? 'Scripts' : 'bin');

/** The one command that installs the Python tools, as .ci/run and the GitHub checks run it. */
export const PYTHON_TOOLS_INSTALL = 'python3 -m venv .venv && .venv/bin/pip install -r requirements-dev.txt';

/** apt-get can take minutes on a cold mirror, but not forever. */
export const NGINX_INSTALL_TIMEOUT_MS = 5 * 60_000;

export interface Program {
  readonly name: string;
  /** Commands to try in order; the first that answers `args` with exit 0 is the one to use. */
  readonly candidates: readonly string[];
  /** Arguments that make the program print something and exit 0. */
  readonly args: readonly string[];
  /** Which tests need it, for messages. */
  readonly neededBy: string;
}

export const NGINX: Program = {
  name: 'nginx',
  // Debian installs it in /usr/sbin, which is not on every user's PATH.
  candidates: ['nginx', '/usr/sbin/nginx'],
  args: ['-v'],
  neededBy: 'the image tests',
};

export const CFN_LINT: Program = {
  name: 'cfn-lint',
  candidates: [path.join(VENV_BIN, 'cfn-lint'), 'cfn-lint'],
  args: ['--version'],
  neededBy: 'the template tests',
};

export const MOTO_SERVER: Program = {
  name: 'moto_server',
  candidates: [path.join(VENV_BIN, 'moto_server'), 'moto_server'],
  args: ['--help'],
  neededBy: 'the publish-image, permission and bundle tests',
};

/** What the setup may ask of the machine; the real one is `thisMachine()`, tests pass a fake. */
export interface Machine {
  readonly platform: NodeJS.Platform;
  /** CI=true (GitHub Actions and .ci/run set it): a skipped suite there is a failure. */
  readonly ci: boolean;
  /** Whether `command ...args` runs and exits 0. */
  runs(command: string, args: readonly string[]): boolean;
  /** Whether this process may install system packages: root, or sudo without a password. */
  canInstallPackages(): { viaSudo: boolean } | undefined;
  /** Runs a shell command within a time bound; `detail` is its last line of output when it fails. */
  install(command: string, timeoutMs: number): { ok: boolean; detail: string };
  /** A progress line, shown at once. */
  progress(line: string): void;
}

/** The first candidate of a program that answers, or undefined. */
export function findProgram(machine: Pick<Machine, 'runs'>, program: Program): string | undefined {
  return program.candidates.find((candidate) => machine.runs(candidate, program.args));
}

export type SetupResult =
  { readonly ok: true; readonly warning?: string } | { readonly ok: false; readonly message: string };

const APT_INSTALL_NGINX =
  'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx </dev/null >/dev/null';

/** What a person on this platform types to get nginx. */
function nginxHint(machine: Machine): string {
  if (machine.platform === 'darwin') return 'brew install nginx';
  if (machine.runs('apt-get', ['--version'])) return 'sudo apt-get install -y nginx';
  if (machine.runs('dnf', ['--version'])) return 'sudo dnf install -y nginx';
  return "your system's package manager (the package is called nginx)";
}

function ensureNginx(machine: Machine): SetupResult {
  if (findProgram(machine, NGINX)) return { ok: true };
  const missing = `test setup: nginx is missing (needed by ${NGINX.neededBy})`;
  const installer = machine.platform === 'linux' ? machine.canInstallPackages() : undefined;
  if (!installer || !machine.runs('apt-get', ['--version'])) {
    return { ok: false, message: `${missing}; install it with: ${nginxHint(machine)}, then run npm test again` };
  }
  machine.progress(`test setup: installing nginx with apt-get (needed by ${NGINX.neededBy})…`);
  const command = installer.viaSudo ? `sudo -n sh -c '${APT_INSTALL_NGINX}'` : APT_INSTALL_NGINX;
  const { ok, detail } = machine.install(command, NGINX_INSTALL_TIMEOUT_MS);
  if (!ok) {
    return {
      ok: false,
      message: `${missing}; apt-get could not install it (${detail}); install it with: ${nginxHint(machine)}`,
    };
  }
  if (!findProgram(machine, NGINX)) {
    return { ok: false, message: `${missing}; apt-get installed it, but neither nginx nor /usr/sbin/nginx runs` };
  }
  return { ok: true };
}

/**
 * cfn-lint and moto_server, which the setup does not install. Without them the run stops at once, with one line
 * saying what to install, in CI and on a person's machine alike: suites that need them would fail, never skip, and a
 * run that goes on without them only buries that line under their failures. nginx is named too when it is missing,
 * so that one look says everything to install.
 */
function checkPythonTools(machine: Machine): SetupResult {
  const missing = [CFN_LINT, MOTO_SERVER].filter((program) => !findProgram(machine, program));
  if (missing.length === 0) return { ok: true };
  const what = `${missing.map((p) => p.name).join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing (needed by ${missing.map((p) => p.neededBy).join(' and ')})`;
  const nginx = findProgram(machine, NGINX) ? '' : `; nginx too: ${nginxHint(machine)}`;
  return {
    ok: false,
    message: `test setup: ${what}, and every suite runs; install with: ${PYTHON_TOOLS_INSTALL}${nginx}, then run npm test again`,
  };
}

/** Checks, and installs where it can, every program the suite needs. Never throws; one line when it stops. */
export function checkPrerequisites(machine: Machine): SetupResult {
  // The Python tools first: when they are missing the run stops, and should not install nginx before it does.
  const python = checkPythonTools(machine);
  if (!python.ok) return python;
  return ensureNginx(machine);
}

/** Whether CI is set the way CI services set it. */
export function isCi(env: NodeJS.ProcessEnv): boolean {
  return !!env.CI && !['0', 'false'].includes(env.CI.toLowerCase());
}

/** This machine, as seen from this process. */
export function thisMachine(env: NodeJS.ProcessEnv = process.env): Machine {
  const runs = (command: string, args: readonly string[], timeout = 20_000) =>
    spawnSync(command, args, { stdio: 'ignore', timeout, env }).status === 0;
  return {
    platform: process.platform,
    ci: isCi(env),
    runs: (command, args) => runs(command, args),
    canInstallPackages: () => {
      if (process.getuid?.() === 0) return { viaSudo: false };
      // -n: fail at once instead of asking for a password.
      return runs('sudo', ['-n', 'true'], 5000) ? { viaSudo: true } : undefined;
    },
    install: (command, timeoutMs) => {
      const result = spawnSync('sh', ['-c', command], { encoding: 'utf8', timeout: timeoutMs, env });
      if (result.status === 0) return { ok: true, detail: '' };
      const lastLine = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').pop() ?? '';
      const detail = result.error
        ? `${(result.error as NodeJS.ErrnoException).code === 'ETIMEDOUT' ? `no answer within ${timeoutMs / 1000} s` : result.error.message}`
        : `exit ${result.status ?? result.signal}: ${lastLine.slice(0, 120)}`;
      return { ok: false, detail };
    },
    progress: (line) => process.stderr.write(`${line}\n`),
  };
}
