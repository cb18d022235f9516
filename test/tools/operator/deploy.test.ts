// `npm run deploy` as a newcomer runs it: the dry run, the refusals, the warning about what HEAD leaves out, and
// the command that resumes after an upload whose start failed (the rollback: deploy-rollback.suite.ts).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { defaultConfigJson } from '../../helpers/cdk';
import { EXAMPLE_UUID, PROJECT_NAME, REGION, TOOLING_ACCOUNT } from '../../helpers/constants';
import { runTool } from '../../helpers/run-tool';

const run = (args: string[]) => runTool('tools/operator/deploy.ts', args);

describe('deploy', () => {
  test('--dry-run lists the four steps with the bucket, key and pipeline from config, calling nothing', async () => {
    const result = await run(['--dry-run']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toBe('deploy (dry run): nothing is called');
    expect(lines[1]).toBe(
      '  1. if stack hello-privatelink-pipeline is missing: npx cdk deploy Pipeline --require-approval never',
    );
    expect(lines[2]).toMatch(
      new RegExp(
        `^ {2}2\\. git archive --format=zip [0-9a-f]{40} → s3://hello-privatelink-source-${TOOLING_ACCOUNT}/source/source\\.zip$`,
      ),
    );
    expect(lines[3]).toBe(`  3. start pipeline ${PROJECT_NAME} on that object version`);
  });

  test('refuses a CodeConnections source with one line, since the pipeline starts on push by itself', async () => {
    const json = defaultConfigJson() as Record<string, any>;
    json.pipeline.source = {
      type: 'codeconnections',
      connectionArn: `arn:aws:codeconnections:${REGION}:${TOOLING_ACCOUNT}:connection/${EXAMPLE_UUID}`,
      repository: 'acme/app',
      branch: 'main',
    };
    const folder = mkdtempSync(path.join(tmpdir(), 'deploy-'));
    const file = path.join(folder, 'deploy.json');
    writeFileSync(file, JSON.stringify(json));
    const result = await run(['--config', file, '--dry-run']).finally(() =>
      rmSync(folder, { recursive: true, force: true }),
    );
    expect(result.code).toBe(1);
    expect(
      result.stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('deploy:'))
        .join('\n'),
    ).toBe(
      'deploy: pipeline.source.type is codeconnections; the pipeline starts itself on push, so there is nothing to upload',
    );
  });
});

describe('deploy, as a newcomer runs it', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'deploy-newcomer-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const configFile = path.join(dir, 'deploy.json');
  writeFileSync(configFile, JSON.stringify(defaultConfigJson()));

  test('the dry run shows the config flag and the profile the real run passes to cdk deploy', async () => {
    const result = await run(['--dry-run', '--config', configFile, '--profile', 'tooling']);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[1]).toBe(
      `  1. if stack hello-privatelink-pipeline is missing: npx cdk deploy Pipeline --require-approval never -c config=${configFile} --profile tooling`,
    );
    expect(result.stdout).toContain('  as AWS CLI profile tooling');
  });

  test('names uncommitted and untracked files, which the upload of HEAD leaves out', async () => {
    // GIVEN a checkout with one commit, one changed file and one untracked file
    const repo = path.join(dir, 'repo');
    mkdirSync(repo);
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: repo });
    git('init', '-q');
    writeFileSync(path.join(repo, 'tracked.txt'), 'one');
    git('add', 'tracked.txt');
    git('commit', '-q', '-m', 'one');
    const clean = await runTool('tools/operator/deploy.ts', ['--dry-run', '--config', configFile], {}, repo);
    writeFileSync(path.join(repo, 'tracked.txt'), 'two');
    writeFileSync(path.join(repo, 'new.txt'), 'new');
    // WHEN deploy runs there
    const dirty = await runTool('tools/operator/deploy.ts', ['--dry-run', '--config', configFile], {}, repo);
    // THEN it warns once, naming both, and goes on; a clean checkout gets no warning
    expect(clean.stderr).not.toContain('deploy warning');
    expect(dirty.code).toBe(0);
    expect(dirty.stderr).toMatch(
      /^deploy warning: 2 uncommitted or untracked file\(s\) are not part of [0-9a-f]{12} and are not deployed: tracked\.txt, new\.txt$/m,
    );
  });

  test('says how to start the pipeline without uploading again when the upload worked and the start did not', async () => {
    // GIVEN AWS where the pipeline stack exists and the upload works, but CodePipeline refuses the start
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (d) => (body += d));
      request.on('end', () => {
        const target = String(request.headers['x-amz-target'] ?? '');
        if (target.startsWith('CodePipeline_')) {
          response.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
          response.end(JSON.stringify({ __type: 'PipelineNotFoundException', message: 'no such pipeline' }));
        } else if (request.method === 'PUT') {
          response.writeHead(200, { 'x-amz-version-id': 'v1', etag: '"e"' });
          response.end();
        } else if (body.includes('Action=DescribeStacks')) {
          response.writeHead(200, { 'content-type': 'text/xml' });
          response.end(
            '<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult>' +
              '<Stacks><member><StackName>hello-privatelink-pipeline</StackName><StackStatus>UPDATE_COMPLETE</StackStatus>' +
              '<CreationTime>2026-01-01T00:00:00Z</CreationTime></member></Stacks></DescribeStacksResult></DescribeStacksResponse>',
          );
        } else {
          response.writeHead(500);
          response.end(`unexpected ${request.method} ${request.url} ${target}`);
        }
      });
    });
    try {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      // WHEN deploy runs
      const result = await runTool('tools/operator/deploy.ts', ['--timeout', '30'], {
        AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'secret',
        AWS_CONFIG_FILE: path.join(dir, 'none'),
        AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'none'),
        AWS_ENDPOINT_URL: endpoint,
      });
      // THEN the one line says what is done, what is not, and the command that resumes
      expect(result.code).toBe(1);
      expect(result.stderr.split('\n').filter((l) => l.startsWith('deploy:'))).toEqual([
        'deploy: version v1 is uploaded but the pipeline did not start; resume without uploading with: aws codepipeline ' +
          `start-pipeline-execution --region ${REGION} --name ${PROJECT_NAME} --source-revisions ` +
          'actionName=Source,revisionType=S3_OBJECT_VERSION_ID,revisionValue=v1: CodePipeline StartPipelineExecution ' +
          'failed: PipelineNotFoundException: no such pipeline',
      ]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
