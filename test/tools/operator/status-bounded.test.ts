// `npm run status` bounded and strict: against an endpoint that never answers, and with input it refuses.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { AWS_CLIENT_BOUNDS, callBoundSeconds } from '../../../tools/cli/aws';
import { runTool, type ToolRun } from '../../helpers/run-tool';
import { SCRIPT } from './status-fixtures';

describe('status, bounded and strict', () => {
  let silent: Server | undefined;
  const sockets: Socket[] = [];
  let silentUrl = '';
  const dir = mkdtempSync(path.join(tmpdir(), 'status-input-'));
  const env = () => ({
    AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_PROFILE: '',
    AWS_CONFIG_FILE: path.join(dir, 'none'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'none'),
    AWS_ENDPOINT_URL: silentUrl,
  });
  /** Its own lines: `status: ...`, never a stack trace. */
  const own = (run: ToolRun) => run.stderr.split('\n').filter((l) => l.startsWith('status'));

  beforeAll(async () => {
    silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent!.listen(0, '127.0.0.1', resolve));
    silentUrl = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => (silent ? silent.close(resolve) : resolve(undefined)));
    rmSync(dir, { recursive: true, force: true });
  });

  test("against an endpoint that never answers, it ends within one call's bound, naming the call", async () => {
    const started = Date.now();
    const run = await runTool(SCRIPT, [], env());
    const seconds = (Date.now() - started) / 1000;
    expect([run.code, own(run)]).toEqual([
      1,
      ['status: nothing could be read: STS AssumeRole failed: no answer in time (nothing within 10 s)'],
    ]);
    expect(run.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    expect(seconds).toBeGreaterThanOrEqual((AWS_CLIENT_BOUNDS.requestTimeoutMs * AWS_CLIENT_BOUNDS.maxAttempts) / 1000);
    expect(seconds).toBeLessThanOrEqual(callBoundSeconds() + 15);
  });

  test('--timeout ends it sooner, saying the budget stopped it', async () => {
    const started = Date.now();
    const run = await runTool(SCRIPT, ['--timeout', '2'], env());
    expect([run.code, own(run)]).toEqual([
      1,
      [
        "status: nothing could be read: STS AssumeRole failed: no answer in time (stopped at the end of the command's own time budget)",
      ],
    ]);
    expect((Date.now() - started) / 1000).toBeLessThanOrEqual(2 + 15);
  });

  test.each([
    [['--jsn'], 'status: unknown option --jsn; see --help'],
    [['now'], 'status: unexpected argument now; see --help'],
    [['--json=yes'], 'status: --json takes no value; see --help'],
    [['--profile'], 'status: --profile needs a value; see --help'],
    [['--profile', 'two words'], 'status: --profile is "two words"; expected an AWS CLI profile name, such as tooling'],
    [['--timeout', '0'], 'status: --timeout is "0"; expected a number of seconds above 0 and at most 86400'],
    [['--timeout', '-5'], 'status: --timeout is "-5"; expected a number of seconds above 0 and at most 86400'],
    [['--timeout', 'soon'], 'status: --timeout is "soon"; expected a number of seconds above 0 and at most 86400'],
    [['--config', ''], 'status: --config is ""; expected a config file path, such as config/deploy.json'],
  ])('%j is refused in one line, before any AWS call', async (args, line) => {
    const run = await runTool(SCRIPT, args, env());
    expect([run.code, own(run), run.stdout]).toEqual([1, [line], '']);
  });

  test('a config file that does not exist is named', async () => {
    const run = await runTool(SCRIPT, ['--config', path.join(dir, 'missing.json')], env());
    expect(run.code).toBe(1);
    expect(own(run)).toEqual([expect.stringMatching(/^status: .*missing\.json.*no such file/)]);
  });

  test('--help prints the usage and does nothing, whatever else is on the line', async () => {
    const connections = sockets.length;
    const run = await runTool(SCRIPT, ['--help', '--jsn'], env());
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^usage: npm run status -- \[--json\]/);
    expect(run.stdout).toContain('cdk-hnb659fds-lookup-role-<account>-<region>');
    expect(sockets).toHaveLength(connections);
  });
});
