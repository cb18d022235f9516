import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { bundleHandler, bundleKey } from '../../stages/inline-function';
import { synthCacheFile, synthCached } from '../../stages/synth-cache';

describe('work kept between synths', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'synth-cache-'));
  const entry = path.join(dir, 'handler.ts');
  const dependency = path.join(dir, 'answer.ts');
  const created: string[] = [];
  afterAll(() => {
    for (const file of [dir, ...created]) rmSync(file, { recursive: true, force: true });
  });

  test('a handler bundle is reused while the files it read are unchanged, and rebuilt when one changes', () => {
    writeFileSync(entry, "import { answer } from './answer';\nexport const handler = async () => answer;\n");
    writeFileSync(dependency, "export const answer: string = 'first answer';\n");
    const kept = synthCacheFile('lambda-bundles', bundleKey(entry));
    created.push(kept);
    expect(bundleHandler(entry)).toContain('first answer');
    // GIVEN the kept bundle replaced by a marked one with the same inputs THEN the next synth reads it, not esbuild
    const stored = JSON.parse(readFileSync(kept, 'utf8')) as { code: string; inputs: object };
    expect(Object.keys(stored.inputs).sort()).toEqual([dependency, entry].sort());
    writeFileSync(kept, JSON.stringify({ ...stored, code: 'kept bundle' }));
    expect(bundleHandler(entry)).toBe('kept bundle');
    // WHEN a file the bundle imports changes THEN it is bundled again
    writeFileSync(dependency, "export const answer: string = 'second answer';\n");
    expect(bundleHandler(entry)).toContain('second answer');
  });

  test('an unreadable entry is computed again, and a value no longer current too', () => {
    const key = [`test ${process.pid} ${Date.now()}`];
    const file = synthCacheFile('test', key);
    created.push(path.dirname(file));
    let computed = 0;
    const compute = () => ({ computed: ++computed });
    expect(synthCached('test', key, compute)).toEqual({ computed: 1 });
    expect(synthCached('test', key, compute)).toEqual({ computed: 1 });
    writeFileSync(file, '{"computed": 1');
    expect(synthCached('test', key, compute)).toEqual({ computed: 2 });
    expect(synthCached('test', key, compute, (value) => value.computed > 2)).toEqual({ computed: 3 });
  });

  test('a value that cannot be kept is still returned, and computed again the next time', () => {
    // GIVEN a file where the cache folder would go, so that nothing can be written there
    const folder = `test-unwritable-${process.pid}`;
    const key = ['unwritable'];
    const blocked = path.dirname(synthCacheFile(folder, key));
    writeFileSync(blocked, 'not a folder');
    created.push(blocked);
    let computed = 0;
    // WHEN synth asks for it twice THEN each gets the value, computed each time
    expect(synthCached(folder, key, () => ++computed)).toBe(1);
    expect(synthCached(folder, key, () => ++computed)).toBe(2);
  });
});
