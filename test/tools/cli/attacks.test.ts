// Malformed input and injected faults against every command, run as a user runs them. Each must end within its
// bound, exit non-zero, and print exactly one line of its own naming what was wrong, with no stack trace.
// Attacks on a process (a silent endpoint, a port in use, a TMPDIR) run as real processes; the rest run one after
// another in one Node process (runToolsInOneProcess), each as its command's main module, and a sample of those runs
// again as a real process must do exactly the same.
import { readdirSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { runTool, runToolsInOneProcess, type ToolRun } from '../../helpers/run-tool';
import { dir } from './attack-fixtures';
import { attacks, TOOLS, type Attack } from './attack-list';

/** Accepts connections and never answers. */
let silent: Server;
const sockets: Socket[] = [];
/** Answers every request with an HTML page, as a proxy or captive portal would. */
let html: Server;
let silentUrl = '';
let htmlUrl = '';

interface Result {
  readonly attack: Attack;
  readonly code: number;
  readonly lines: string[];
  readonly trace: boolean;
  readonly seconds: number;
  /** What a run in the shared process left running, which an exit would have stopped. */
  readonly leftRunning: readonly string[];
}

function judge(attack: Attack, run: ToolRun, seconds: number, leftRunning: readonly string[] = []): Result {
  const lines = run.stderr.split('\n').filter((l) => l.startsWith(`${attack.command}:`));
  const left = attack.leavesEmpty ? readdirSync(attack.leavesEmpty) : [];
  if (left.length > 0) lines.push(`left behind in ${attack.leavesEmpty}: ${left.join(', ')}`);
  return { attack, code: run.code, lines, trace: /^\s+at .+:\d+:\d+\)?$/m.test(run.stderr), seconds, leftRunning };
}

/**
 * Runs the attacks on a process as real processes, a few at a time, the longest-bounded first (those mostly wait on
 * a silent endpoint) together with each command's --help and the sample; meanwhile the rest run in one process.
 * The sample: for each command with no attack in a process of its own, its first attack again as a real process.
 */
async function runAll(list: Attack[]) {
  const shared = list.filter((attack) => !attack.ownProcess);
  const alone = new Set(list.filter((attack) => attack.ownProcess).map((attack) => attack.command));
  const sample = (Object.keys(TOOLS) as Array<keyof typeof TOOLS>)
    .filter((command) => !alone.has(command))
    .map((command) => shared.find((attack) => attack.command === command)!);
  const helps: Array<{ script: string; run: ToolRun }> = [];
  const own: Result[] = [];
  const sampled: Result[] = [];
  const queue: Array<() => Promise<void>> = [
    ...list
      .filter((attack) => attack.ownProcess)
      .sort((x, y) => (y.bound ?? 30) - (x.bound ?? 30))
      .map((attack) => async () => void own.push(await runReal(attack))),
    ...sample.map((attack) => async () => void sampled.push(await runReal(attack))),
    ...Object.values(TOOLS).map(
      (script) => async () => void helps.push({ script, run: await runTool(script, ['--help', '--dry-rn']) }),
    ),
  ];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) await next();
  };
  const [hosted] = await Promise.all([
    runToolsInOneProcess(
      shared.map((attack) => ({
        script: attack.script,
        args: attack.args,
        env: attack.env as Record<string, string>,
        cwd: attack.cwd,
        timeoutSeconds: attack.bound ?? 30,
      })),
    ),
    // Six at a time: the first ones mostly wait on a silent endpoint, using no CPU, while the others run.
    ...Array.from({ length: 6 }, worker),
  ]);
  const inOneProcess = shared.map((attack, i) => judge(attack, hosted[i], hosted[i].seconds, hosted[i].leftRunning));
  return { results: [...own, ...inOneProcess], sample: { real: sampled, inOneProcess }, helps };
}

async function runReal(attack: Attack): Promise<Result> {
  const started = Date.now();
  const run = await runTool(attack.script, [...attack.args], attack.env, attack.cwd);
  return judge(attack, run, (Date.now() - started) / 1000);
}

describe('every command, attacked', () => {
  let results: Result[] = [];
  let sample: Awaited<ReturnType<typeof runAll>>['sample'] = { real: [], inOneProcess: [] };
  let helps: Awaited<ReturnType<typeof runAll>>['helps'] = [];

  beforeAll(async () => {
    silent = createServer((socket) => sockets.push(socket));
    html = createServer((socket) =>
      socket.once('data', () =>
        socket.end('HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: 24\r\n\r\n<!doctype html><p>hi</p>'),
      ),
    );
    const listen = (server: Server) =>
      new Promise<string>((resolve) =>
        server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as { port: number }).port}`)),
      );
    [silentUrl, htmlUrl] = await Promise.all([listen(silent), listen(html)]);
    ({ results, sample, helps } = await runAll(attacks({ silentUrl, htmlUrl })));
  }, 300_000);

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await Promise.all([silent, html].map((s) => new Promise((resolve) => (s ? s.close(resolve) : resolve(undefined)))));
    rmSync(dir, { recursive: true, force: true });
  });

  test('at least 90 attacks ran, with a silent endpoint for every command that calls AWS', () => {
    expect(results.length).toBeGreaterThanOrEqual(90);
    const silentOnes = results.filter(({ attack }) => attack.env?.AWS_ENDPOINT_URL === silentUrl);
    expect(new Set(silentOnes.map(({ attack }) => attack.command))).toEqual(
      new Set(['publish-image', 'deploy', 'bootstrap', 'pipeline-watch', 'smoke-test']),
    );
  });

  test('each ends within its bound, non-zero, with one line naming what was wrong, and no trace', () => {
    const problems = results
      .filter(({ attack, code, lines, trace, seconds, leftRunning }) => {
        const ok =
          code !== 0 &&
          lines.length === 1 &&
          attack.names.test(lines[0]) &&
          !trace &&
          seconds <= (attack.bound ?? 30) &&
          leftRunning.length === 0;
        return !ok;
      })
      .map(({ attack, code, lines, trace, seconds, leftRunning }) => ({
        run: `${attack.command} ${attack.args.join(' ').slice(0, 80)}`,
        code,
        lines,
        trace,
        seconds,
        leftRunning,
        expected: String(attack.names),
      }));
    expect(problems).toEqual([]);
  });

  test('--help prints usage and does nothing, for every command, each a real process', () => {
    expect(helps.map(({ script }) => script).sort()).toEqual(Object.values(TOOLS).sort());
    for (const { script, run } of helps) {
      expect([script, run.code, run.stdout.startsWith('usage: ')]).toEqual([script, 0, true]);
    }
  });

  test('an attack run in the shared process ends as it does in a real process: same code, same line, no trace', () => {
    // Every command has a failing run as a real process: among the attacks on a process, or in the sample.
    const real = new Set(
      [...results.filter(({ attack }) => attack.ownProcess), ...sample.real].map((r) => r.attack.command),
    );
    expect([...real].sort()).toEqual(Object.keys(TOOLS).sort());
    expect(sample.real.length).toBeGreaterThan(0);
    const seen = (r: Result) => [r.attack.command, r.attack.args, r.code, r.lines, r.trace];
    for (const real of sample.real) {
      expect(seen(real)).toEqual(seen(sample.inOneProcess.find(({ attack }) => attack === real.attack)!));
    }
  });
});
