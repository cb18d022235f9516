// The pipeline's post-Synth steps as single self-contained JavaScript files, built with esbuild when synth runs
// and written into the cloud assembly, which CodePipeline hands to those steps: they run them with `node`, with
// no `npm ci`, no `tsx` and no package download.
import { statSync } from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { STEP_ENTRIES, stepBundle, type StepName } from '../../config/names';

/** Bundles every step into `<assemblyDir>/steps/`; returns each bundle's path and size in bytes. */
export function bundleSteps(assemblyDir: string, projectRoot = process.cwd()): Array<{ file: string; bytes: number }> {
  return Object.entries(STEP_ENTRIES).map(([name, entry]) => {
    const file = path.join(assemblyDir, stepBundle(name as StepName));
    buildSync({
      entryPoints: [path.join(projectRoot, entry)],
      outfile: file,
      bundle: true,
      platform: 'node',
      // CodeBuild's runtime (pipeline/steps.ts CODEBUILD_NODE_VERSION).
      target: 'node24',
      format: 'cjs',
      // Not minified: minifying the region tables the config loader needs costs several seconds of every synth.
      // The config loader finds the installed CDK CLI only to default a version the pipeline's config always sets.
      external: ['aws-cdk/package.json'],
      logLevel: 'error',
    });
    return { file, bytes: statSync(file).size };
  });
}
