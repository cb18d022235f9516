// The git side of `npm run deploy`: the commit a --ref names, what HEAD leaves out, and a commit's archive.
import { CommandError, shorten } from '../cli/command';
import { runProcessSync } from '../cli/process';

/** Runs git; its failure is one line of ours, never git's own text. */
export function git(args: readonly string[], what: string): Buffer {
  const result = runProcessSync('git', args);
  const error = result.startError ?? result.runError;
  if (error || result.code !== 0) {
    const reason = error
      ? `cannot run git: ${(error as NodeJS.ErrnoException).code ?? error.message}`
      : /not a git repository/i.test(result.output)
        ? `${process.cwd()} is not inside a git checkout`
        : `git ${args[0]} exited ${result.code}`;
    throw new CommandError(`${what} failed (${reason}); deploy uploads a commit: run it from a clone of the project`);
  }
  return result.stdoutBytes;
}

/**
 * The full hash of the commit a --ref names, or one line saying it names none here. It never reaches git as an
 * option, and names only commits (`^{commit}`): a tag resolves to its commit, a tree or a blob is refused.
 */
export function resolveRef(raw: string): string {
  if (raw.trim() === '' || raw.startsWith('-') || raw.length > 256 || /[\s\0]/.test(raw)) {
    throw new CommandError(`--ref is "${shorten(raw)}"; expected a commit: a hash, tag or branch of this clone`);
  }
  // Outside a clone, or without git, the usual one line; inside one, git's exit status only says whether it resolves.
  git(['rev-parse', '--git-dir'], 'git rev-parse');
  const result = runProcessSync('git', ['rev-parse', '--verify', '--quiet', `${raw}^{commit}`]);
  const hash = result.stdout.trim();
  if (result.code !== 0 || !/^[0-9a-f]{40,64}$/.test(hash)) {
    throw new CommandError(
      `--ref ${shorten(raw)} names no commit in this clone; fetch it first (git fetch origin), or give its full hash`,
    );
  }
  return hash;
}

/** Uncommitted and untracked files, which `git archive HEAD` leaves out. */
export function changesOutsideHead(): string[] {
  return git(['status', '--porcelain', '--untracked-files=normal'], 'git status')
    .toString('utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.slice(3));
}
