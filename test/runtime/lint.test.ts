// runtime/ runs in Lambda and CodeBuild and tools/ as CLIs: the lint rule that keeps the CDK libraries out of both
// (eslint.config.mjs) fires on each of them, and only there.
import { lintSource } from '../helpers/eslint';

const CDK_IMPORTS = ['aws-cdk-lib', 'aws-cdk-lib/aws-s3', 'constructs', 'cdk-nag'];
const source = [
  ...CDK_IMPORTS.map((name, i) => `import * as cdk${i} from '${name}';`),
  `export { ${CDK_IMPORTS.map((_, i) => `cdk${i}`).join(', ')} };`,
  '',
].join('\n');

describe('the lint rule that keeps CDK libraries to the infrastructure', () => {
  test.each(['runtime/lambda/example.ts', 'tools/cli/example.ts'])('refuses each CDK import in %s', (file) => {
    expect(lintSource(source, file)).toEqual(
      CDK_IMPORTS.map((name, i) => ({
        line: i + 1,
        ruleId: '@typescript-eslint/no-restricted-imports',
        message: expect.stringMatching(
          new RegExp(`^'${name}' import is restricted from being used.*CDK libraries belong to stages/ and pipeline/`),
        ),
      })),
    );
  });

  test.each(['stages/service/example.ts', 'pipeline/example.ts'])('lets %s import them', (file) => {
    expect(lintSource(source, file)).toEqual([]);
  });
});
