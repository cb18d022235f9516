import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { PYTHON_TOOLS_INSTALL, VENV_BIN } from './prerequisites';

/** Every CloudFormation template in a cloud assembly folder, nested stage assemblies included. */
export function templatesIn(assemblyDir: string): string[] {
  return readdirSync(assemblyDir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.template.json'))
    .map((f) => path.join(assemblyDir, f));
}

/** Runs cfn-lint on templates; returns its exit code and findings. Fails loudly when cfn-lint is absent. */
export function cfnLint(templates: string[]): { status: number; output: string } {
  // The pinned one in the project's venv first (requirements-dev.txt), else whichever is on PATH.
  const venvCfnLint = path.join(VENV_BIN, 'cfn-lint');
  const command = existsSync(venvCfnLint) ? venvCfnLint : 'cfn-lint';
  const result = spawnSync(command, ['--format', 'parseable', '--', ...templates], { encoding: 'utf8' });
  if (result.error) {
    throw new Error(`cfn-lint could not run (${result.error.message}); install it with: ${PYTHON_TOOLS_INSTALL}`);
  }
  return { status: result.status ?? 1, output: `${result.stdout}${result.stderr}` };
}
