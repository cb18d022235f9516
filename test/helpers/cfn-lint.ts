import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT, PYTHON_TOOLS_INSTALL, VENV_BIN } from './prerequisites';

/** Every CloudFormation template in a cloud assembly folder, nested stage assemblies included. */
export function templatesIn(assemblyDir: string): string[] {
  return readdirSync(assemblyDir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.template.json'))
    .map((f) => path.join(assemblyDir, f));
}

/** The pinned cfn-lint in the project's venv first (requirements-dev.txt), else whichever is on PATH. */
function cfnLintCommand(): string {
  const venvCfnLint = path.join(VENV_BIN, 'cfn-lint');
  return existsSync(venvCfnLint) ? venvCfnLint : 'cfn-lint';
}

/** The project's .cfnlintrc, named so that it applies whatever folder the tests run from. */
const ARGS = (templates: readonly string[]) => [
  ...['--config-file', path.join(PROJECT_ROOT, '.cfnlintrc')],
  ...['--format', 'parseable', '--', ...templates],
];
const cannotRun = (error: Error) =>
  new Error(`cfn-lint could not run (${error.message}); install it with: ${PYTHON_TOOLS_INSTALL}`);

/** The templates grouped by content: cfn-lint judges a template by its bytes alone, so each group is linted once. */
function byContent(templates: readonly string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const template of templates) {
    const hash = createHash('sha256').update(readFileSync(template)).digest('hex');
    groups.set(hash, [...(groups.get(hash) ?? []), template]);
  }
  return groups;
}

/**
 * cfn-lint over templates, without waiting: cfn-lint (a Python process, seconds to start) runs while the test file
 * goes on with its own work. A template identical to another is linted once and its findings, lines that start with
 * the template's path, are given to each copy (variants share some stacks byte for byte). Await the promise before
 * the file ends, in a test or an afterAll.
 */
export function cfnLintInBackground(templates: readonly string[]): Promise<{ status: number; output: string }> {
  const copies = [...byContent(templates).values()];
  return new Promise((resolve, reject) => {
    const child = spawn(cfnLintCommand(), ARGS(copies.map(([first]) => first)));
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (error) => reject(cannotRun(error)));
    child.on('close', (code) => {
      const lines = output.split('\n');
      const extra = copies.flatMap(([first, ...others]) =>
        others.flatMap((other) =>
          lines.filter((line) => line.startsWith(`${first}:`)).map((line) => `${other}${line.slice(first.length)}`),
        ),
      );
      resolve({ status: code ?? 1, output: [output, ...extra.map((line) => `${line}\n`)].join('') });
    });
  });
}
