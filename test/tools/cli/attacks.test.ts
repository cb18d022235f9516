// Malformed input and injected faults against every command, run as a user runs them. Each must end within its
// bound, exit non-zero, and print exactly one line of its own naming what was wrong, with no stack trace.
// Attacks on a process (a silent endpoint, a port in use, a TMPDIR) run as real processes; the rest run one after
// another in one Node process (runToolsInOneProcess), each as its command's main module, and a sample of those runs
// again as a real process must do exactly the same.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { AWS_CLIENT_BOUNDS, callBoundSeconds } from '../../../tools/cli/aws';
import { PLACEHOLDER_KEY } from '../../../tools/cli/placeholder-lookups';
import { defaultConfigJson } from '../../helpers/cdk';
import { runTool, runToolsInOneProcess, type ToolRun } from '../../helpers/run-tool';

interface Attack {
  readonly command: string;
  readonly script: string;
  readonly args: readonly string[];
  /** What the one line must name. */
  readonly names: RegExp;
  readonly env?: NodeJS.ProcessEnv;
  /** Seconds the command may take, its start under a loaded machine included. @default 30 */
  readonly bound?: number;
  /** Where it runs. @default the project root */
  readonly cwd?: string;
  /** A folder the command must leave as empty as it found it (its TMPDIR, say). */
  readonly leavesEmpty?: string;
  /** Whether it runs as a real process of its own: what it attacks is the process, its time or its resources. */
  readonly ownProcess?: boolean;
}

const TOOLS = {
  synth: 'tools/build/synth.ts',
  report: 'tools/report/report.ts',
  'image-tag': 'tools/build/image-tag.ts',
  preview: 'tools/local/preview.ts',
  'lint-workflows': 'tools/local/lint-workflows.ts',
  'smoke-test': 'tools/pipeline-steps/smoke-test.ts',
  'publish-image': 'tools/pipeline-steps/publish-image.ts',
  bootstrap: 'tools/operator/bootstrap.ts',
  deploy: 'tools/operator/deploy.ts',
  'pipeline-watch': 'tools/operator/pipeline-watch.ts',
  bench: 'bench/synth-bench.ts',
  'bench:nginx': 'bench/nginx-bench.ts',
} as const;

const dir = mkdtempSync(path.join(tmpdir(), 'attacks-'));
const file = (name: string, content: string | Buffer) => {
  const at = path.join(dir, name);
  writeFileSync(at, content);
  return at;
};
const config = (name: string, change: (json: Record<string, any>) => void) => {
  const json = structuredClone(defaultConfigJson()) as Record<string, any>;
  change(json);
  return file(name, JSON.stringify(json));
};
const noProfiles = config('no-profiles.json', (j) => delete j.profiles);
const fifo = path.join(dir, 'config.fifo');
execFileSync('mkfifo', [fifo]);
const folder = path.join(dir, 'a-folder');
mkdirSync(folder);
const failedAssembly = path.join(dir, 'failed-assembly');
mkdirSync(failedAssembly);
writeFileSync(path.join(failedAssembly, 'manifest.json'), '{"version":"41.0.0","artifacts":{}}');
writeFileSync(
  path.join(failedAssembly, 'Stack.template.json'),
  '{"Resources":{"S":{"Properties":{"AvailabilityZone":"dummy1a"}}}}',
);

