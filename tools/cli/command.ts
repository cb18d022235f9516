// The one way every command reads its arguments and reports failure:
// - node:util parseArgs in strict mode: an unknown flag, a flag without its value, or a stray positional is
//   refused with one line naming it, before the command does anything;
// - `--help` prints the usage and exits 0, whatever else is on the line, and the command does nothing;
// - a failure is one line, `<command>: <what went wrong>`, never a stack trace.
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A refusal or failure whose message is already the one line to show. */
export class CommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandError';
  }
}

/** A value shortened for echoing in a one-line message. */
export function shorten(value: string, max = 60): string {
  const flat = value.replace(/\s+/g, ' ');
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

export interface CommandSpec<O extends NonNullable<ParseArgsConfig['options']>> {
  /** The command's name, the prefix of every line it prints about itself. */
  readonly name: string;
  /** The usage text `--help` prints. */
  readonly usage: string;
  readonly options: O;
  /** How many positional arguments it takes. @default none */
  readonly positionals?: { readonly min: number; readonly max: number; readonly names: string };
}

/** What parseArgs makes of a spec's options. */
export type ParsedValues<O extends NonNullable<ParseArgsConfig['options']>> = ReturnType<
  typeof parseArgs<{ options: O; strict: true; allowPositionals: true }>
>['values'];

function describeParseError(error: Error & { code?: string }): string {
  const quoted = /'([^']+)'/.exec(error.message)?.[1] ?? '';
  const option = shorten(quoted.split(', ').pop()!.split(' ')[0]);
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /argument missing|ambiguous/.test(error.message) ? `${option} needs a value` : `${option} takes no value`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${option}`;
    default:
      return error.message.split('\n')[0];
  }
}

/**
 * `--timeout -5` as `--timeout=-5`: parseArgs takes a value that starts with a dash for the next option and says
 * "needs a value", although a value was given. Joined, the flag's own check names the value.
 */
function joinNegativeValues(argv: readonly string[], options: NonNullable<ParseArgsConfig['options']>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = /^--([\w-]+)$/.exec(argv[i])?.[1];
    const next = argv[i + 1];
    if (name && options[name]?.type === 'string' && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`${argv[i]}=${next}`);
      i++;
    } else {
      out.push(argv[i]);
    }
  }
  return out;
}

/** A text flag's value, refusing an empty one: `--config ''` is a mistake, not a request for the default. */
export function nonEmpty(flag: string, raw: string | undefined, expected: string): string | undefined {
  if (raw !== undefined && raw.trim() === '') throw new CommandError(`${flag} is "${raw}"; expected ${expected}`);
  return raw;
}

/**
 * Parses the command line strictly. Returns undefined after printing the usage for `--help`: the caller then
 * returns without doing anything.
 */
export function parseCommandLine<O extends NonNullable<ParseArgsConfig['options']>>(
  spec: CommandSpec<O>,
  argv: readonly string[],
): { values: ParsedValues<O>; positionals: string[] } | undefined {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(spec.usage.trim());
    return undefined;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: joinNegativeValues(argv, spec.options),
      options: spec.options,
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    throw new CommandError(`${describeParseError(error as Error)}; see --help`);
  }
  const { min = 0, max = 0, names = '' } = spec.positionals ?? {};
  if (parsed.positionals.length > max) {
    throw new CommandError(`unexpected argument ${shorten(parsed.positionals[max])}; see --help`);
  }
  if (parsed.positionals.length < min) throw new CommandError(`missing ${names}; see --help`);
  return { values: parsed.values as ParsedValues<O>, positionals: parsed.positionals };
}

/** A positive number of seconds, at most a day. */
export function seconds(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value <= 0 || value > 86_400) {
    throw new CommandError(`${flag} is "${shorten(raw)}"; expected a number of seconds above 0 and at most 86400`);
  }
  return value;
}

/** An http(s) URL with a host. */
export function httpUrl(what: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CommandError(`${what} is "${shorten(raw)}"; expected an http:// or https:// URL`);
  }
  if (!/^https?:$/.test(url.protocol) || !url.hostname) {
    throw new CommandError(`${what} is "${shorten(raw)}"; expected an http:// or https:// URL with a host`);
  }
  return raw;
}

/** An IAM role ARN in the given partition. */
export function roleArn(flag: string, raw: string, partition: string): string {
  const match = /^arn:([a-z-]+):iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/.exec(raw);
  if (!match)
    throw new CommandError(
      `${flag} is "${shorten(raw)}"; expected an IAM role ARN, arn:${partition}:iam::<account>:role/<name>`,
    );
  if (match[1] !== partition) {
    throw new CommandError(
      `${flag} is in partition ${match[1]}; expected ${partition}, the partition of the configured region`,
    );
  }
  return raw;
}

/**
 * Errors whose message is already the one line to show: every CommandError, and by name the configuration's own
 * (config/ imports nothing from tools/) and plain errors. Others also show their name.
 */
const ONE_LINE_ERRORS = new Set(['ConfigError', 'Error']);

/** The one line a failure prints: never a stack trace, never more than the first line of a message. */
export function failureLine(error: unknown): string {
  const e = error instanceof Error ? error : new Error(String(error));
  const firstLine = (e.message || e.name).split('\n')[0];
  return shorten(e instanceof CommandError || ONE_LINE_ERRORS.has(e.name) ? firstLine : `${e.name}: ${firstLine}`, 400);
}

/** Runs a command's main, exits with its code, and turns any failure into one line on stderr. */
export function runCommand(name: string, main: () => Promise<number | void>): void {
  main().then(
    (code) => process.exit(code ?? 0),
    (error: unknown) => {
      console.error(`${name}: ${failureLine(error)}`);
      process.exit(1);
    },
  );
}
