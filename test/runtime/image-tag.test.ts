import { cpSync, mkdtempSync, writeFileSync, renameSync, chmodSync, utimesSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { contentTag } from '../../runtime/image-tag';
import { PROJECT_ROOT } from '../helpers/cdk';

function copyOfDocker(): string {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'tag-')), 'docker');
  cpSync(path.join(PROJECT_ROOT, 'docker'), dir, { recursive: true });
  return dir;
}

describe('content tag of docker/', () => {
  const original = contentTag(path.join(PROJECT_ROOT, 'docker'));

  test('is a short hex tag', () => {
    expect(original).toMatch(/^sha-[0-9a-f]{16}$/);
  });

  test('is the same for an unchanged copy, whatever its timestamps and modes', () => {
    const copy = copyOfDocker();
    utimesSync(path.join(copy, 'Dockerfile'), new Date(0), new Date(0));
    chmodSync(path.join(copy, 'Dockerfile'), 0o600);
    expect(contentTag(copy)).toBe(original);
  });

  test('changes when a file changes, is added or is renamed', () => {
    const changed = copyOfDocker();
    writeFileSync(path.join(changed, 'Dockerfile'), '# changed\n', { flag: 'a' });
    const added = copyOfDocker();
    writeFileSync(path.join(added, 'extra.txt'), 'x');
    const renamed = copyOfDocker();
    renameSync(path.join(renamed, 'Dockerfile'), path.join(renamed, 'Dockerfile.old'));
    const tags = [original, contentTag(changed), contentTag(added), contentTag(renamed)];
    expect(new Set(tags).size).toBe(4);
  });

  test('fails clearly on an empty context', () => {
    expect(() => contentTag(mkdtempSync(path.join(tmpdir(), 'empty-')))).toThrow(/docker context is empty/);
  });

  test('names a link to a folder instead of failing with EISDIR, as synth reaches it through the app', () => {
    const linked = copyOfDocker();
    symlinkSync(path.join(linked, 'html'), path.join(linked, 'site'));
    expect(() => contentTag(linked)).toThrow(`${path.join(linked, 'site')} is a link to a folder`);
  });
});
