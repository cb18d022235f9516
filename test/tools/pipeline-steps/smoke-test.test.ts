import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { tmpdir } from 'node:os';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { freePort, startLocalNginx, type LocalNginx } from '../../../tools/local/local-nginx';
import { PAGE_MARKER, runSmokeTest } from '../../../runtime/service-checks';
import { parseSmokeArgs } from '../../../tools/pipeline-steps/smoke-test';
import { PROJECT_ROOT } from '../../helpers/cdk';
import { IMAGE_TAG } from '../../helpers/constants';
import { runTool } from '../../helpers/run-tool';

type Fault = 'healthy' | 'error500' | 'wrongVersion' | 'noMarker' | 'slow' | 'flaky' | 'mixed';

/** One local HTTP server that misbehaves as the path prefix says: /error500/healthz, /slow/..., and so on. */
function startFaultServer(): Promise<{ url: (fault: Fault) => string; close: () => void }> {
  const flakyCounts = new Map<string, number>();
  let mixedAnswers = 0;
  const server = http.createServer((req, res) => {
    const [, fault, ...rest] = (req.url ?? '/').split('/');
    const route = `/${rest.join('/')}`;
    const send = (status: number, body: string): void =>
      void res.writeHead(status, { 'Content-Type': 'text/plain' }).end(body);
    if (fault === 'error500') return send(500, 'boom');
    if (fault === 'slow') return void setTimeout(() => send(200, 'late'), 3000);
    if (fault === 'flaky') {
      const count = (flakyCounts.get(route) ?? 0) + 1;
      flakyCounts.set(route, count);
      if (count < 3) return send(503, 'starting');
    }
    if (route === '/healthz') return send(200, 'ok\n');
    if (route === '/') return send(200, fault === 'noMarker' ? '<html>other server</html>' : `<main ${PAGE_MARKER}>`);
    // mixed: every third /version answer still comes from the old version, as while old targets are still in service.
    if (route === '/version' && fault === 'mixed')
      return send(200, ++mixedAnswers % 3 === 0 ? 'sha-old\n' : 'sha-new\n');
    if (route === '/version') return send(200, fault === 'wrongVersion' ? 'sha-old\n' : 'sha-new\n');
    return send(404, 'not found');
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: (fault) => `http://127.0.0.1:${port}/${fault}`, close: () => server.close() });
    }),
  );
}

