// `npm run preview`: serve the image's nginx config and content on 127.0.0.1, smoke-test it, keep serving
// until Ctrl-C. With a Docker engine it builds and runs the real image; without one it runs the system
// nginx on the same config files under a temporary prefix.
import { spawn, spawnSync } from 'node:child_process';
import { DOCKER_CONTEXT_DIR } from './image-tag';
import { dockerEngineAvailable, freePort, startLocalNginx } from './local-nginx';
import { runSmokeTest } from './smoke-test';

interface Preview {
  readonly url: string;
  readonly how: string;
  stop(): Promise<void>;
}

async function startWithDocker(port: number): Promise<Preview> {
  const image = 'hello-privatelink:preview';
  const build = spawnSync('docker', ['build', '--build-arg', 'IMAGE_TAG=dev', '-t', image, DOCKER_CONTEXT_DIR], {
    stdio: 'inherit',
  });
  if (build.status !== 0) throw new Error('docker build failed; its output is above');
  // The same constraints as the Fargate task: read-only root, writable /tmp and cache only.
  const name = `hello-privatelink-preview-${port}`;
  const run = spawn(
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
    { stdio: 'inherit' },
  );
  return {
    url: `http://127.0.0.1:${port}`,
    how: `docker (${image})`,
    stop: async () => {
      spawnSync('docker', ['stop', name], { stdio: 'ignore' });
      run.kill();
    },
  };
}

async function main(): Promise<number> {
  const port = Number(process.env.PREVIEW_PORT ?? 0) || (await freePort());
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
  if (process.argv.includes('--once')) await stop(0);
  console.log(`open ${preview.url} (plain text: ${preview.url}/text); Ctrl-C stops it`);
  return new Promise(() => {});
}

main().catch((e: Error) => {
  console.error(`preview: ${e.message}`);
  process.exit(1);
});
