import { spawn } from 'node:child_process';
import { fixtureJestConfig } from './fixture-jest';
import {
  CFN_LINT,
  NGINX,
  NGINX_INSTALL_TIMEOUT_MS,
  PROJECT_ROOT,
  PYTHON_TOOLS_INSTALL,
  VENV_BIN,
  checkPrerequisites,
  findProgram,
  isCi,
  thisMachine,
  type Machine,
} from './prerequisites';

/** A machine where exactly the `present` commands run; records what the setup asked of it, in order. */
function fakeMachine(
  options: {
    platform?: NodeJS.Platform;
    ci?: boolean;
    present?: string[];
    installer?: { viaSudo: boolean };
    installResult?: { ok: boolean; detail: string };
    installAdds?: string[];
  } = {},
) {
  const present = new Set(options.present ?? []);
  const events: string[] = [];
  const machine: Machine = {
    platform: options.platform ?? 'linux',
    ci: options.ci ?? false,
    runs: (command) => present.has(command),
    canInstallPackages: () => options.installer,
    install: (command, timeoutMs) => {
      events.push(`install ${command} within ${timeoutMs} ms`);
      for (const p of options.installAdds ?? []) present.add(p);
      return options.installResult ?? { ok: true, detail: '' };
    },
    progress: (line) => events.push(`progress ${line}`),
  };
  return { machine, events };
}

const PYTHON_TOOLS = ['cfn-lint', 'moto_server'];
const APT = 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx </dev/null >/dev/null';

describe('test prerequisites', () => {
  test('pass without a word when nginx, cfn-lint and moto_server all run', () => {
    const { machine, events } = fakeMachine({ present: ['nginx', ...PYTHON_TOOLS] });
    expect(checkPrerequisites(machine)).toEqual({ ok: true });
    expect(events).toEqual([]);
  });

  test("find Debian's nginx in /usr/sbin when it is not on PATH, and the Python tools in the project's venv", () => {
    const { machine } = fakeMachine({
      present: ['/usr/sbin/nginx', `${VENV_BIN}/cfn-lint`, `${VENV_BIN}/moto_server`],
    });
    expect(findProgram(machine, NGINX)).toBe('/usr/sbin/nginx');
    expect(findProgram(machine, CFN_LINT)).toBe(`${VENV_BIN}/cfn-lint`);
    expect(checkPrerequisites(machine)).toEqual({ ok: true });
  });

  test('install a missing nginx with apt-get as root, with a progress line first and a time bound', () => {
    // GIVEN a root shell with apt-get and no nginx
    const { machine, events } = fakeMachine({
      present: ['apt-get', ...PYTHON_TOOLS],
      installer: { viaSudo: false },
      installAdds: ['/usr/sbin/nginx'],
    });
    // WHEN the setup runs THEN it says so, installs, and goes on
    expect(checkPrerequisites(machine)).toEqual({ ok: true });
    expect(events).toEqual([
      'progress test setup: installing nginx with apt-get (needed by the image tests)…',
      `install ${APT} within ${NGINX_INSTALL_TIMEOUT_MS} ms`,
    ]);
    expect(NGINX_INSTALL_TIMEOUT_MS).toBeLessThanOrEqual(10 * 60_000);
  });

  test('install through sudo -n when the user has passwordless sudo', () => {
    const { machine, events } = fakeMachine({
      present: ['apt-get', ...PYTHON_TOOLS],
      installer: { viaSudo: true },
      installAdds: ['nginx'],
    });
    expect(checkPrerequisites(machine)).toEqual({ ok: true });
    expect(events[1]).toBe(`install sudo -n sh -c '${APT}' within ${NGINX_INSTALL_TIMEOUT_MS} ms`);
  });

  test.each([
    ['Debian without root or sudo', 'linux', ['apt-get'], 'sudo apt-get install -y nginx'],
    ['Fedora', 'linux', ['dnf'], 'sudo dnf install -y nginx'],
    ['macOS', 'darwin', [], 'brew install nginx'],
    ['an unknown system', 'linux', [], "your system's package manager (the package is called nginx)"],
  ] as const)('fails at once on %s without nginx, saying what to install', (_case, platform, present, hint) => {
    const { machine, events } = fakeMachine({ platform, present: [...present, ...PYTHON_TOOLS] });
    expect(checkPrerequisites(machine)).toEqual({
      ok: false,
      message: `test setup: nginx is missing (needed by the image tests); install it with: ${hint}, then run npm test again`,
    });
    expect(events).toEqual([]);
  });

  test("fails with apt-get's own last line when the install fails", () => {
    const { machine } = fakeMachine({
      present: ['apt-get', ...PYTHON_TOOLS],
      installer: { viaSudo: false },
      installResult: { ok: false, detail: 'no answer within 300 s' },
    });
    expect(checkPrerequisites(machine)).toEqual({
      ok: false,
      message:
        'test setup: nginx is missing (needed by the image tests); apt-get could not install it ' +
        '(no answer within 300 s); install it with: sudo apt-get install -y nginx',
    });
  });

  test('fails when apt-get reports success but nginx still does not run', () => {
    const { machine } = fakeMachine({ present: ['apt-get', ...PYTHON_TOOLS], installer: { viaSudo: false } });
    const result = checkPrerequisites(machine);
    expect(result).toEqual({ ok: false, message: expect.stringContaining('neither nginx nor /usr/sbin/nginx runs') });
  });

  test.each([true, false])('stops (CI: %s) when cfn-lint or moto_server is missing, before any suite runs', (ci) => {
    const { machine } = fakeMachine({ ci, present: ['nginx', 'cfn-lint'] });
    expect(checkPrerequisites(machine)).toEqual({
      ok: false,
      message:
        'test setup: moto_server is missing (needed by the publish-image, permission and bundle tests), and every ' +
        `suite runs; install with: ${PYTHON_TOOLS_INSTALL}, then run npm test again`,
    });
  });

  test('names both Python tools, and nginx too, without installing anything first', () => {
    const { machine, events } = fakeMachine({ present: ['apt-get'], installer: { viaSudo: false } });
    expect(checkPrerequisites(machine)).toEqual({
      ok: false,
      message:
        'test setup: cfn-lint and moto_server are missing (needed by the template tests and the publish-image, ' +
        `permission and bundle tests), and every suite runs; install with: ${PYTHON_TOOLS_INSTALL}; nginx too: ` +
        'sudo apt-get install -y nginx, then run npm test again',
    });
    expect(events).toEqual([]);
  });

  test.each([
    [{ CI: 'true' }, true],
    [{ CI: '1' }, true],
    [{ CI: 'false' }, false],
    [{ CI: '0' }, false],
    [{}, false],
  ])('reads CI from %j as %s', (env, expected) => {
    expect(isCi(env)).toBe(expected);
  });
});

