// The first layer: a config file's bytes, as UTF-8 text, parsed as JSON. Every refusal names the file and stays on
// one line; what the JSON means is the schema's and the rules' business.
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigError, DEFAULT_CONFIG_PATH } from './messages';

/** The largest config file read; the real one is about 1 KiB. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** Text for a one-line message: line breaks and other control characters escaped, at most `limit` characters. */
function oneLine(text: string, limit = 100): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1));
  return flat.length > limit ? `${flat.slice(0, limit - 1)}…` : flat;
}

/** The bytes of a config file, refusing anything that is not a regular file before reading it. */
function readConfigBytes(file: string, cwd: string): Buffer {
  const cannot = (reason: string) =>
    new ConfigError(
      `${file}: cannot read the config file (${reason}); expected a JSON file, see ${DEFAULT_CONFIG_PATH}`,
    );
  let fd: number;
  try {
    // O_NONBLOCK: opening a named pipe must not wait for a writer; fstat below then refuses it.
    fd = openSync(path.resolve(cwd, file), constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reasons: Record<string, string> = {
      ENOENT: 'no such file',
      EACCES: 'permission denied',
      EISDIR: 'it is a directory',
      ENOTDIR: 'a part of the path is not a directory',
    };
    throw cannot(reasons[code ?? ''] ?? oneLine((e as Error).message));
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw cannot('it is a directory');
    if (!stat.isFile()) throw cannot('it is a named pipe, socket or device, not a regular file');
    if (stat.size > MAX_CONFIG_BYTES) throw cannot(`it has ${stat.size} bytes; a config file has at most 1 MiB`);
    return readFileSync(fd);
  } catch (e) {
    throw e instanceof ConfigError ? e : cannot(oneLine((e as Error).message));
  } finally {
    closeSync(fd);
  }
}

/** UTF-8 text of a config file; a UTF-8 byte-order mark is dropped, UTF-16 and invalid UTF-8 are refused. */
function decodeConfig(file: string, bytes: Buffer): string {
  const refuse = (what: string) => new ConfigError(`${file}: ${what}; expected JSON saved as UTF-8`);
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw refuse('the file is UTF-16 (it starts with a UTF-16 byte-order mark)');
  }
  if (bytes.includes(0)) throw refuse('the file holds NUL bytes, as UTF-16 text does');
  try {
    // Some Windows editors start UTF-8 files with a byte-order mark; the decoder drops it (ignoreBOM: false).
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw refuse('the file is not valid UTF-8');
  }
}

/** The parsed JSON of a config file, not yet validated. Throws ConfigError with one line naming the file. */
export function readConfigJson(file: string, cwd: string): unknown {
  const text = decodeConfig(file, readConfigBytes(file, cwd));
  try {
    return JSON.parse(text);
  } catch (e) {
    // V8 quotes the input in some messages, line breaks included; RangeError on input nested too deep.
    throw new ConfigError(
      `${file}: not valid JSON (${oneLine((e as Error).message)}); expected a JSON object like ${DEFAULT_CONFIG_PATH}`,
    );
  }
}
