import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
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

/** Runs cfn-lint on templates; returns its exit code and findings. Fails loudly when cfn-lint is absent. */
export function cfnLint(templates: string[]): { status: number; output: string } {
  const result = spawnSync(cfnLintCommand(), ARGS(templates), { encoding: 'utf8' });
  if (result.error) throw cannotRun(result.error);
  return { status: result.status ?? 1, output: `${result.stdout}${result.stderr}` };
}

/**
 * cfnLint without waiting: cfn-lint (a Python process, seconds to start) runs while the test file goes on with its
 * own work. Await the promise before the file ends, in a test or an afterAll.
 */
export function cfnLintInBackground(templates: readonly string[]): Promise<{ status: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cfnLintCommand(), ARGS(templates));
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (error) => reject(cannotRun(error)));
    child.on('close', (code) => resolve({ status: code ?? 1, output }));
  });
}
