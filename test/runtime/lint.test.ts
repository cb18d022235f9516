// runtime/ runs in Lambda and CodeBuild and tools/ as CLIs: the lint rule that keeps the CDK libraries out of both
// (eslint.config.mjs) fires on each of them, and only there.
import { lintSources } from '../helpers/eslint';

const CDK_IMPORTS = ['aws-cdk-lib', 'aws-cdk-lib/aws-s3', 'constructs', 'cdk-nag'];
const source = [
  ...CDK_IMPORTS.map((name, i) => `import * as cdk${i} from '${name}';`),
  `export { ${CDK_IMPORTS.map((_, i) => `cdk${i}`).join(', ')} };`,
  '',
].join('\n');

const REFUSED = ['runtime/lambda/example.ts', 'tools/cli/example.ts'];
const ALLOWED = ['stages/service/example.ts', 'pipeline/example.ts'];

describe('the lint rule that keeps CDK libraries to the infrastructure', () => {
  // One ESLint run over every case.
  const files = [...REFUSED, ...ALLOWED];
  const messages = new Map(lintSources(files.map((file) => ({ source, file }))).map((m, i) => [files[i], m]));

  test.each(REFUSED)('refuses each CDK import in %s', (file) => {
    expect(messages.get(file)).toEqual(
      CDK_IMPORTS.map((name, i) => ({
        line: i + 1,
        ruleId: '@typescript-eslint/no-restricted-imports',
        message: expect.stringMatching(
          new RegExp(`^'${name}' import is restricted from being used.*CDK libraries belong to stages/ and pipeline/`),
        ),
      })),
    );
  });

  test.each(ALLOWED)('lets %s import them', (file) => {
    expect(messages.get(file)).toEqual([]);
  });
});
