// The project's ESLint configuration applied to a source text as if it were a file of the project.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { PROJECT_ROOT } from './cdk';

export interface LintMessage {
  readonly line: number;
  readonly ruleId: string | null;
  readonly message: string;
}

/** What eslint.config.mjs reports on `source` at `file` (a path from the project root, which need not exist). */
export function lintSource(source: string, file: string): LintMessage[] {
  // ESLint's flat config loads through a dynamic import, which jest's module system refuses: run the CLI.
  const run = spawnSync(
    process.execPath,
    [
      path.join(PROJECT_ROOT, 'node_modules/eslint/bin/eslint.js'),
      '--format',
      'json',
      '--stdin',
      '--stdin-filename',
      file,
    ],
    { cwd: PROJECT_ROOT, input: source, encoding: 'utf8' },
  );
  // 0: no problem, 1: problems found; anything else is ESLint failing to run.
  if (run.status !== 0 && run.status !== 1) throw new Error(`eslint ${file} failed: ${run.stderr || run.error}`);
  const [result] = JSON.parse(run.stdout) as Array<{ messages: LintMessage[] }>;
  return result.messages.map(({ line, ruleId, message }) => ({ line, ruleId, message }));
}
