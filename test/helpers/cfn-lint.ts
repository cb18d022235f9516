import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';

/** Every CloudFormation template in a cloud assembly folder, nested stage assemblies included. */
export function templatesIn(assemblyDir: string): string[] {
  return readdirSync(assemblyDir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.template.json'))
    .map((f) => path.join(assemblyDir, f));
}

/** Runs cfn-lint on templates; returns its exit code and findings. Fails loudly when cfn-lint is absent. */
export function cfnLint(templates: string[]): { status: number; output: string } {
  const result = spawnSync('cfn-lint', ['--format', 'parseable', '--', ...templates], { encoding: 'utf8' });
  if (result.error) {
    throw new Error(`cfn-lint could not run (${result.error.message}); install it with: pip install cfn-lint`);
  }
  return { status: result.status ?? 1, output: `${result.stdout}${result.stderr}` };
}
