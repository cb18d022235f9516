import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseCommandLine, runCommand } from './cli/command';

/** The folder whose content is the image. */
export const DOCKER_CONTEXT_DIR = 'docker';

function listFiles(root: string, dir = ''): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true })
    .flatMap((entry) => {
      const relative = path.posix.join(dir, entry.name);
      return entry.isDirectory() ? listFiles(root, relative) : [relative];
    })
    .sort();
}

/**
 * The image tag: a hash of every file's path and bytes under the docker context, in a fixed order.
 * Synth gives it to the service stage and the publish tool pushes under it, so an unchanged docker/
 * means no rebuild and no redeploy. File modes and timestamps are left out: they differ between clones.
 */
export function contentTag(contextDir: string = DOCKER_CONTEXT_DIR): string {
  const hash = createHash('sha256');
  const files = listFiles(contextDir);
  if (files.length === 0) throw new Error(`${contextDir}: the docker context is empty; expected a Dockerfile`);
  for (const file of files) {
    const bytes = readFileSync(path.join(contextDir, file));
    // Length-prefix each part so that moving bytes between a name and a body changes the hash.
    hash.update(`${file.length}:${file}:${bytes.length}:`);
    hash.update(bytes);
  }
  return `sha-${hash.digest('hex').slice(0, 16)}`;
}

const SPEC = {
  name: 'image-tag',
  usage: `
usage: npx tsx tools/image-tag.ts [DIR]

Prints the image tag: a hash of every file under DIR (default ${DOCKER_CONTEXT_DIR}), the tag synth deploys and
publish-image pushes.
`,
  options: {},
  positionals: { min: 0, max: 1, names: 'DIR' },
} as const;

if (require.main === module) {
  runCommand(SPEC.name, async () => {
    const parsed = parseCommandLine(SPEC, process.argv.slice(2));
    if (parsed) console.log(contentTag(parsed.positionals[0]));
  });
}
