import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DOCKER_CONTEXT_DIR } from '../../runtime/image-tag';
import { CommandError } from '../cli/command';
import { runProcessSync, startProcess } from '../cli/process';

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
  return rewriteConfig(text, localPaths(prefix), port);
}

/** Rewrites container paths by `mapping` and the listen address to 127.0.0.1:port; nothing else changes. */
export function rewriteConfig(text: string, mapping: Array<[from: string, to: string]>, port: number): string {
  const byPath = new Map(mapping);
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  // One pass, so a target that itself lies under a mapped path is not rewritten twice.
  const containerPath = new RegExp([...byPath.keys()].map(escape).join('|'), 'g');
  return text
    .replace(/^(\s*)listen 8080;/m, `$1listen 127.0.0.1:${port};`)
    .replace(containerPath, (match) => byPath.get(match)!);
}

/** The nginx binary, from PATH or Debian's /usr/sbin. */
export function findNginx(): string | undefined {
  for (const candidate of ['nginx', '/usr/sbin/nginx']) {
    if (runProcessSync(candidate, ['-v'], { output: 'ignore' }).code === 0) return candidate;
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
  // What the prefix copies must be there before the prefix is made: a missing docker/ leaves nothing behind.
  for (const needed of ['html', ...CONFIG_FILES]) {
    if (!existsSync(path.join(dockerDir, needed))) {
      throw new CommandError(
        `${path.join(dockerDir, needed)} does not exist; expected the image's files in ${dockerDir}/`,
      );
    }
  }
  const prefix = mkdtempSync(path.join(tmpdir(), 'nginx-preview-'));
  try {
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
  } catch (error) {
    removePrefix(prefix);
    throw error;
  }
}

export interface LocalNginx {
  readonly url: string;
  readonly prefix: string;
  /** The JSON access log so far (stdout in the image, a file under the prefix here). */
  accessLog(): string;
  /** Stops nginx gracefully (SIGQUIT, as the image's STOPSIGNAL), then removes the prefix. */
  stop(): Promise<void>;
}

function nginxArgs(prefix: string, configFile = `${prefix}/conf/nginx.conf`): string[] {
  // -e: the startup error log, before the config's own error_log applies.
  return ['-p', `${prefix}/`, '-c', configFile, '-e', 'stderr'];
}

/** `nginx -t` on the image's config under a prefix; returns nginx's own report. */
export function testConfig(nginx: string, prefix: string): { ok: boolean; output: string } {
  const result = runProcessSync(nginx, ['-t', ...nginxArgs(prefix)]);
  return { ok: result.code === 0, output: result.output.trim() };
}

/** Starts the system nginx with the image's config on a loopback port, and waits until it answers. */
export async function startLocalNginx(options: { port?: number; dockerDir?: string } = {}): Promise<LocalNginx> {
  const port = options.port ?? (await freePort());
  const nginx = requireNginx();
  const prefix = prepareLocalPrefix(port, options.dockerDir);
  return launchNginx({ nginx, prefix, port, accessLogFile: path.join(prefix, 'tmp', 'access.log') });
}

/** The nginx binary, or an error saying how to get it. */
export function requireNginx(): string {
  const nginx = findNginx();
  if (!nginx) throw new CommandError('nginx is not installed; install it with: apt-get install -y nginx');
  return nginx;
}

export interface NginxLaunch {
  readonly nginx: string;
  /** nginx's prefix; removed when nginx stops or fails to start. */
  readonly prefix: string;
  readonly port: number;
  /** @default - `<prefix>/conf/nginx.conf` */
  readonly configFile?: string;
  /** Where the config's /dev/stdout access log was pointed. */
  readonly accessLogFile: string;
  /** Run as this user and group instead of the caller. @default - the caller */
  readonly uid?: number;
  readonly gid?: number;
}

/** Removes a prefix, including directories a run made read-only. */
export function removePrefix(dir: string): void {
  if (!existsSync(dir)) return;
  chmodSync(dir, 0o700);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) removePrefix(path.join(dir, entry.name));
  }
  rmSync(dir, { recursive: true, force: true });
}

/** Runs nginx in the foreground and waits until /healthz answers; on failure, nothing is left behind. */
export async function launchNginx(launch: NginxLaunch): Promise<LocalNginx> {
  const { prefix, accessLogFile } = launch;
  const nginx = startProcess(launch.nginx, [...nginxArgs(prefix, launch.configFile), '-g', 'daemon off;'], {
    uid: launch.uid,
    gid: launch.gid,
  });
  const url = `http://127.0.0.1:${launch.port}`;

  const stop = async () => {
    await nginx.stop('SIGQUIT');
    removePrefix(prefix);
  };

  const deadline = Date.now() + 10_000;
  for (;;) {
    if (nginx.exited()) {
      removePrefix(prefix);
      throw new CommandError(
        `nginx exited at start: ${(nginx.startError()?.message ?? nginx.output()).trim().split('\n').pop()}`,
      );
    }
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new CommandError(`nginx did not answer on ${url} within 10 s: ${nginx.output().trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { url, prefix, accessLog: () => (existsSync(accessLogFile) ? readFileSync(accessLogFile, 'utf8') : ''), stop };
}

/** Whether a Docker engine answers (the client alone is not enough). */
export function dockerEngineAvailable(): boolean {
  if (!existsSync('/var/run/docker.sock') && !process.env.DOCKER_HOST) return false;
  return runProcessSync('docker', ['info'], { output: 'ignore', timeoutMs: 5000 }).code === 0;
}
