// The loader: reads a config file (read.ts), checks its shape (schema.ts) and the rules between fields
// (rules.ts), fills in the defaults (defaults.ts) and says what has no effect (warnings.ts). Every problem found
// is thrown at once, as one ConfigError with one line. The rest of the app imports the config from here.
import { regionFacts } from './aws-facts';
import { environmentsWithDefaults, sharedWithDefaults } from './defaults';
import { ConfigError, DEFAULT_CONFIG_PATH } from './messages';
import { readConfigJson } from './read';
import { configProblems, environmentProblems } from './rules';
import { schemaProblems } from './schema';
import type { DeployConfig, RawConfig } from './types';
import { noEffectWarnings } from './warnings';

export { FARGATE_MEMORY_BY_CPU, VPC_PREFIX_RANGE, canonicalCidr, s3BucketNameProblem } from './aws-facts';
export { CANARY_DEFAULTS, DEFAULT_BAKE_TIME_MINUTES, LINEAR_DEFAULTS } from './defaults';
export { ConfigError, DEFAULT_CONFIG_PATH, ECHO_LIMIT, echo } from './messages';
export { MAX_CONFIG_BYTES } from './read';
export * from './types';

/** Validates parsed JSON and fills in defaults. Throws ConfigError with one line naming every problem. */
export function parseConfig(data: unknown, file = DEFAULT_CONFIG_PATH): DeployConfig {
  const shapeProblems = schemaProblems(file, data);
  if (shapeProblems.length > 0) throw new ConfigError(shapeProblems, file);
  const raw = data as RawConfig;
  const environments = environmentsWithDefaults(raw);
  const problems = [...configProblems(file, raw), ...environmentProblems(file, raw, environments)];
  if (problems.length > 0) throw new ConfigError(problems, file);
  // Every field as written, so that one the schema gains reaches the app, but the editor's $schema; the sections
  // with their defaults over them.
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { $schema, ...written } = raw;
  return {
    ...written,
    ...sharedWithDefaults(raw),
    ...regionFacts(raw.region),
    sourcePath: file,
    environments,
    warnings: noEffectWarnings(file, raw, environments),
  };
}

/** Reads and validates a configuration file. Throws ConfigError with one line naming the problem. */
export function loadConfig(file: string = DEFAULT_CONFIG_PATH, cwd = process.cwd()): DeployConfig {
  return parseConfig(readConfigJson(file, cwd), file);
}
