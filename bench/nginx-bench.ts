// `npm run bench:nginx`: load the image's nginx config on a real nginx with autocannon, against a stock
// config serving a static copy of the same page, in one run. Traffic stays on 127.0.0.1.
import { chmodSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import autocannon from 'autocannon';
import { findNginx, freePort, startLocalNginx } from '../tools/local/local-nginx';
import { CommandError, parseCommandLine, runCommand, seconds } from '../tools/cli/command';
import { startProcess } from '../tools/cli/process';
import { tempDir } from './run';

const SPEC = {
  name: 'bench:nginx',
  usage: `
usage: npm run bench:nginx -- [--seconds N]

Loads the image's nginx config and a stock config serving the same page with autocannon on 127.0.0.1.

  --seconds N   load time per target (default 5)
  --help        print this and do nothing
`,
  options: { seconds: { type: 'string' } },
} as const;

let SECONDS = 5;
const CONNECTIONS = 10;

interface Load {
  rps: number;
  p99: number;
  /** Socket errors and timeouts; a few appear when autocannon closes its connections at the end. */
  failures: number;
}

async function load(url: string): Promise<Load> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS });
  if (result.non2xx > 0) throw new CommandError(`${url}: ${result.non2xx} answers were not 2xx`);
  return { rps: result.requests.average, p99: result.latency.p99, failures: result.errors + result.timeouts };
}

/** nginx's stock shape: one server, a root, nothing else, serving the hello page as a plain file. */
async function startStockNginx(): Promise<{ url: string; stop: () => Promise<void> }> {
  const prefix = tempDir('nginx-stock-');
  chmodSync(prefix, 0o755); // workers may run as nobody
  const port = await freePort();
  mkdirSync(path.join(prefix, 'html'));
  mkdirSync(path.join(prefix, 'logs'));
  copyFileSync('docker/html/index.html', path.join(prefix, 'html', 'index.html'));
  writeFileSync(
    path.join(prefix, 'nginx.conf'),
    `pid ${prefix}/nginx.pid;\nevents {}\nhttp {\n  access_log ${prefix}/logs/access.log;\n` +
      `  server { listen 127.0.0.1:${port}; root ${prefix}/html; }\n}\n`,
  );
  const nginx = startProcess(
    findNginx()!,
    ['-p', `${prefix}/`, '-c', `${prefix}/nginx.conf`, '-e', 'stderr', '-g', 'daemon off;'],
    { output: 'ignore' },
  );
  await new Promise((r) => setTimeout(r, 500));
  const stop = () => nginx.stop('SIGQUIT');
  return { url: `http://127.0.0.1:${port}`, stop };
}

async function main() {
  const parsed = parseCommandLine(SPEC, process.argv.slice(2));
  if (!parsed) return;
  SECONDS = seconds('--seconds', parsed.values.seconds, 5);
  // Each server is stopped even when the next one fails to start; its folder goes with the run's.
  let ours: Awaited<ReturnType<typeof startLocalNginx>> | undefined;
  let stock: Awaited<ReturnType<typeof startStockNginx>> | undefined;
  try {
    ours = await startLocalNginx();
    stock = await startStockNginx();
    process.stderr.write(`… ${SECONDS} s of load per target, ${CONNECTIONS} connections\n`);
    const page = await load(`${ours.url}/`);
    const health = await load(`${ours.url}/healthz`);
    const plain = await load(`${stock.url}/index.html`);
    const row = (name: string, r: Load) =>
      console.log(
        `${name.padEnd(30)} ${r.rps.toFixed(0).padStart(8)} req/s   p99 ${r.p99} ms   socket errors ${r.failures}`,
      );
    row('project config  /', page);
    row('project config  /healthz', health);
    row('stock config    /index.html', plain);
    console.log(`ratio project / vs stock static: ${(page.rps / plain.rps).toFixed(2)} (req/s)`);
    console.log(`ratio project /healthz vs stock static: ${(health.rps / plain.rps).toFixed(2)} (req/s)`);
  } finally {
    await stock?.stop();
    await ours?.stop();
  }
}

runCommand(SPEC.name, main);