/** A docker context holding a symbolic link to a folder. */
const linkedContext = path.join(dir, 'linked-context');
mkdirSync(path.join(linkedContext, 'real'), { recursive: true });
writeFileSync(path.join(linkedContext, 'Dockerfile'), 'FROM scratch\n');
symlinkSync('real', path.join(linkedContext, 'shared'));
/** A checkout whose docker/ holds a symbolic link to a folder, with the default config. */
const linkedCheckout = path.join(dir, 'linked-checkout');
mkdirSync(path.join(linkedCheckout, 'docker', 'real'), { recursive: true });
writeFileSync(path.join(linkedCheckout, 'docker', 'Dockerfile'), 'FROM scratch\n');
symlinkSync('real', path.join(linkedCheckout, 'docker', 'shared'));
writeFileSync(path.join(linkedCheckout, 'deploy.json'), JSON.stringify(defaultConfigJson()));
/** A folder that is no git checkout and has no docker/, with the default config in it. */
const elsewhere = path.join(dir, 'elsewhere');
mkdirSync(elsewhere);
writeFileSync(path.join(elsewhere, 'deploy.json'), JSON.stringify(defaultConfigJson()));
/** A folder where synth --placeholder-lookups wrote made-up lookups for the workload account. */
const tryout = path.join(dir, 'tryout');
mkdirSync(tryout);
writeFileSync(path.join(tryout, 'deploy.json'), JSON.stringify(defaultConfigJson()));
writeFileSync(
  path.join(tryout, 'cdk.context.json'),
  JSON.stringify({ [PLACEHOLDER_KEY]: { '333333333333': 'made up by npm run synth -- --placeholder-lookups' } }),
);
/** Assemblies whose manifest, or template, is not JSON. */
const brokenManifest = path.join(dir, 'broken-manifest');
mkdirSync(brokenManifest);
writeFileSync(path.join(brokenManifest, 'manifest.json'), '{"version": "41.0.0", "artifacts": ');
const brokenTemplate = path.join(dir, 'broken-template');
mkdirSync(brokenTemplate);
writeFileSync(path.join(brokenTemplate, 'manifest.json'), '{"version":"41.0.0","artifacts":{}}');
writeFileSync(path.join(brokenTemplate, 'Stack.template.json'), 'Resources:\n  Bucket: {}\n');
/** The TMPDIR of the preview run without docker/, which must stay empty. */
const previewTmp = path.join(dir, 'preview-tmp');
mkdirSync(previewTmp);

/** The longest an AWS command may take against a silent endpoint: one bounded call, and the command's start. */
const SILENT_BOUND = callBoundSeconds(AWS_CLIENT_BOUNDS) + 15;

/** Accepts connections and never answers. */
let silent: Server;
const sockets: Socket[] = [];
/** Answers every request with an HTML page, as a proxy or captive portal would. */
let html: Server;
let silentUrl = '';
let htmlUrl = '';
const fakeCredentials = {
  AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'secret',
  AWS_REGION: 'us-east-2',
  AWS_CONFIG_FILE: path.join(dir, 'none'),
  AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'none'),
};

