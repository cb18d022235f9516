import { runProcess, runProcessSync, startProcess, succeeded } from '../../../tools/cli/process';

const node = (script: string) => [process.execPath, ['-e', script]] as const;

describe('the one process runner', () => {
  test('keeps stdout and both streams, writes the input to stdin, and says how it ended', async () => {
    const [command, args] = node(
      "process.stdin.on('data', (d) => { process.stdout.write(`out:${d}`); process.stderr.write('err'); process.exit(3); })",
    );
    for (const run of [
      await runProcess(command, args, { input: 'hello' }),
      runProcessSync(command, args, { input: 'hello' }),
    ]) {
      expect(run).toMatchObject({
        code: 3,
        signal: null,
        timedOut: false,
        stdout: 'out:hello',
        output: 'out:helloerr',
      });
      expect(run.startError).toBeUndefined();
      expect(() => succeeded('the script', run)).toThrow('the script exited 3: out:helloerr');
    }
  });

  test('a program that cannot start is a start error, named by succeeded', async () => {
    for (const run of [await runProcess('no-such-program-here', []), runProcessSync('no-such-program-here', [])]) {
      expect([run.code, run.startError?.message]).toEqual([null, expect.stringContaining('ENOENT')]);
      expect(() => succeeded('no-such-program-here', run)).toThrow(/^no-such-program-here could not start: .*ENOENT/);
    }
  });

  test('stops a program at its time limit, and says so', async () => {
    const [command, args] = node('setTimeout(() => {}, 30_000)');
    for (const run of [
      await runProcess(command, args, { timeoutMs: 300 }),
      runProcessSync(command, args, { timeoutMs: 300 }),
    ]) {
      expect(run).toMatchObject({ code: null, signal: 'SIGTERM', timedOut: true });
    }
    // A blocking run that started and was stopped names why, never "exited null".
    const blocking = runProcessSync(command, args, { timeoutMs: 300 });
    expect(blocking.startError).toBeUndefined();
    expect(() => succeeded('the script', blocking)).toThrow(/^the script failed: .*ETIMEDOUT/);
  });

  test('stop() sends its signal, and SIGKILL to a program that ignores it', async () => {
    const [command, args] = node("process.on('SIGTERM', () => {}); console.log('up'); setInterval(() => {}, 1000)");
    const running = startProcess(command, args);
    while (!running.output().includes('up')) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(running.exited()).toBe(false);
    await running.stop('SIGTERM', 300);
    expect([running.exited(), (await running.result).signal]).toEqual([true, 'SIGKILL']);
  });
});
