import { readFileSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  findNginx,
  localConfig,
  prepareLocalPrefix,
  startLocalNginx,
  testConfig,
  type LocalNginx,
} from '../../tools/local/local-nginx';
import { PROJECT_ROOT } from '../helpers/cdk';

const DOCKER_DIR = path.join(PROJECT_ROOT, 'docker');

/** A raw request, so that compression and methods are exactly what the test asks for. */
function request(
  url: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the image nginx config on a real nginx', () => {
  let server: LocalNginx;
  beforeAll(async () => {
    // The global setup (test/helpers/global-setup.ts) installs nginx or stops the run before this.
    if (!findNginx()) throw new Error('nginx is missing: run the suite with npm test, whose setup installs it');
    // startLocalNginx stops nginx and removes its prefix itself when it fails to come up; afterAll stops it otherwise.
    server = await startLocalNginx({ dockerDir: DOCKER_DIR });
  });
  afterAll(() => server?.stop());

  test('passes nginx -t', () => {
    const prefix = prepareLocalPrefix(8080, DOCKER_DIR);
    try {
      const { ok, output } = testConfig(findNginx()!, prefix);
      expect(output).toContain('syntax is ok');
      expect(ok).toBe(true);
    } finally {
      rmSync(prefix, { recursive: true, force: true });
    }
  });

  test('runs the image config unchanged but for the listen address and the container paths', () => {
    const original = readFileSync(path.join(DOCKER_DIR, 'nginx.conf'), 'utf8');
    const local = localConfig(original, '/srv/preview', 9999);
    expect(local).toContain('listen 127.0.0.1:9999;');
    const directives = local.split('\n').filter((line) => !line.trim().startsWith('#'));
    for (const containerPath of ['/usr/share/nginx', '/var/cache/nginx', '/etc/nginx', 'pid /tmp/']) {
      expect(directives.filter((line) => line.includes(containerPath))).toEqual([]);
    }
    expect(local.split('\n')).toHaveLength(original.split('\n').length);
  });

  test('serves the hello page filled in by server side includes, with security headers', async () => {
    const { status, headers, body } = await request(`${server.url}/`);
    expect(status).toBe(200);
    expect(headers['content-type']).toBe('text/html');
    const page = body.toString();
    expect(page).toContain('data-page="hello-privatelink"');
    expect(page).not.toContain('<!--#');
    expect(page).toMatch(/<dd>127\.0\.0\.1:\d+<\/dd>/);
    expect(page).toMatch(/<dt>Request ID<\/dt>\s*<dd>[0-9a-f]{32}<\/dd>/);
    expect(headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    });
    expect(headers['content-security-policy']).toMatch(/default-src 'none'; style-src 'self'/);
    expect(headers.server).toBe('nginx');
  });

  test('serves the plain-text variant', async () => {
    const { status, headers, body } = await request(`${server.url}/text`);
    expect(status).toBe(200);
    expect(headers['content-type']).toBe('text/plain');
    expect(body.toString()).toMatch(
      /^Server address: 127\.0\.0\.1:\d+\nServer name: .+\nDate: .+\nURI: \/text\nRequest ID: [0-9a-f]{32}\n$/,
    );
  });

  test('answers /healthz with 200 and keeps it out of the access log', async () => {
    const before = server.accessLog();
    const { status, body } = await request(`${server.url}/healthz`);
    expect(status).toBe(200);
    expect(body.toString()).toBe('ok\n');
    await request(`${server.url}/version`);
    await new Promise((r) => setTimeout(r, 100));
    const added = server.accessLog().slice(before.length);
    expect(added).toContain('"uri":"/version"');
    expect(added).not.toContain('/healthz');
  });

  test('writes the access log as one JSON object per line', async () => {
    await request(`${server.url}/?probe=json`, { headers: { 'User-Agent': 'jest "quoted"' } });
    await new Promise((r) => setTimeout(r, 100));
    const line = server
      .accessLog()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .find((e) => e.uri === '/?probe=json');
    expect(line).toMatchObject({ method: 'GET', status: 200, user_agent: 'jest "quoted"' });
    expect(line.request_id).toMatch(/^[0-9a-f]{32}$/);
  });

  test('serves "dev" at /version from the working tree', async () => {
    const { status, headers, body } = await request(`${server.url}/version`);
    expect(status).toBe(200);
    expect(headers['content-type']).toBe('text/plain');
    expect(body.toString()).toBe('dev\n');
  });

  test('answers unknown paths with a helpful 404 page', async () => {
    const { status, headers, body } = await request(`${server.url}/no/such/page`);
    expect(status).toBe(404);
    expect(headers['content-type']).toBe('text/html');
    expect(body.toString()).toContain('Nothing is served at <code>/no/such/page</code>');
    expect(headers['x-frame-options']).toBe('DENY');
  });

  test('refuses POST with 405 and an Allow header', async () => {
    const { status, headers, body } = await request(`${server.url}/`, { method: 'POST' });
    expect(status).toBe(405);
    expect(headers.allow).toBe('GET, HEAD');
    expect(body.toString()).toContain('only GET and HEAD');
    const ok = await request(`${server.url}/`);
    expect(ok.headers.allow).toBeUndefined();
  });

  test('answers HEAD with headers and no body', async () => {
    const { status, headers, body } = await request(`${server.url}/style.css`, { method: 'HEAD' });
    expect(status).toBe(200);
    expect(headers['content-type']).toBe('text/css');
    expect(body.length).toBe(0);
  });

  test('compresses text with gzip when the client accepts it', async () => {
    const plain = await request(`${server.url}/style.css`);
    const zipped = await request(`${server.url}/style.css`, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toBe('Accept-Encoding');
    expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true);
  });
});
