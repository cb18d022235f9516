// `npm run report [-- --assembly DIR] [-- --out FILE]`: what a synth will deploy, where, at what fixed monthly
// cost and rollout time, with a Mermaid diagram, the cdk-nag acknowledgements and the Control Tower controls. Reads the cloud assembly
// that `npm run synth` wrote, through @aws-cdk/cloud-assembly-api.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { CommandError, parseCommandLine, runCommand, shorten } from '../cli/command';
import { buildReport } from './contents';
import { reportMarkdown, reportSummary } from './markdown';

const SPEC = {
  name: 'report',
  usage: `
usage: npm run report -- [--assembly DIR] [--out FILE]

Writes the plan report (stages, diagram, cost, rollout, cdk-nag acknowledgements, Control Tower controls) from a
synthesized assembly.

  --assembly DIR   the cloud assembly npm run synth wrote (default cdk.out)
  --out FILE       where the Markdown goes (default DIR/report.md)
  --help           print this and do nothing
`,
  options: { assembly: { type: 'string' }, out: { type: 'string' } },
} as const;

/** Refuses what is not a complete assembly, naming the file, and says what to run only when that is the fix. */
export function checkAssembly(assembly: string): void {
  const manifest = path.join(assembly, 'manifest.json');
  if (!existsSync(manifest)) {
    throw new CommandError(`${manifest} does not exist; run npm run synth first, or name the assembly with --assembly`);
  }
  // CDK writes placeholder availability zones when a lookup failed; such an assembly describes no real network.
  for (const file of readdirSync(assembly, { recursive: true }) as string[]) {
    const isManifest = path.basename(file) === 'manifest.json';
    if (!file.endsWith('.template.json') && !isManifest) continue;
    const text = readFileSync(path.join(assembly, file), 'utf8');
    try {
      JSON.parse(text);
    } catch (error) {
      throw new CommandError(
        `${path.join(assembly, file)} is not valid JSON (${shorten((error as Error).message.split('\n')[0], 80)}); ` +
          `expected the ${isManifest ? 'manifest' : 'template'} of a cloud assembly: run npm run synth again`,
      );
    }
    if (isManifest) continue;
    if (text.includes('dummy1a')) {
      throw new CommandError(
        `${path.join(assembly, file)} has placeholder availability zones (dummy1a) from a synth whose lookups failed; fix that synth first`,
      );
    }
  }
}

async function main(): Promise<number> {
  const parsed = parseCommandLine(SPEC, process.argv.slice(2));
  if (!parsed) return 0;
  const assembly = parsed.values.assembly ?? 'cdk.out';
  const out = parsed.values.out ?? path.join(assembly, 'report.md');
  checkAssembly(assembly);
  const report = buildReport(assembly);
  try {
    writeFileSync(out, reportMarkdown(report));
  } catch (error) {
    throw new CommandError(`cannot write ${out}: ${(error as Error).message.split('\n')[0]}`);
  }
  console.log(`${reportSummary(report)}\nreport: ${out}`);
  return 0;
}

if (require.main === module) runCommand(SPEC.name, main);