function attacks(): Attack[] {
  const a = (command: keyof typeof TOOLS, args: string[], names: RegExp, extra: Partial<Attack> = {}): Attack => ({
    command,
    script: TOOLS[command],
    args,
    names,
    ...extra,
  });
  const badConfigs: Array<[string, string, RegExp]> = [
    ['missing file', path.join(dir, 'missing.json'), /missing\.json.*no such file/],
    ['named pipe', fifo, /config\.fifo.*not a regular file|config\.fifo/],
    ['folder', folder, /a-folder/],
    ['UTF-16', file('utf16.json', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{}', 'utf16le')])), /UTF-16/],
    ['100,000 brackets', file('nested.json', '['.repeat(100_000) + ']'.repeat(100_000)), /nested\.json/],
    ['not JSON', file('text.json', 'hello: world'), /text\.json.*JSON/],
    ['bad memory', config('memory.json', (j) => (j.service.memoryMiB = 4096)), /service\.memoryMiB.*4096/],
    [
      'non-canonical CIDR',
      config('cidr.json', (j) => (j.network.vpcCidr = '010.0.0.0/16')),
      /vpcCidr.*010\.0\.0\.0\/16/,
    ],
    ['xn-- project', config('xn.json', (j) => (j.projectName = 'xn--app')), /projectName.*xn--/],
    [
      'certificate in another partition',
      config('cert.json', (j) => (j.network.certificateArn = 'arn:aws-cn:acm:us-east-2:333333333333:certificate/x')),
      /certificateArn/,
    ],
    ['long value', config('long.json', (j) => (j.region = 'x'.repeat(5000))), /region/],
  ];
  return [
    // Arguments every command must refuse before acting.
    ...(
      ['synth', 'report', 'preview', 'smoke-test', 'publish-image', 'bootstrap', 'deploy', 'pipeline-watch'] as const
    ).map((command) => a(command, ['--dry-rn'], /unknown option --dry-rn/)),
    a('image-tag', ['docker', 'extra'], /unexpected argument extra/),
    a('lint-workflows', ['--jsn'], /unknown option --jsn/),
    a('bench', ['--runs', '0'], /--runs.*"0"/),
    a('bench', ['--runs', 'many'], /--runs.*"many"/),
    a('bench', ['--baseline', 'no-such-commit'], /--baseline is "no-such-commit"; expected a commit/),
    a('bench:nginx', ['--seconds', '0'], /--seconds is "0"/),
    a('synth', ['--config'], /--config needs a value/),
    a('synth', ['-c', 'config=x.json'], /unknown option -c/),
    a('synth', ['stray'], /unexpected argument stray/),
    a('deploy', ['--timeout'], /--timeout needs a value/),
    a('deploy', ['--timeout', '0', '--dry-run'], /--timeout is "0"/),
    a('deploy', ['--timeout', '-5', '--dry-run'], /--timeout/),
    a('deploy', ['--timeout', 'soon', '--dry-run'], /--timeout is "soon"/),
    a('deploy', ['--dry-run', 'now'], /unexpected argument now/),
    a('pipeline-watch', [], /--execution is missing/),
    a('pipeline-watch', ['--execution'], /--execution needs a value/),
    a('pipeline-watch', ['--execution', 'e1', '--timeout', 'NaN'], /--timeout is "NaN"/),
    a('publish-image', ['--role-arn', 'not-an-arn', '--dry-run'], /--role-arn is "not-an-arn"/),
    a('publish-image', ['--role-arn', 'arn:aws:s3:::bucket', '--dry-run'], /--role-arn.*IAM role ARN/),
    a('publish-image', ['--role-arn', 'arn:aws-cn:iam::222222222222:role/x', '--dry-run'], /partition aws-cn/),
    a('publish-image', ['--scan-timeout', '0', '--dry-run'], /--scan-timeout is "0"/),
    a('smoke-test', [], /missing the service URL/),
    a('smoke-test', ['ftp://example.com'], /"ftp:\/\/example\.com"/),
    a('smoke-test', ['not a url'], /"not a url"/),
    a('smoke-test', ['http://a', 'http://b'], /unexpected argument http:\/\/b/),
    a('smoke-test', ['http://a', '--expect-version'], /--expect-version needs a value/),
    a('smoke-test', ['http://a', '--expect-version', '--timeout', '5'], /--expect-version needs a value/),
    a('smoke-test', ['http://a', '--timeout', '1e9'], /--timeout is "1e9"/),
    a('smoke-test', ['http://a', '--expect-version', 'a b'], /--expect-version is "a b"/),
    a('preview', ['--port', '0'], /--port is "0"/),
    a('preview', ['--port', '70000'], /--port is "70000"/),
    a('preview', ['--port', 'http'], /--port is "http"/),
    a('preview', ['--port', new URL(silentUrl).port], /port \d+ on 127\.0\.0\.1 is in use/, { ownProcess: true }),
    a('report', ['--assembly', path.join(dir, 'nowhere')], /nowhere\/manifest\.json does not exist/),
    a('report', ['--assembly', failedAssembly], /Stack\.template\.json has placeholder availability zones/),
    a('report', ['--out'], /--out needs a value/),
    a('image-tag', [path.join(dir, 'no-such-dir')], /no-such-dir is not a folder/),
    a('lint-workflows', ['--dir', path.join(dir, 'no-workflows')], /no-workflows does not exist/),
    a('bootstrap', ['--config'], /--config needs a value/),
    // Configuration every command reads the same way.
    ...badConfigs.flatMap(([, at, names]) => [
      a('deploy', ['--dry-run', '--config', at], names),
      a('bootstrap', ['--dry-run', '--config', at], names),
    ]),
    // Endpoints that accept and never answer, or answer with something that is not AWS.
    a('smoke-test', [silentUrl, '--timeout', '2'], /FAILED: .*timeout/, { bound: 15, ownProcess: true }),
    a('smoke-test', [htmlUrl, '--timeout', '2'], /FAILED: .*marker/, { bound: 15, ownProcess: true }),
    a(
      'pipeline-watch',
      ['--execution', 'e1', '--timeout', '3'],
      /CodePipeline GetPipelineExecution failed: no answer/,
      {
        env: { ...fakeCredentials, AWS_ENDPOINT_URL: silentUrl },
        bound: 20,
        ownProcess: true,
      },
    ),
    a(
      'pipeline-watch',
      ['--execution', 'e1', '--timeout', '30'],
      /CodePipeline GetPipelineExecution failed: the endpoint did not answer like AWS/,
      {
        env: { ...fakeCredentials, AWS_ENDPOINT_URL: htmlUrl },
        bound: 30,
        ownProcess: true,
      },
    ),
    a('publish-image', ['--scan-timeout', '5'], /ECR DescribeRepositories failed/, {
      env: { ...fakeCredentials, AWS_ENDPOINT_URL: htmlUrl },
      bound: 40,
      ownProcess: true,
    }),
    // Every command that calls AWS, against an endpoint that accepts and never answers: one line naming the call.
    a('publish-image', ['--scan-timeout', '5'], /ECR DescribeRepositories failed: no answer in time/, {
      env: { ...fakeCredentials, AWS_ENDPOINT_URL: silentUrl },
      bound: SILENT_BOUND,
      ownProcess: true,
    }),
    a(
      'deploy',
      ['--timeout', '30'],
      /CloudFormation DescribeStacks failed: no answer in time \(nothing within 10 s\)/,
      {
        env: { ...fakeCredentials, AWS_ENDPOINT_URL: silentUrl },
        bound: SILENT_BOUND,
        ownProcess: true,
      },
    ),
    a('bootstrap', ['--config', noProfiles], /IAM CreatePolicy failed: no answer in time.*nothing was bootstrapped/, {
      env: { ...fakeCredentials, AWS_ENDPOINT_URL: silentUrl },
      bound: SILENT_BOUND,
      ownProcess: true,
    }),
    a('pipeline-watch', ['--execution', 'e1'], /CodePipeline GetPipelineExecution failed: no answer in time/, {
      env: { ...fakeCredentials, AWS_ENDPOINT_URL: silentUrl },
      bound: SILENT_BOUND,
      ownProcess: true,
    }),
    a(
      'smoke-test',
      ['http://127.0.0.1:9', '--via-function', 'arn:aws:lambda:us-east-2:333333333333:function:v', '--timeout', '5'],
      /Lambda Invoke failed: no answer in time/,
      { env: { ...fakeCredentials, AWS_ENDPOINT_URL: silentUrl }, bound: 5 + 10 + 15, ownProcess: true },
    ),
    // Empty and negative values are values, named as such.
    a('synth', ['--config', ''], /--config is ""; expected a config file path/),
    a('pipeline-watch', ['--execution', 'e1', '--config', ''], /--config is ""; expected a config file path/),
    ...(['deploy', 'bootstrap', 'publish-image'] as const).map((command) =>
      a(command, ['--config', '', '--dry-run'], /--config is ""; expected a config file path/),
    ),
    a('pipeline-watch', ['--execution', 'e1', '--pipeline', ''], /--pipeline is ""; expected a pipeline name/),
    a('pipeline-watch', ['--execution', 'e1', '--timeout', '-5'], /--timeout is "-5"/),
    a('smoke-test', ['http://a', '--timeout', '-5'], /--timeout is "-5"; expected a number of seconds/),
    a('smoke-test', ['http://a', '--timeout', '-0.5'], /--timeout is "-0\.5"/),
    a('publish-image', ['--scan-timeout', '-1', '--dry-run'], /--scan-timeout is "-1"/),
    a('deploy', ['--profile', 'two words', '--dry-run'], /--profile is "two words"; expected an AWS CLI profile name/),
    a('smoke-test', ['http://a', '--via-function', 'arn:aws:lambda:us-east-2:1:function:v'], /--via-function is/),
    // Where the input is not what it should be, the line names the file.
    a('deploy', ['--dry-run', '--config', path.join(elsewhere, 'deploy.json')], /is not inside a git checkout/, {
      cwd: elsewhere,
    }),
    a('deploy', ['--dry-run', '--config', 'deploy.json'], /placeholder lookups for account 333333333333/, {
      cwd: tryout,
    }),
    a('bootstrap', ['--config', 'deploy.json'], /placeholder lookups for account 333333333333/, { cwd: tryout }),
    a(
      'deploy',
      [
        '--dry-run',
        '--config',
        config('two-mistakes.json', (j) => {
          j.service.memoryMiB = 4096;
          j.network.vpcCidr = '10.0.0.1/16';
        }),
      ],
      /2 problems: \(1\) field "network\.vpcCidr".*; \(2\) field "service\.memoryMiB"/,
    ),
    a('report', ['--assembly', brokenManifest], /broken-manifest\/manifest\.json is not valid JSON/),
    a('report', ['--assembly', brokenTemplate], /broken-template\/Stack\.template\.json is not valid JSON/),
    a('image-tag', [linkedContext], /linked-context\/shared is a symbolic link to a folder/),
    a('publish-image', ['--dry-run', '--config', 'deploy.json'], /^publish-image: docker\/shared is a symbolic link/, {
      cwd: linkedCheckout,
    }),
    a('preview', ['--once'], /docker\/html does not exist/, {
      cwd: elsewhere,
      env: { TMPDIR: previewTmp },
      leavesEmpty: previewTmp,
      ownProcess: true,
    }),
  ];
}

interface Result {
  readonly attack: Attack;
  readonly code: number;
  readonly lines: string[];
  readonly trace: boolean;
  readonly seconds: number;
  /** What a run in the shared process left running, which an exit would have stopped. */
  readonly leftRunning: readonly string[];
}

function judge(attack: Attack, run: ToolRun, seconds: number, leftRunning: readonly string[] = []): Result {
  const lines = run.stderr.split('\n').filter((l) => l.startsWith(`${attack.command}:`));
  // tsx keeps its compile cache there (tsx-<uid>); anything else is the command's.
  const left = attack.leavesEmpty ? readdirSync(attack.leavesEmpty).filter((f) => !f.startsWith('tsx-')) : [];
  if (left.length > 0) lines.push(`left behind in ${attack.leavesEmpty}: ${left.join(', ')}`);
  return { attack, code: run.code, lines, trace: /^\s+at .+:\d+:\d+\)?$/m.test(run.stderr), seconds, leftRunning };
}

/**
 * Runs the attacks on a process as real processes, a few at a time, the longest-bounded first (those mostly wait on
 * a silent endpoint) together with each command's --help and the sample; meanwhile the rest run in one process.
 * The sample: for each command with no attack in a process of its own, its first attack again as a real process.
 */
async function runAll(list: Attack[]) {
  const shared = list.filter((attack) => !attack.ownProcess);
  const alone = new Set(list.filter((attack) => attack.ownProcess).map((attack) => attack.command));
  const sample = (Object.keys(TOOLS) as Array<keyof typeof TOOLS>)
    .filter((command) => !alone.has(command))
    .map((command) => shared.find((attack) => attack.command === command)!);
  const helps: Array<{ script: string; run: ToolRun }> = [];
  const own: Result[] = [];
  const sampled: Result[] = [];
  const queue: Array<() => Promise<void>> = [
    ...list
      .filter((attack) => attack.ownProcess)
      .sort((x, y) => (y.bound ?? 30) - (x.bound ?? 30))
      .map((attack) => async () => void own.push(await runReal(attack))),
    ...sample.map((attack) => async () => void sampled.push(await runReal(attack))),
    ...Object.values(TOOLS).map(
      (script) => async () => void helps.push({ script, run: await runTool(script, ['--help', '--dry-rn']) }),
    ),
  ];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) await next();
  };
  const [hosted] = await Promise.all([
    runToolsInOneProcess(
      shared.map((attack) => ({
        script: attack.script,
        args: attack.args,
        env: attack.env as Record<string, string>,
        cwd: attack.cwd,
        timeoutSeconds: attack.bound ?? 30,
      })),
    ),
    // Six at a time: the first ones mostly wait on a silent endpoint, using no CPU, while the others run.
    ...Array.from({ length: 6 }, worker),
  ]);
  const inOneProcess = shared.map((attack, i) => judge(attack, hosted[i], hosted[i].seconds, hosted[i].leftRunning));
  return { results: [...own, ...inOneProcess], sample: { real: sampled, inOneProcess }, helps };
}

