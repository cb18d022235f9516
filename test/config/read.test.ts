import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ConfigError, loadConfig } from '../../config/load';
import { PROJECT_ROOT } from '../helpers/cdk';
import { PROJECT_NAME } from '../helpers/constants';

describe('config file reading', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'config-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const defaultText = () => readFileSync(path.join(PROJECT_ROOT, 'config/deploy.json'), 'utf8');

  /** Writes a file into the test folder and returns the loader's one-line error for it, or fails. */
  function errorForFile(name: string, content: string | Buffer): string {
    writeFileSync(path.join(dir, name), content);
    return oneLineError(() => loadConfig(name, dir));
  }

  function oneLineError(load: () => unknown): string {
    try {
      load();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const message = (e as Error).message;
      expect(message.split('\n')).toHaveLength(1);
      return message;
    }
    throw new Error('expected the config file to be refused');
  }

  test('fails when the file is missing', () => {
    expect(() => loadConfig('config/nope.json', PROJECT_ROOT)).toThrow(
      /config\/nope\.json: cannot read the config file \(no such file\)/,
    );
  });

  test('reads a UTF-8 file that starts with a byte-order mark', () => {
    // GIVEN the default config saved with a UTF-8 BOM, as some Windows editors do
    writeFileSync(
      path.join(dir, 'bom.json'),
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(defaultText())]),
    );
    // WHEN it is loaded THEN it reads as the default does
    expect(loadConfig('bom.json', dir).projectName).toBe(PROJECT_NAME);
  });

  test.each([
    ['UTF-16 little-endian with its byte-order mark', 'utf16le', [0xff, 0xfe], 'UTF-16 (it starts with a UTF-16 byte'],
    ['UTF-16 big-endian with its byte-order mark', 'utf16be', [0xfe, 0xff], 'UTF-16 (it starts with a UTF-16 byte'],
    ['UTF-16 without a byte-order mark', 'utf16le', [], 'NUL bytes, as UTF-16 text does'],
  ] as const)('fails when the file is %s, naming the file', (_case, encoding, bom, expected) => {
    // GIVEN the default config saved as UTF-16
    const le = Buffer.from(defaultText(), 'utf16le');
    const body = encoding === 'utf16be' ? Buffer.from(le).swap16() : le;
    // WHEN it is loaded THEN one line names the file and asks for UTF-8
    const message = errorForFile('utf16.json', Buffer.concat([Buffer.from(bom), body]));
    expect(message).toMatch(/^utf16\.json: /);
    expect(message).toContain(expected);
    expect(message).toContain('expected JSON saved as UTF-8');
  });

  test('fails when the file is not valid UTF-8', () => {
    const message = errorForFile('latin1.json', Buffer.from('{"projectName": "caf\xe9"}', 'latin1'));
    expect(message).toBe('latin1.json: the file is not valid UTF-8; expected JSON saved as UTF-8');
  });

  test('fails when the file is not JSON', () => {
    expect(errorForFile('bad.json', '{ "region": ')).toMatch(/^bad\.json: not valid JSON/);
  });

  test('fails when the JSON error quotes input with line breaks, still on one line', () => {
    // GIVEN JSON whose parser message quotes the input, line breaks included
    const message = errorForFile('breaks.json', '{\n"a": x,\n"b": 1}');
    // THEN the message is one line that still shows where it went wrong
    expect(message).toMatch(/^breaks\.json: not valid JSON \(Unexpected token 'x', .*\\n.*\); expected a JSON object/);
  });

  test('fails when the file nests 100,000 brackets, with one line and no stack trace', () => {
    // GIVEN 100,000 nested arrays, too deep for JSON.stringify
    const depth = 100_000;
    const message = errorForFile('nested.json', '['.repeat(depth) + ']'.repeat(depth));
    // THEN one line says what the top level should be, echoing the value without recursing into it
    expect(message).toBe(
      'nested.json: field "(top level)" is […]; expected a JSON object with the fields of config/deploy.json',
    );
  });

  test('fails when a field nests 100,000 brackets, with one line', () => {
    const depth = 100_000;
    const text = defaultText().replace(`"${PROJECT_NAME}"`, '['.repeat(depth) + ']'.repeat(depth));
    const message = errorForFile('nested-field.json', text);
    expect(message).toMatch(/^nested-field\.json: field "projectName" is \[…\]; expected 3 to 32 lowercase/);
  });

  test('fails when the brackets never close, with one line', () => {
    expect(errorForFile('open.json', '['.repeat(100_000))).toMatch(/^open\.json: not valid JSON \(.{1,100}\); /);
  });

  test('fails when the path is a directory, naming it', () => {
    mkdirSync(path.join(dir, 'folder.json'));
    expect(oneLineError(() => loadConfig('folder.json', dir))).toBe(
      'folder.json: cannot read the config file (it is a directory); expected a JSON file, see config/deploy.json',
    );
  });

  test('fails at once when the path is a named pipe, instead of waiting for a writer', async () => {
    // GIVEN a FIFO, and a writer that would only unblock a reader after 3 s
    const fifo = path.join(dir, 'pipe.json');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const writer = spawn('sh', ['-c', 'sleep 3; echo "{}" > "$0"', fifo], { stdio: 'ignore' });
    const exited = new Promise((resolve) => writer.once('exit', resolve));
    try {
      // WHEN it is loaded
      const started = Date.now();
      const message = oneLineError(() => loadConfig('pipe.json', dir));
      // THEN it is refused by name without waiting
      expect(Date.now() - started).toBeLessThan(1000);
      expect(message).toBe(
        'pipe.json: cannot read the config file (it is a named pipe, socket or device, not a regular file); ' +
          'expected a JSON file, see config/deploy.json',
      );
    } finally {
      writer.kill();
      await exited;
    }
  });

  test('fails when the file is larger than any config, before reading it', () => {
    expect(errorForFile('huge.json', Buffer.alloc(1024 * 1024 + 1, 0x20))).toBe(
      'huge.json: cannot read the config file (it has 1048577 bytes; a config file has at most 1 MiB); ' +
        'expected a JSON file, see config/deploy.json',
    );
  });
});
