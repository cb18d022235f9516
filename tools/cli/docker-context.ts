// The docker context as the commands read it. A module with no command of its own: the pipeline steps are bundled
// (esbuild), and a bundled module's `require.main === module` would run another command's main.
import { lstatSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { DOCKER_CONTEXT_DIR, contentTag } from '../../runtime/image-tag';
import { CommandError } from './command';

/**
 * A symbolic link to a folder inside the context, which the hash cannot read as a file (EISDIR) and which docker
 * build sends as a link, not as the folder's content: named before hashing.
 */
export function linkedFolderIn(root: string, dir = ''): string | undefined {
  let entries;
  try {
    entries = readdirSync(path.join(root, dir), { withFileTypes: true });
  } catch {
    return undefined; // not a folder: contentTag says so
  }
  for (const entry of entries) {
    const relative = path.join(dir, entry.name);
    const full = path.join(root, relative);
    if (entry.isSymbolicLink()) {
      let target;
      try {
        target = statSync(full);
      } catch {
        continue;
      }
      if (target.isDirectory()) return full;
    } else if (lstatSync(full).isDirectory()) {
      const inner = linkedFolderIn(root, relative);
      if (inner) return inner;
    }
  }
  return undefined;
}

/** The image tag of a context, refusing one with a linked folder in one line that names it. */
export function checkedContentTag(dir: string = DOCKER_CONTEXT_DIR): string {
  const linked = linkedFolderIn(dir);
  if (linked) {
    throw new CommandError(
      `${linked} is a symbolic link to a folder; expected files and real folders only in the docker context`,
    );
  }
  return contentTag(dir);
}