describe('this machine', () => {
  const machine = thisMachine();

  // The global setup has just found nginx, cfn-lint and moto_server with this very machine; starting the Python tools
  // again costs seconds of CPU, so `runs` is held to Node itself here.
  test('says a program runs when it exits 0, and not when it exits otherwise or does not exist', () => {
    expect(machine.runs(process.execPath, ['--version'])).toBe(true);
    expect(machine.runs(process.execPath, ['-e', 'process.exit(3)'])).toBe(false);
    expect(machine.runs('no-such-program-anywhere', ['--version'])).toBe(false);
  });

  test('bounds an install in time', () => {
    const started = Date.now();
    expect(machine.install('sleep 5', 300)).toEqual({ ok: false, detail: 'no answer within 0.3 s' });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  test('reports a failed install by its exit code and last line', () => {
    expect(machine.install('echo working; echo "E: Unable to locate package nginx" >&2; exit 100', 10_000)).toEqual({
      ok: false,
      detail: 'exit 100: E: Unable to locate package nginx',
    });
  });
});

describe('the global setup under jest', () => {
  /** Runs jest in a child whose global setup sees no nginx and may not install it; returns what a user sees. */
  function runJestWithoutNginx(
    platform: string,
    packageManager: string,
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const config = fixtureJestConfig('**/*.fixture.ts', {
      globalSetup: '<rootDir>/test/helpers/fixtures/no-programs-setup.ts',
    });
    const child = spawn(
      process.execPath,
      [require.resolve('jest/bin/jest'), '--config', JSON.stringify(config), '--ci'],
      {
        cwd: PROJECT_ROOT,
        env: { ...process.env, FIXTURE_PLATFORM: platform, FIXTURE_PACKAGE_MANAGER: packageManager },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  }

  test.each([
    ['linux', 'apt-get', 'sudo apt-get install -y nginx'],
    ['darwin', 'brew', 'brew install nginx'],
  ])(
    'stops a run on %s without nginx within seconds, with one line and no stack trace',
    async (platform, packageManager, hint) => {
      // GIVEN a machine with no nginx that may not install it WHEN jest starts
      const started = Date.now();
      const { code, stdout, stderr } = await runJestWithoutNginx(platform, packageManager);
      // THEN jest exits 1 having printed exactly the one line, and ran no test
      expect(stderr).toBe(
        `test setup: nginx is missing (needed by the image tests); install it with: ${hint}, then run npm test again\n`,
      );
      expect(stdout).toBe('');
      expect(code).toBe(1);
      expect(Date.now() - started).toBeLessThan(15_000);
    },
  );
});
