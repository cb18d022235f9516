import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { RUN_TMPDIR_VARIABLE, removeAbandonedRunDirs, setUp } from './global-setup';
import { tearDown } from './global-teardown';
import type { Machine } from './prerequisites';

/** A machine on which every program runs. */
const fullMachine: Machine = {
  platform: 'linux',
  ci: false,
  runs: () => true,
  canInstallPackages: () => undefined,
  install: () => ({ ok: true, detail: '' }),
  progress: () => {},
};

const failWith = (message: string): never => {
  throw new Error(`exit: ${message}`);
};

describe('the global setup and teardown', () => {
  let scratch: string;
  beforeEach(() => (scratch = mkdtempSync(path.join(tmpdir(), 'setup-test-'))));
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  test('give the run one temporary folder that nginx workers can enter, and remove it with all inside', () => {
    // GIVEN an environment for the workers WHEN the setup runs
    const env: NodeJS.ProcessEnv = { PATH: '/usr/bin' };
    setUp(fullMachine, { env, exit: failWith, venvBin: path.join(scratch, 'no-venv') });
    // THEN TMPDIR points at a fresh folder, open to all for reading
    const runDir = env.TMPDIR!;
    expect(env[RUN_TMPDIR_VARIABLE]).toBe(runDir);
    expect(path.basename(runDir)).toMatch(new RegExp(`^privatelink-tests-${process.pid}-`));
    expect(statSync(runDir).mode & 0o777).toBe(0o755);
    // WHEN a test leaves things in it and the teardown runs THEN nothing is left
    mkdirSync(path.join(runDir, 'cdk-test-abc'));
    writeFileSync(path.join(runDir, 'cdk-test-abc', 'manifest.json'), '{}');
    tearDown(env);
    expect(existsSync(runDir)).toBe(false);
  });

  test("quiet npm's own warnings for every npx a test starts", () => {
    const env: NodeJS.ProcessEnv = { PATH: '/usr/bin' };
    setUp(fullMachine, { env, exit: failWith, venvBin: path.join(scratch, 'no-venv') });
    expect(env.npm_config_loglevel).toBe('error');
    tearDown(env);
  });

  test("put the project's venv first on PATH when it exists, for moto_server and cfn-lint", () => {
    const venvBin = path.join(scratch, 'venv-bin');
    mkdirSync(venvBin);
    const env: NodeJS.ProcessEnv = { PATH: '/usr/bin' };
    setUp(fullMachine, { env, exit: failWith, venvBin });
    expect(env.PATH).toBe(`${venvBin}${path.delimiter}/usr/bin`);
    tearDown(env);
  });

  test('stop with the one line, before creating anything, when a program is missing', () => {
    const env: NodeJS.ProcessEnv = { PATH: '/usr/bin' };
    const machine: Machine = {
      ...fullMachine,
      runs: (command) => command !== 'nginx' && command !== '/usr/sbin/nginx',
    };
    expect(() => setUp(machine, { env, exit: failWith, venvBin: path.join(scratch, 'no-venv') })).toThrow(
      /^exit: test setup: nginx is missing/,
    );
    expect(env.TMPDIR).toBeUndefined();
  });

  test('remove the folders of runs killed before their teardown, and only those', () => {
    // GIVEN the folder of a run whose process is gone, of this live one, and an unrelated folder
    const deadPid = spawnSync('true').pid;
    for (const name of [`privatelink-tests-${deadPid}-aaaaaa`, `privatelink-tests-${process.pid}-bbbbbb`, 'other']) {
      mkdirSync(path.join(scratch, name));
    }
    // WHEN the next setup looks THEN only the dead run's folder goes
    expect(removeAbandonedRunDirs(scratch)).toEqual([`privatelink-tests-${deadPid}-aaaaaa`]);
    expect(readdirSync(scratch).sort()).toEqual(['other', `privatelink-tests-${process.pid}-bbbbbb`]);
  });
});