async function runReal(attack: Attack): Promise<Result> {
  const started = Date.now();
  const run = await runTool(attack.script, [...attack.args], attack.env, attack.cwd);
  return judge(attack, run, (Date.now() - started) / 1000);
}

describe('every command, attacked', () => {
  let results: Result[] = [];
  let sample: Awaited<ReturnType<typeof runAll>>['sample'] = { real: [], inOneProcess: [] };
  let helps: Awaited<ReturnType<typeof runAll>>['helps'] = [];

  beforeAll(async () => {
    silent = createServer((socket) => sockets.push(socket));
    html = createServer((socket) =>
      socket.once('data', () =>
        socket.end('HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: 24\r\n\r\n<!doctype html><p>hi</p>'),
      ),
    );
    const listen = (server: Server) =>
      new Promise<string>((resolve) =>
        server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as { port: number }).port}`)),
      );
    [silentUrl, htmlUrl] = await Promise.all([listen(silent), listen(html)]);
    ({ results, sample, helps } = await runAll(attacks()));
  }, 300_000);

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await Promise.all([silent, html].map((s) => new Promise((resolve) => (s ? s.close(resolve) : resolve(undefined)))));
    rmSync(dir, { recursive: true, force: true });
  });

  test('at least 90 attacks ran, with a silent endpoint for every command that calls AWS', () => {
    expect(results.length).toBeGreaterThanOrEqual(90);
    const silentOnes = results.filter(({ attack }) => attack.env?.AWS_ENDPOINT_URL === silentUrl);
    expect(new Set(silentOnes.map(({ attack }) => attack.command))).toEqual(
      new Set(['publish-image', 'deploy', 'bootstrap', 'pipeline-watch', 'smoke-test']),
    );
  });

  test('each ends within its bound, non-zero, with one line naming what was wrong, and no trace', () => {
    const problems = results
      .filter(({ attack, code, lines, trace, seconds, leftRunning }) => {
        const ok =
          code !== 0 &&
          lines.length === 1 &&
          attack.names.test(lines[0]) &&
          !trace &&
          seconds <= (attack.bound ?? 30) &&
          leftRunning.length === 0;
        return !ok;
      })
      .map(({ attack, code, lines, trace, seconds, leftRunning }) => ({
        run: `${attack.command} ${attack.args.join(' ').slice(0, 80)}`,
        code,
        lines,
        trace,
        seconds,
        leftRunning,
        expected: String(attack.names),
      }));
    expect(problems).toEqual([]);
  });

  test('--help prints usage and does nothing, for every command, each a real process', () => {
    expect(helps.map(({ script }) => script).sort()).toEqual(Object.values(TOOLS).sort());
    for (const { script, run } of helps) {
      expect([script, run.code, run.stdout.startsWith('usage: ')]).toEqual([script, 0, true]);
    }
  });

  test('an attack run in the shared process ends as it does in a real process: same code, same line, no trace', () => {
    // Every command has a failing run as a real process: among the attacks on a process, or in the sample.
    const real = new Set(
      [...results.filter(({ attack }) => attack.ownProcess), ...sample.real].map((r) => r.attack.command),
    );
    expect([...real].sort()).toEqual(Object.keys(TOOLS).sort());
    expect(sample.real.length).toBeGreaterThan(0);
    const seen = (r: Result) => [r.attack.command, r.attack.args, r.code, r.lines, r.trace];
    for (const real of sample.real) {
      expect(seen(real)).toEqual(seen(sample.inOneProcess.find(({ attack }) => attack === real.attack)!));
    }
  });
});