describe('smoke-test', () => {
  let nginx: LocalNginx;
  let faults: Awaited<ReturnType<typeof startFaultServer>>;
  // One after the other: if nginx cannot start, the fault server is already open and afterAll closes it.
  beforeAll(async () => {
    faults = await startFaultServer();
    nginx = await startLocalNginx({ dockerDir: path.join(PROJECT_ROOT, 'docker') });
  });
  afterAll(async () => {
    faults?.close();
    await nginx?.stop();
  });
  const quick = { timeoutSeconds: 2, initialBackoffMs: 100 };

  test('passes against the real nginx serving the image config', async () => {
    const lines: string[] = [];
    const result = await runSmokeTest({ url: nginx.url, expectVersion: 'dev', ...quick, log: (l) => lines.push(l) });
    expect(result).toEqual({ ok: true, summary: `${nginx.url} is healthy serving dev` });
    expect(lines).toEqual([
      expect.stringMatching(/^✓ \/healthz/),
      expect.stringMatching(/^✓ \/ /),
      expect.stringMatching(/^✓ \/version/),
    ]);
  });

  test('fails on the real nginx when it serves another version, showing expected and actual', async () => {
    const result = await runSmokeTest({ url: nginx.url, expectVersion: IMAGE_TAG, ...quick });
    expect(result.ok).toBe(false);
    expect(result.summary).toMatch(
      new RegExp(`^/version: version mismatch: expected ${IMAGE_TAG}, got dev \\(gave up after \\d+ attempts`),
    );
  });

  test('fails on a certificate the service name does not chain to a trusted root, naming the TLS error', async () => {
    // GIVEN an HTTPS server with a self-signed certificate for www.example.com, serving the right answers
    const dir = mkdtempSync(path.join(tmpdir(), 'tls-'));
    const server = https.createServer((req, res) => {
      const body = req.url === '/' ? `<main ${PAGE_MARKER}>` : req.url === '/version' ? 'dev\n' : 'ok\n';
      res.writeHead(200).end(body);
    });
    try {
      const made = spawnSync('openssl', [
        ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=www.example.com'],
        ...['-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')],
      ]);
      expect(made.status).toBe(0);
      server.setSecureContext({
        key: readFileSync(path.join(dir, 'key.pem')),
        cert: readFileSync(path.join(dir, 'cert.pem')),
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
      // WHEN the smoke test checks it THEN the certificate fails the check, not the answers
      const result = await runSmokeTest({ url, expectVersion: 'dev', ...quick });
      expect(result.ok).toBe(false);
      expect(result.summary).toMatch(/^\/healthz: TLS certificate rejected \(DEPTH_ZERO_SELF_SIGNED_CERT/);
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('fails clearly when the server is down', async () => {
    const result = await runSmokeTest({ url: `http://127.0.0.1:${await freePort()}`, ...quick });
    expect(result.summary).toMatch(/^\/healthz: unreachable \(ECONNREFUSED\)/);
  });

  test('fails clearly on a 5xx', async () => {
    const result = await runSmokeTest({ url: faults.url('error500'), ...quick });
    expect(result.summary).toMatch(/^\/healthz: bad status 500, expected 200/);
  });

  test('fails clearly when the page lacks its marker', async () => {
    const result = await runSmokeTest({ url: faults.url('noMarker'), ...quick });
    expect(result.summary).toMatch(/^\/: missing marker/);
  });

  test('fails clearly on a version mismatch', async () => {
    const result = await runSmokeTest({ url: faults.url('wrongVersion'), expectVersion: 'sha-new', ...quick });
    expect(result.summary).toMatch(/^\/version: version mismatch: expected sha-new, got sha-old/);
  });

  test('passes only when production answers with the new version 5 times in a row, not while the old one still answers', async () => {
    const lines: string[] = [];
    const mixed = await runSmokeTest({ url: faults.url('mixed'), expectVersion: 'sha-new', ...quick });
    expect(mixed.summary).toMatch(
      /^\/version: version mismatch: expected sha-new, got sha-old \(answer 3 of 5 in a row\)/,
    );
    const settled = await runSmokeTest({
      url: faults.url('healthy'),
      expectVersion: 'sha-new',
      ...quick,
      log: (l) => lines.push(l),
    });
    expect(settled.ok).toBe(true);
    expect(lines.at(-1)).toMatch(/^✓ \/version \(attempt 1, 5 answers in a row,/);
  });

  test('fails with a timeout when the server is slower than the budget', async () => {
    const started = Date.now();
    const result = await runSmokeTest({ url: faults.url('slow'), ...quick });
    expect(result.summary).toMatch(/^\/healthz: timeout: no answer within/);
    expect(Date.now() - started).toBeLessThan(2900);
  });

  test('retries with backoff until a starting server answers', async () => {
    const lines: string[] = [];
    const result = await runSmokeTest({
      url: faults.url('flaky'),
      expectVersion: 'sha-new',
      timeoutSeconds: 10,
      initialBackoffMs: 50,
      log: (l) => lines.push(l),
    });
    expect(result.ok).toBe(true);
    expect(lines.filter((l) => l.includes('bad status 503'))).toHaveLength(6);
    expect(lines).toContain(lines.find((l) => /^✓ \/version \(attempt 3/.test(l)));
  });

  test.each([
    [[], 'missing the service URL; see --help'],
    [['ftp://x'], 'the URL is "ftp://x"; expected an http:// or https:// URL with a host'],
    [['http://x', '--timeout', 'soon'], '--timeout is "soon"; expected a number of seconds above 0 and at most 86400'],
    [['http://x', '--timeout', '0'], '--timeout is "0"'],
    [['http://x', '--verbose'], 'unknown option --verbose; see --help'],
    [['http://x', '--expect-version'], '--expect-version needs a value; see --help'],
    [['http://x', '--expect-version', '--timeout', '5'], '--expect-version needs a value'],
    [['http://x', 'http://y'], 'unexpected argument http://y'],
  ])('rejects the arguments %j with one line', (args, message) => {
    expect(() => parseSmokeArgs(args)).toThrow(message);
  });

  test('--help prints the usage and checks nothing', () => {
    // The usage goes to the spy, not into the test run's output.
    const log = jest.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(parseSmokeArgs(['http://x', '--help'])).toBeUndefined();
      expect(log).toHaveBeenCalledWith(expect.stringMatching(/^usage: npm run smoke-test -- URL/));
    } finally {
      log.mockRestore();
    }
  });

  test('as a command, exits non-zero with one FAILED line', async () => {
    // Asynchronous: the fault server lives in this process and must keep answering meanwhile.
    const failure = await runTool('tools/pipeline-steps/smoke-test.ts', [faults.url('error500'), '--timeout', '2']);
    expect(failure.code).toBe(1);
    expect(
      failure.stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('smoke-test:')),
    ).toEqual([expect.stringMatching(/^smoke-test: FAILED: \/healthz: bad status 500/)]);
  });
});
