// Work a synth repeats with the same inputs, kept between synths under node_modules/.cache, beside Node's compile
// cache and the transformed sources (bin/load-typescript.cjs): gone with `npm ci`, shared by everyone on this clone.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

const CACHE_ROOT = path.join(__dirname, '..', 'node_modules', '.cache');
/** Kept entries in one folder: past this many, the oldest half goes. */
const MAX_ENTRIES = 2000;

/** The file that keeps the value of these key parts: their SHA-256, in `folder`. */
export function synthCacheFile(folder: string, keyParts: readonly string[]): string {
  const hash = createHash('sha256');
  for (const part of keyParts) hash.update(`${part}\0`);
  return path.join(CACHE_ROOT, folder, `${hash.digest('hex')}.json`);
}

/**
 * What `compute` returns for these key parts, kept in `folder` under their SHA-256. A value that no longer holds
 * (`current` says so: an input file changed) is computed again.
 */
export function synthCached<T>(
  folder: string,
  keyParts: readonly string[],
  compute: () => T,
  current: (value: T) => boolean = () => true,
): T {
  const file = synthCacheFile(folder, keyParts);
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as T;
    if (current(value)) return value;
  } catch {
    // Not there yet, or unreadable: compute it again.
  }
  const value = compute();
  try {
    keep(file, JSON.stringify(value));
  } catch {
    // A cache that cannot be written (a read-only or full disk) only makes the next synth slower.
  }
  return value;
}

/** Writes a kept value whole or not at all, so a synth beside this one reads nothing or all of it; prunes the folder. */
function keep(file: string, text: string): void {
  const dir = path.dirname(file);
  mkdirSync(dir, { recursive: true });
  const partial = `${file}.${process.pid}`;
  writeFileSync(partial, text);
  renameSync(partial, file);
  const entries = readdirSync(dir);
  if (entries.length > MAX_ENTRIES) {
    const byAge = entries
      .map((name) => ({ name, at: statSync(path.join(dir, name)).mtimeMs }))
      .sort((a, b) => a.at - b.at);
    for (const { name } of byAge.slice(0, entries.length / 2)) rmSync(path.join(dir, name), { force: true });
  }
}

/** A file's SHA-256, or undefined when it cannot be read. */
export function fileHash(file: string): string | undefined {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    return undefined;
  }
}
