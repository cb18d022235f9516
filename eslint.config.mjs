import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
    files: ['tools/**/*.ts', 'stages/**/*.ts', 'pipeline/**/*.ts', 'config/**/*.ts', 'bench/**/*.ts'],
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
    // Tests walk synthesized templates, which are untyped JSON by nature.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
