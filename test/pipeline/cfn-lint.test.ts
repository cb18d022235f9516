// cfn-lint runs on every template of every configuration in the matrix (test/matrix/); this proves the check is live.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { cfnLint } from '../helpers/cfn-lint';

describe('cfn-lint', () => {
  test('is live: it reports a template with a broken property', () => {
    // The run's TMPDIR, which the global teardown removes.
    const broken = path.join(mkdtempSync(path.join(tmpdir(), 'cfn-lint-')), 'broken.json');
    writeFileSync(
      broken,
      JSON.stringify({ Resources: { Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlok: '10.0.0.0/16' } } } }),
    );
    const { status, output } = cfnLint([broken]);
    expect(status).not.toBe(0);
    expect(output).toContain('CidrBlok');
  });
});
