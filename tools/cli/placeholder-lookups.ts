// Placeholder lookups: a way to try an environment in an account nobody has recorded lookups for, with no
// credentials. `npm run synth -- --placeholder-lookups` writes made-up values for each configured account that has
// none into cdk.context.json, marked under one key, PLACEHOLDER_KEY. Synth then works offline and prints the plan;
// bootstrap and deploy refuse to act while any configured account's lookups are placeholders, and so does synth in
// the pipeline (CodeBuild), so a made-up availability zone or prefix list never reaches a deployment.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { DeployConfig } from '../../config/load';
import { CommandError } from './command';

/** The CDK context file, where the CLI records lookups. */
export const CONTEXT_FILE = 'cdk.context.json';
/** The context key that lists the accounts whose lookups are placeholders. */
export const PLACEHOLDER_KEY = 'placeholder-lookups';
/** A prefix list id that no real one has. */
export const PLACEHOLDER_PREFIX_LIST = 'pl-00000000';

/** The lookups the app makes in one account: its availability zones and the region's S3 prefix list. */
export function lookupKeys(account: string, region: string): { zones: string; prefixList: string } {
  const prefixListName = `${region.startsWith('cn-') ? 'cn.' : ''}com.amazonaws.${region}.s3`;
  return {
    zones: `availability-zones:account=${account}:region=${region}`,
    prefixList:
      `cc-api-provider:account=${account}:expectedMatchCount=exactly-one:propertiesToReturn.0=PrefixListId:` +
      `propertyMatch.PrefixListName=${prefixListName}:region=${region}:typeName=AWS$:$:EC2$:$:PrefixList`,
  };
}

type Context = Record<string, unknown>;

/** The accounts whose lookups the app makes: the workload accounts, where the networks are. */
function lookupAccounts(config: DeployConfig): string[] {
  return [...new Set(config.environments.map((e) => e.account))];
}

function readContext(file: string): Context {
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Context;
  } catch (e) {
    throw new CommandError(`${file}: not valid JSON (${(e as Error).message.split('\n')[0]}); expected CDK's context`);
  }
}

/** The configured accounts whose lookups in the file are placeholders. */
export function placeholderAccounts(config: DeployConfig, file = CONTEXT_FILE): string[] {
  const marked = (readContext(file)[PLACEHOLDER_KEY] ?? {}) as Record<string, unknown>;
  return lookupAccounts(config).filter((account) => account in marked);
}

/** Refuses, with one line, to act on placeholder lookups. */
export function refusePlaceholders(config: DeployConfig, command: string, file = CONTEXT_FILE): void {
  const accounts = placeholderAccounts(config, file);
  if (accounts.length === 0) return;
  throw new CommandError(
    `${file} holds placeholder lookups for account ${accounts.join(', ')}, made up by synth --placeholder-lookups; ` +
      `${command} acts on real ones only: run npm run synth -- --drop-placeholder-lookups, then record them with ` +
      `credentials: npx cdk synth '**' --profile <profile>`,
  );
}

/** Writes placeholders for each workload account with no lookups; returns the accounts it wrote. */
export function writePlaceholders(config: DeployConfig, file = CONTEXT_FILE): string[] {
  const context = readContext(file);
  const marked = { ...((context[PLACEHOLDER_KEY] ?? {}) as Record<string, string>) };
  const written: string[] = [];
  for (const account of lookupAccounts(config)) {
    const keys = lookupKeys(account, config.region);
    if (keys.zones in context && keys.prefixList in context) continue;
    context[keys.zones] ??= ['a', 'b', 'c'].map((zone) => `${config.region}${zone}`);
    context[keys.prefixList] ??= [{ PrefixListId: PLACEHOLDER_PREFIX_LIST }];
    marked[account] = 'made up by npm run synth -- --placeholder-lookups; bootstrap, deploy and the pipeline refuse';
    written.push(account);
  }
  if (written.length > 0)
    writeFileSync(file, `${JSON.stringify({ ...context, [PLACEHOLDER_KEY]: marked }, null, 2)}\n`);
  return written;
}

/** Removes every placeholder lookup; returns the accounts it removed. */
export function dropPlaceholders(config: DeployConfig, file = CONTEXT_FILE): string[] {
  const context = readContext(file);
  const marked = (context[PLACEHOLDER_KEY] ?? {}) as Record<string, unknown>;
  const accounts = Object.keys(marked);
  if (accounts.length === 0) return [];
  for (const account of accounts) {
    const keys = lookupKeys(account, config.region);
    delete context[keys.zones];
    delete context[keys.prefixList];
  }
  delete context[PLACEHOLDER_KEY];
  writeFileSync(file, `${JSON.stringify(context, null, 2)}\n`);
  return accounts;
}
