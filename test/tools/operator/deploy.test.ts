import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { defaultConfigJson } from '../../helpers/cdk';
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
      /^ {2}2\. git archive --format=zip [0-9a-f]{40} → s3:\/\/hello-privatelink-source-111111111111\/source\/source\.zip$/,
    );
    expect(lines[3]).toBe('  3. start pipeline hello-privatelink on that object version');
  });

  test('refuses a CodeConnections source with one line, since the pipeline starts on push by itself', async () => {
    const json = defaultConfigJson() as Record<string, any>;
    json.pipeline.source = {
      type: 'codeconnections',
      connectionArn: 'arn:aws:codeconnections:us-east-2:111111111111:connection/11111111-2222-3333-4444-555555555555',
      repository: 'acme/app',
      branch: 'main',
    };
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'deploy-')), 'deploy.json');
    writeFileSync(file, JSON.stringify(json));
    const result = await run(['--config', file, '--dry-run']);
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
