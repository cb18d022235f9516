// `npm run day2-check -- --since REF [--config FILE]`: before anything deploys, compare the config at REF (the commit
// that is deployed: the pull request's base, or the commit main was at before this push) with the working one, and
// refuse a change that one deploy cannot make safely, naming the safe procedure (tools/report/day2.ts).
import { loadConfig, parseConfig, type DeployConfig } from '../../config/load';
import { configFlag } from '../cli/config-flag';
import { CommandError, nonEmpty, parseCommandLine, runCommand, shorten } from '../cli/command';
import { runProcessSync } from '../cli/process';
import { bootstrapFirst, unsafeChangeProcedure } from './day2';

const SPEC = {
  name: 'day2-check',
  usage: `
usage: npm run day2-check -- --since REF [--config FILE]

Refuses a config change that one deploy cannot make safely to what REF deployed, naming the safe procedure.

  --since REF     the deployed commit: a pull request's base, or the commit main was at before the push
  --config FILE   the deployment configuration (default config/deploy.json), read at REF and in the work tree
  --help          print this and do nothing
`,
  options: { since: { type: 'string' }, config: { type: 'string' } },
} as const;

/** The config file as committed at a revision, parsed and validated; undefined when it did not exist there. */
export function configAt(revision: string, file: string): DeployConfig | undefined {
  if (runProcessSync('git', ['rev-parse', '--verify', '--quiet', `${revision}^{commit}`]).code !== 0) {
    throw new CommandError(`--since ${shorten(revision)}: not a commit of this repository (fetch it, or give a hash)`);
  }
  const shown = runProcessSync('git', ['show', `${revision}:${file.replace(/^\.\//, '')}`]);
  if (shown.code !== 0) return undefined;
  try {
    return parseConfig(JSON.parse(shown.stdout), `${file} at ${revision}`);
  } catch (error) {
    throw new CommandError(`${file} at ${shorten(revision)} is not a valid config: ${(error as Error).message}`);
  }
}

async function main(): Promise<number> {
  const parsed = parseCommandLine(SPEC, process.argv.slice(2));
  if (!parsed) return 0;
  const since = nonEmpty('--since', parsed.values.since, 'a commit, such as origin/main');
  if (since === undefined) throw new CommandError('--since needs a value: the deployed commit, such as origin/main');
  const file = configFlag(parsed.values.config);
  const next = loadConfig(file);
  const deployed = configAt(since, file);
  if (!deployed) {
    console.log(`day2-check: ${file} did not exist at ${since}: nothing is deployed from it yet`);
    return 0;
  }
  // Not a refusal: bootstrap may already have run; the pipeline's deploy fails plainly if it has not.
  for (const line of bootstrapFirst(deployed, next)) console.log(`day2-check: ${line}`);
  const refusals = unsafeChangeProcedure(deployed, next);
  if (refusals.length === 0) {
    console.log(`day2-check: every change since ${since} deploys safely onto what it left live`);
    return 0;
  }
  for (const line of refusals) console.error(`day2-check: ${line}`);
  return 1;
}

if (require.main === module) runCommand(SPEC.name, main);
