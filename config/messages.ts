// How the configuration's problems are told: one line each, naming the file, the field, the value and what is
// expected. Every layer (reading, schema, rules) builds its messages from these.

/** The default configuration file, relative to the project root; messages point at it as the example. */
export const DEFAULT_CONFIG_PATH = 'config/deploy.json';

/**
 * A configuration problem, with a one-line message naming the field, the value and what is expected. With several
 * problems the one line names them all, numbered, so that one run shows every mistake.
 */
export class ConfigError extends Error {
  /** Each problem on its own, with the file named. */
  readonly problems: readonly string[];

  constructor(problems: string | readonly string[], file?: string) {
    const list = typeof problems === 'string' ? [problems] : problems;
    const prefix = file === undefined ? '' : `${file}: `;
    super(
      list.length === 1
        ? list[0]
        : `${prefix}${list.length} problems: ` +
            list.map((p, i) => `(${i + 1}) ${p.startsWith(prefix) ? p.slice(prefix.length) : p}`).join('; '),
    );
    this.name = 'ConfigError';
    this.problems = list;
  }
}

/** The longest value a message echoes; longer ones are cut with an ellipsis. */
export const ECHO_LIMIT = 60;

/** A value as a message shows it: JSON, on one line, at most ECHO_LIMIT characters. */
export function echo(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    // Too deep to stringify (RangeError) or circular: say what it is instead.
    text = Array.isArray(value) ? '[…]' : typeof value === 'object' && value !== null ? '{…}' : String(value);
  }
  return text.length > ECHO_LIMIT ? `${text.slice(0, ECHO_LIMIT - 1)}…` : text;
}
