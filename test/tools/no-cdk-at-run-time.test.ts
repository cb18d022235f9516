// The lint rule keeps aws-cdk-lib out of tools/ and runtime/ imports; this holds what each command loads in the end,
// through config/ and every other project file it imports: no CDK library, so that a command starts in a fraction of a second
// and the pipeline steps' bundles stay small.
import { buildSync } from 'esbuild';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../helpers/cdk';

const CDK_LIBRARIES = /^(aws-cdk-lib|constructs|cdk-nag)(\/|$)/;

/** Each npm script's entry file: `node --require ./bin/load-typescript.cjs tools/x.ts`, or `tsx tools/x.ts`. */
function commandEntries(): [string, string][] {
  const { scripts } = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  return Object.entries(scripts).flatMap(([name, command]) => {
    const entry = /^(?:tsx|node --require \.\/bin\/load-typescript\.cjs) (\S+\.ts)\b/.exec(command)?.[1];
    return entry ? [[name, entry] as [string, string]] : [];
  });
}

/** The packages the entry and the project files it imports load, as esbuild follows them. */
function loadedPackages(entry: string): string[] {
  const { metafile } = buildSync({
    absWorkingDir: PROJECT_ROOT,
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    logLevel: 'silent',
    packages: 'external',
  });
  return Object.values(metafile!.inputs).flatMap((input) => input.imports.filter((i) => i.external).map((i) => i.path));
}

describe('the commands load no CDK library', () => {
  test('the npm scripts include the operator, step and report commands', () => {
    expect(commandEntries().map(([name]) => name)).toEqual(
      expect.arrayContaining(['deploy', 'bootstrap', 'status', 'drift', 'publish-image', 'smoke-test', 'report']),
    );
  });

  test.each(commandEntries())('npm run %s (%s)', (_name, entry) => {
    expect(loadedPackages(entry).filter((name) => CDK_LIBRARIES.test(name))).toEqual([]);
  });

  test('the check sees a CDK library where one is loaded', () => {
    expect(loadedPackages('bin/app.ts')).toEqual(expect.arrayContaining(['aws-cdk-lib', 'constructs', 'cdk-nag']));
  });
});
