// `npx tsx tools/build/image-tag.ts [DIR]`: print the image tag.
import { DOCKER_CONTEXT_DIR } from '../../runtime/image-tag';
import { parseCommandLine, runCommand } from '../cli/command';
import { checkedContentTag } from '../cli/docker-context';

const SPEC = {
  name: 'image-tag',
  usage: `
usage: npx tsx tools/build/image-tag.ts [DIR]

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
