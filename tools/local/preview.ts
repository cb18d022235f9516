// `npm run preview`: serve the image's nginx config and content on 127.0.0.1, smoke-test it, keep serving
// until Ctrl-C. With a Docker engine it builds and runs the real image; without one it runs the system
// nginx on the same config files under a temporary prefix.
import { DOCKER_CONTEXT_DIR } from '../../runtime/image-tag';
import { dockerEngineAvailable, freePort, startLocalNginx } from './local-nginx';
import { createServer } from 'node:net';
import { CommandError, parseCommandLine, runCommand, shorten } from '../cli/command';
import { runProcessSync, startProcess } from '../cli/process';
import { runSmokeTest } from '../../runtime/service-checks';

const SPEC = {
  name: 'preview',
  usage: `
usage: npm run preview -- [--port PORT] [--once]

Serves the image on 127.0.0.1 (docker when an engine answers, the system nginx otherwise), smoke-tests it, and
keeps serving until Ctrl-C.

  --port PORT   the local port (default: a free one)
  --once        stop after the smoke test
  --help        print this and do nothing
`,
  options: { port: { type: 'string' }, once: { type: 'boolean' } },
} as const;

/** The port, checked free on 127.0.0.1 before anything starts. */
async function portToUse(raw: string | undefined): Promise<number> {
  if (raw === undefined) return freePort();
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1 || port > 65535) {
    throw new CommandError(`--port is "${shorten(raw)}"; expected a port from 1 to 65535`);
  }
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new CommandError(
          `port ${port} on 127.0.0.1 is ${e.code === 'EADDRINUSE' ? 'in use' : `not usable (${e.code})`}; choose another with --port`,
        ),
      ),
    );
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
  return port;
}

interface Preview {
  readonly url: string;
  readonly how: string;
  stop(): Promise<void>;
}

async function startWithDocker(port: number): Promise<Preview> {
  const image = 'hello-privatelink:preview';
  const build = runProcessSync('docker', ['build', '--build-arg', 'IMAGE_TAG=dev', '-t', image, DOCKER_CONTEXT_DIR], {
    output: 'inherit',
  });
  if (build.code !== 0) throw new CommandError('docker build failed; its output is above');
  // The same constraints as the Fargate task: read-only root, writable /tmp and cache only.
  const name = `hello-privatelink-preview-${port}`;
  const run = startProcess(
    'docker',
    [
      'run',
      '--rm',
      '--name',
      name,
      '--read-only',
      '--tmpfs',
      '/tmp',
      '--tmpfs',
      '/var/cache/nginx',
      '-p',
      `127.0.0.1:${port}:8080`,
      image,
    ],
    { output: 'inherit' },
  );
  return {
    url: `http://127.0.0.1:${port}`,
    how: `docker (${image})`,
    stop: async () => {
      runProcessSync('docker', ['stop', name], { output: 'ignore' });
      await run.stop();
    },
  };
}

async function main(): Promise<number> {
  const parsed = parseCommandLine(SPEC, process.argv.slice(2));
  if (!parsed) return 0;
  const port = await portToUse(parsed.values.port);
  const preview: Preview = dockerEngineAvailable()
    ? await startWithDocker(port)
    : await startLocalNginx({ port }).then((n) => ({
        url: n.url,
        how: `system nginx, prefix ${n.prefix}`,
        stop: n.stop,
      }));

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nstopping the preview…\n');
    await preview.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  console.log(`preview: serving ${preview.url} with ${preview.how}`);
  const result = await runSmokeTest({
    url: preview.url,
    expectVersion: 'dev',
    timeoutSeconds: 30,
    log: (line) => console.log(`  ${line}`),
  });
  console.log(`smoke-test: ${result.ok ? 'PASSED' : 'FAILED'}: ${result.summary}`);
  if (!result.ok) await stop(1);
  if (parsed.values.once) await stop(0);
  console.log(`open ${preview.url} (plain text: ${preview.url}/text); Ctrl-C stops it`);
  return new Promise(() => {});
}

runCommand(SPEC.name, main);
