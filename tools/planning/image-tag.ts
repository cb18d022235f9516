// `npx tsx tools/planning/image-tag.ts [DIR]`: print the image tag.
import { lstatSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { DOCKER_CONTEXT_DIR, contentTag } from '../../stages/image-tag';
import { CommandError, parseCommandLine, runCommand } from '../cli/command';

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

const SPEC = {
  name: 'image-tag',
  usage: `
usage: npx tsx tools/planning/image-tag.ts [DIR]

Prints the image tag: a hash of every file under DIR (default ${DOCKER_CONTEXT_DIR}), the tag synth deploys and
publish-image pushes.
`,
  options: {},
  positionals: { min: 0, max: 1, names: 'DIR' },
} as const;

if (require.main === module) {
  runCommand(SPEC.name, async () => {
    const parsed = parseCommandLine(SPEC, process.argv.slice(2));
    if (!parsed) return;
    console.log(checkedContentTag(parsed.positionals[0] ?? DOCKER_CONTEXT_DIR));
  });
}
