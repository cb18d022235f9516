// Runs the image's nginx the way Fargate would run the task, with the real nginx binary:
// - as the image's USER (a task definition `user` wins), never root;
// - with the image's files read-only to that user (readonlyRootFilesystem);
// - with each task volume mounted at its containerPath as Fargate prepares it. ECS developer guide, "Bind mounts":
//   a task volume is an empty directory owned by root with mode 0755, unless the image declares a VOLUME at
//   that path, in which case the image's directory, ownership and mode included, is copied into the volume
//   (aws/containers-roadmap#938 shows the root-owned case breaking non-root containers).
// The image's filesystem is modelled from the Dockerfile: every directory the base image has is taken to be
// root:root 0755, the pessimistic reading, and the Dockerfile's own mkdir, chown and chmod apply on top.
import { chmodSync, chownSync, cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';
import {
  CONFIG_FILES,
  freePort,
  launchNginx,
  removePrefix,
  requireNginx,
  rewriteConfig,
  type LocalNginx,
} from '../../tools/local/local-nginx';

/** A directory as the image leaves it. */
export interface ImageDirectory {
  owner: string;
  mode: number;
}

/** What the Dockerfile says about users, volumes and directories. */
export interface ImageModel {
  /** The last USER, `root` when there is none. */
  readonly user: string;
  /** Paths declared with VOLUME. */
  readonly volumes: readonly string[];
  /** Directories the Dockerfile creates or changes, by absolute path. */
  readonly directories: ReadonlyMap<string, ImageDirectory>;
}

/** One mount of the task definition: a task volume at a container path. */
export interface TaskMount {
  readonly containerPath: string;
  readonly readOnly: boolean;
}

/** What the task definition decides for the container. */
export interface TaskModel {
  readonly mounts: readonly TaskMount[];
  readonly readonlyRootFilesystem: boolean;
  /** The task definition's `user`, which overrides the image's USER. */
  readonly user?: string;
}

const BASE_DIRECTORY: ImageDirectory = { owner: 'root', mode: 0o755 };

function words(command: string): string[] {
  return command
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => w.replace(/^["']|["']$/g, ''));
}

/** Interprets the Dockerfile's USER, VOLUME and the mkdir, chown and chmod of its RUN lines. */
export function modelImage(dockerfileText: string): ImageModel {
  const directories = new Map<string, ImageDirectory>();
  const volumes: string[] = [];
  let user = 'root';
  const dir = (p: string) => {
    const normal = path.posix.normalize(p).replace(/\/$/, '') || '/';
    if (!directories.has(normal)) directories.set(normal, { ...BASE_DIRECTORY });
    return directories.get(normal)!;
  };
  for (const instruction of DockerfileParser.parse(dockerfileText).getInstructions()) {
    const keyword = instruction.getKeyword();
    const content = (instruction.getArgumentsContent() ?? '').replace(/\\\n/g, ' ');
    if (keyword === 'USER') user = content.trim().split(':')[0];
    if (keyword === 'VOLUME') {
      const list = content.trim().startsWith('[') ? (JSON.parse(content) as string[]) : words(content);
      volumes.push(...list.map((v) => path.posix.normalize(v).replace(/\/$/, '')));
    }
    if (keyword !== 'RUN') continue;
    for (const command of content.split(/&&|;/)) {
      const [program, ...rest] = words(command);
      const args = rest.filter((a) => !a.startsWith('-'));
      if (program === 'mkdir') args.forEach(dir);
      if (program === 'chown' && args.length > 1) {
        const owner = args[0].split(':')[0];
        for (const p of args.slice(1)) dir(p).owner = owner;
      }
      if (program === 'chmod' && args.length > 1 && /^[0-7]{3,4}$/.test(args[0])) {
        for (const p of args.slice(1)) dir(p).mode = parseInt(args[0], 8);
      }
    }
  }
  return { user, volumes, directories };
}

/** The one container's mounts, user and root filesystem setting, from a synthesized task definition. */
export function modelTask(taskDefinitionProperties: Record<string, any>): TaskModel {
  const [container] = taskDefinitionProperties.ContainerDefinitions;
  const volumeNames = new Set((taskDefinitionProperties.Volumes ?? []).map((v: { Name: string }) => v.Name));
  const mounts = (container.MountPoints ?? []).map((m: Record<string, unknown>) => {
    if (!volumeNames.has(m.SourceVolume)) throw new Error(`mount of undeclared volume ${String(m.SourceVolume)}`);
    return { containerPath: String(m.ContainerPath), readOnly: m.ReadOnly === true };
  });
  return { mounts, readonlyRootFilesystem: container.ReadonlyRootFilesystem === true, user: container.User };
}

/** The uid and gid that stand in for the image's non-root user; Alpine's nginx user is 101. */
const IMAGE_USER_ID = 101;

export interface FargateNginx extends LocalNginx {
  /** The image's filesystem as laid out for this run, for assertions. */
  readonly root: string;
}

/**
 * Lays out the image's nginx files and the task's volumes under a temporary root, then runs nginx there as the
 * image's user. Root on this machine switches to uid 101; anyone else runs nginx as themselves, with
 * root-owned directories made unwritable by mode, which is what root ownership means to a non-root process.
 */
export async function startAsFargateTask(
  dockerDir: string,
  task: TaskModel,
  dockerfileText?: string,
): Promise<FargateNginx> {
  const image = modelImage(dockerfileText ?? readFileSync(path.join(dockerDir, 'Dockerfile'), 'utf8'));
  const user = task.user ?? image.user;
  if (user === 'root' || user === '0') throw new Error('the container would run as root');
  const nginx = requireNginx();
  const prefix = mkdtempSync(path.join(tmpdir(), 'fargate-task-'));
  try {
    return await runInPrefix(prefix, dockerDir, task, image, user, nginx);
  } catch (error) {
    removePrefix(prefix);
    throw error;
  }
}

async function runInPrefix(
  prefix: string,
  dockerDir: string,
  task: TaskModel,
  image: ImageModel,
  user: string,
  nginx: string,
): Promise<FargateNginx> {
  const port = await freePort();
  chmodSync(prefix, 0o755);
  const root = path.join(prefix, 'root');
  const asRoot = process.getuid?.() === 0;
  const inImage = (p: string) => path.join(root, p);

  // The image's content: nginx's config with the container paths moved under root, and the pages.
  const accessLogFile = path.join(prefix, 'stdout.log');
  writeFileSync(accessLogFile, '', { mode: 0o666 });
  chmodSync(accessLogFile, 0o666);
  const mapping: Array<[string, string]> = [
    ...['/etc/nginx/', '/usr/share/nginx/html', '/var/cache/nginx/', '/tmp/'].map((p): [string, string] => [
      p,
      inImage(p) + (p.endsWith('/') ? '/' : ''),
    ]),
    ['/dev/stdout', accessLogFile],
  ];
  mkdirSync(inImage('/etc/nginx'), { recursive: true });
  for (const file of CONFIG_FILES) {
    const text = readFileSync(path.join(dockerDir, file), 'utf8');
    writeFileSync(inImage(`/etc/nginx/${file}`), rewriteConfig(text, mapping, port));
  }
  cpSync(path.join(dockerDir, 'html'), inImage('/usr/share/nginx/html'), { recursive: true });

  // Directories: the base image's, then the Dockerfile's changes, then each task volume over its path.
  const layout = new Map<string, ImageDirectory>([
    ['/tmp', { ...BASE_DIRECTORY }],
    ['/var/cache/nginx', { ...BASE_DIRECTORY }],
    ...image.directories,
  ]);
  for (const mount of task.mounts) {
    const declared = image.volumes.includes(mount.containerPath);
    const copied = layout.get(mount.containerPath) ?? BASE_DIRECTORY;
    const volume = declared ? { ...copied } : { ...BASE_DIRECTORY };
    // A read-only mount is unwritable to everyone.
    layout.set(mount.containerPath, mount.readOnly ? { owner: 'root', mode: volume.mode & 0o555 } : volume);
  }
  const mountPaths = new Set(task.mounts.map((m) => m.containerPath));
  for (const [containerPath, { owner, mode }] of [...layout].sort(([a], [b]) => a.localeCompare(b))) {
    const local = inImage(containerPath);
    mkdirSync(local, { recursive: true });
    // Outside the volumes the root filesystem is read-only: nothing there is writable, whatever the owner.
    const writable = mountPaths.has(containerPath) || !task.readonlyRootFilesystem;
    const effective = writable ? mode : mode & 0o555;
    const ownedByUser = owner === user;
    if (asRoot) {
      chownSync(local, ownedByUser ? IMAGE_USER_ID : 0, ownedByUser ? IMAGE_USER_ID : 0);
      chmodSync(local, effective);
    } else {
      // Without root, "owned by root" is modelled as "the owner bits do not apply to us": use the other bits.
      chmodSync(local, ownedByUser ? effective : (effective & 0o007) * 0o111);
    }
  }
  // Everything else in the image is readable and not writable by the user.
  for (const p of ['/', '/etc', '/etc/nginx', '/usr', '/usr/share', '/usr/share/nginx', '/var']) {
    if (!layout.has(p)) chmodSync(inImage(p), 0o555);
  }
  return {
    ...(await launchNginx({
      nginx,
      prefix,
      port,
      configFile: inImage('/etc/nginx/nginx.conf'),
      accessLogFile,
      ...(asRoot && { uid: IMAGE_USER_ID, gid: IMAGE_USER_ID }),
    })),
    root,
  };
}
