// The project's ESLint configuration applied to source texts as if they were files of the project.
import { spawnSync } from 'node:child_process';
import { PROJECT_ROOT } from './cdk';

export interface LintMessage {
  readonly line: number;
  readonly ruleId: string | null;
  readonly message: string;
}

export interface LintInput {
  readonly source: string;
  /** A path from the project root, which need not exist: the rules that apply depend on it. */
  readonly file: string;
}

/**
 * ESLint's Node API over each text as if it were its file. ESLint's flat config loads through a dynamic import,
 * which jest's module system refuses, so a Node process runs it: one for all the texts, since loading ESLint and
 * typescript-eslint is most of a lint's time.
 */
const LINT_PROGRAM = `
const { ESLint } = require('eslint');
const inputs = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
(async () => {
  const eslint = new ESLint({ cwd: process.cwd() });
  const results = [];
  for (const { source, file } of inputs) {
    const [result] = await eslint.lintText(source, { filePath: file });
    results.push(result.messages.map(({ line, ruleId, message }) => ({ line, ruleId, message })));
  }
  process.stdout.write(JSON.stringify(results));
})().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error));
  process.exitCode = 2;
});
`;

/** What eslint.config.mjs reports on each input, in order. */
export function lintSources(inputs: readonly LintInput[]): LintMessage[][] {
  const run = spawnSync(process.execPath, ['-e', LINT_PROGRAM], {
    cwd: PROJECT_ROOT,
    input: JSON.stringify(inputs),
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`eslint failed: ${run.stderr || run.error}`);
  return JSON.parse(run.stdout) as LintMessage[][];
}
