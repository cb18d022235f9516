import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const INFRASTRUCTURE_ONLY =
  'CDK libraries belong to stages/ and pipeline/: runtime/ runs in Lambda and CodeBuild, tools/ as CLIs (runtime/README.md).';

export default tseslint.config(
  { ignores: ['cdk.out/**', 'node_modules/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // Every AWS SDK client comes from the factory in tools/cli/aws.ts, whose request handler throws on its timeout
    // (an SDK timeout otherwise only warns, and a call to an endpoint that never answers waits forever).
    files: [
      'tools/**/*.ts',
      'runtime/**/*.ts',
      'stages/**/*.ts',
      'pipeline/**/*.ts',
      'bin/**/*.ts',
      'config/**/*.ts',
      'bench/**/*.ts',
    ],
    ignores: ['tools/cli/aws.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'NewExpression[callee.name=/Client$/]',
          message: 'Make AWS SDK clients with boundedClient() from tools/cli/aws.ts, whose timeouts throw.',
        },
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@smithy/node-http-handler',
              message: 'Request handlers are made in tools/cli/aws.ts only, with throwOnRequestTimeout.',
            },
          ],
        },
      ],
    },
  },
  {
    // The TypeScript variant of no-restricted-imports, so that its options and the SDK handler's above both apply.
    files: ['runtime/**/*.ts', 'tools/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: ['aws-cdk-lib', 'constructs', 'cdk-nag'].map((name) => ({ name, message: INFRASTRUCTURE_ONLY })),
          patterns: [{ group: ['aws-cdk-lib/*'], message: INFRASTRUCTURE_ONLY }],
        },
      ],
    },
  },
  {
    // bin/load-typescript.cjs loads TypeScript itself, so it is CommonJS, as Node runs it.
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Tests walk synthesized templates, which are untyped JSON by nature.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
