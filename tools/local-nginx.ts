import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DOCKER_CONTEXT_DIR } from './image-tag';

/** The files of docker/ that make up nginx's configuration, as the Dockerfile copies them to /etc/nginx. */
export const CONFIG_FILES = ['nginx.conf', 'security-headers.conf'];

/**
 * Where the image keeps things, and where a local run under a temporary prefix keeps them instead.
 * The config files are the image's own; only these absolute paths and the listen address change.
 */
export function localPaths(prefix: string): Array<[containerPath: string, localPath: string]> {
  return [
    ['/etc/nginx/', `${prefix}/conf/`],
    ['/usr/share/nginx/html', `${prefix}/html`],
    ['/var/cache/nginx/', `${prefix}/cache/`],
    ['/tmp/', `${prefix}/tmp/`],
    // Node gives a child sockets, not pipes, for stdio, and /dev/stdout cannot be opened on a socket.
    ['/dev/stdout', `${prefix}/tmp/access.log`],
  ];
}

/** Rewrites one of the image's config files for a run under `prefix`, listening on 127.0.0.1:port. */
export function localConfig(text: string, prefix: string, port: number): string {
  const mapping = new Map(localPaths(prefix));
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  // One pass, so a prefix that itself lies under /tmp is not rewritten twice.
  const containerPath = new RegExp([...mapping.keys()].map(escape).join('|'), 'g');
  return text
    .replace(/^(\s*)listen 8080;/m, `$1listen 127.0.0.1:${port};`)
    .replace(containerPath, (match) => mapping.get(match)!);
}

/** The nginx binary, from PATH or Debian's /usr/sbin. */
export function findNginx(): string | undefined {
  for (const candidate of ['nginx', '/usr/sbin/nginx']) {
    if (spawnSync(candidate, ['-v'], { stdio: 'ignore' }).status === 0) return candidate;
  }
  return undefined;
}

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Lays out the image's config and content under a fresh prefix. Workers may drop to nobody, so all is readable. */
export function prepareLocalPrefix(port: number, dockerDir = DOCKER_CONTEXT_DIR): string {
  const prefix = mkdtempSync(path.join(tmpdir(), 'nginx-preview-'));
  chmodSync(prefix, 0o755);
  for (const dir of ['conf', 'cache', 'tmp']) mkdirSync(path.join(prefix, dir), { mode: 0o777 });
  chmodSync(path.join(prefix, 'cache'), 0o777);
  chmodSync(path.join(prefix, 'tmp'), 0o777);
  cpSync(path.join(dockerDir, 'html'), path.join(prefix, 'html'), { recursive: true });
  for (const file of CONFIG_FILES) {
    const text = readFileSync(path.join(dockerDir, file), 'utf8');
    writeFileSync(path.join(prefix, 'conf', file), localConfig(text, prefix, port));
  }
  return prefix;
}

export interface LocalNginx {
  readonly url: string;
  readonly prefix: string;
  /** The JSON access log so far (stdout in the image, a file under the prefix here). */
  accessLog(): string;
  /** Stops nginx gracefully (SIGQUIT, as the image's STOPSIGNAL), then removes the prefix. */
  stop(): Promise<void>;
}

function nginxArgs(prefix: string): string[] {
  // -e: the startup error log, before the config's own error_log applies.
  return ['-p', `${prefix}/`, '-c', `${prefix}/conf/nginx.conf`, '-e', 'stderr'];
}

/** `nginx -t` on the image's config under a prefix; returns nginx's own report. */
export function testConfig(nginx: string, prefix: string): { ok: boolean; output: string } {
  const result = spawnSync(nginx, ['-t', ...nginxArgs(prefix)], { encoding: 'utf8' });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}`.trim() };
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Starts the system nginx with the image's config on a loopback port, and waits until it answers. */
export async function startLocalNginx(options: { port?: number; dockerDir?: string } = {}): Promise<LocalNginx> {
  const nginx = findNginx();
  if (!nginx) throw new Error('nginx is not installed; install it with: apt-get install -y nginx');
  const port = options.port ?? (await freePort());
  const prefix = prepareLocalPrefix(port, options.dockerDir);
  const child = spawn(nginx, [...nginxArgs(prefix), '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = `http://127.0.0.1:${port}`;

  const stop = async () => {
    child.kill('SIGQUIT');
    if (!(await waitForExit(child, 5000))) {
      child.kill('SIGKILL');
      await waitForExit(child, 2000);
    }
    rmSync(prefix, { recursive: true, force: true });
  };

  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) {
      rmSync(prefix, { recursive: true, force: true });
      throw new Error(`nginx exited at start: ${stderr.trim().split('\n').pop()}`);
    }
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`nginx did not answer on ${url} within 10 s: ${stderr.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const accessLogFile = path.join(prefix, 'tmp', 'access.log');
  return { url, prefix, accessLog: () => (existsSync(accessLogFile) ? readFileSync(accessLogFile, 'utf8') : ''), stop };
}

/** Whether a Docker engine answers (the client alone is not enough). */
export function dockerEngineAvailable(): boolean {
  if (!existsSync('/var/run/docker.sock') && !process.env.DOCKER_HOST) return false;
  return spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 5000 }).status === 0;
}
