// Every attack on every command: the command, its arguments, and what its one line must name.
import * as path from 'node:path';
import { AWS_CLIENT_BOUNDS, callBoundSeconds } from '../../../tools/cli/aws';
import { PRODUCTION_ACCOUNT, REGION, REGISTRY_ACCOUNT } from '../../helpers/constants';
import {
  brokenManifest,
  brokenTemplate,
  config,
  dir,
  elsewhere,
  failedAssembly,
  fakeCredentials,
  fifo,
  file,
  folder,
  linkedCheckout,
  linkedContext,
  noProfiles,
  previewTmp,
  tryout,
} from './attack-fixtures';

export interface Attack {
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

export const TOOLS = {
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

/** The longest an AWS command may take against a silent endpoint: one bounded call, and the command's start. */
const SILENT_BOUND = callBoundSeconds(AWS_CLIENT_BOUNDS) + 15;

/** Where the endpoints that accept and never answer, and that answer with HTML, listen. */
export interface Endpoints {
  readonly silentUrl: string;
  readonly htmlUrl: string;
}

export function attacks({ silentUrl, htmlUrl }: Endpoints): Attack[] {
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
      config(
        'cert.json',
        (j) => (j.network.certificateArn = `arn:aws-cn:acm:${REGION}:${PRODUCTION_ACCOUNT}:certificate/x`),
      ),
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
    a('publish-image', ['--role-arn', `arn:aws-cn:iam::${REGISTRY_ACCOUNT}:role/x`, '--dry-run'], /partition aws-cn/),
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
      [
        'http://127.0.0.1:9',
        '--via-function',
        `arn:aws:lambda:${REGION}:${PRODUCTION_ACCOUNT}:function:v`,
        '--timeout',
        '5',
      ],
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
    a('smoke-test', ['http://a', '--via-function', `arn:aws:lambda:${REGION}:1:function:v`], /--via-function is/),
    // Where the input is not what it should be, the line names the file.
    a('deploy', ['--dry-run', '--config', path.join(elsewhere, 'deploy.json')], /is not inside a git checkout/, {
      cwd: elsewhere,
    }),
    a(
      'deploy',
      ['--dry-run', '--config', 'deploy.json'],
      new RegExp(`placeholder lookups for account ${PRODUCTION_ACCOUNT}`),
      {
        cwd: tryout,
      },
    ),
    a('bootstrap', ['--config', 'deploy.json'], new RegExp(`placeholder lookups for account ${PRODUCTION_ACCOUNT}`), {
      cwd: tryout,
    }),
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
