// The image tag, shared by the app entry (the tag the service stage deploys) and publish-image (the tag it
// pushes): what both need lives here, so pipeline/ never imports a CLI.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

/** The folder whose content is the image. */
export const DOCKER_CONTEXT_DIR = 'docker';

function listFiles(root: string, dir = ''): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true })
    .flatMap((entry) => {
      const relative = path.posix.join(dir, entry.name);
      // A link to a folder cannot be hashed as a file, and docker build would send the link, not the folder.
      if (entry.isSymbolicLink() && statSync(path.join(root, relative)).isDirectory()) {
        throw new Error(`${path.join(root, relative)} is a link to a folder; expected files and folders only`);
      }
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
  if (!existsSync(contextDir) || !statSync(contextDir).isDirectory()) {
    throw new Error(`${contextDir} is not a folder; expected the docker context, such as ${DOCKER_CONTEXT_DIR}`);
  }
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
