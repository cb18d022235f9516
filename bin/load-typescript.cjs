// How `cdk synth` runs the app (cdk.json): Node loads each of the project's .ts files through esbuild's transform,
// and keeps both the transformed code and V8's compiled code of every module between synths. tsx, which the npm
// scripts use, also lexes each JavaScript module it loads, all of aws-cdk-lib's: a fifth of a synth's time
// (npm run bench).
'use strict';
const { createHash } = require('node:crypto');
const { mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const { enableCompileCache } = require('node:module');
const path = require('node:path');

const projectRoot = path.join(__dirname, '..');
const cacheRoot = path.join(projectRoot, 'node_modules', '.cache');
// The compiler options that change emitted code (class fields, module interop) come from the project's tsconfig.
const tsconfigRaw = readFileSync(path.join(projectRoot, 'tsconfig.json'), 'utf8');
const esbuildVersion = JSON.parse(readFileSync(require.resolve('esbuild/package.json'), 'utf8')).version;

// Node 24's module compile cache (nodejs.org/api/module.html#module-compile-cache), in the folder tools keep caches.
enableCompileCache(path.join(cacheRoot, 'node-compile-cache'));
// Stack traces name the TypeScript lines: construct traces in the validation report are read by people.
process.setSourceMapsEnabled(true);

/**
 * esbuild's synchronous transform waits on its service process: 0.4 s of a synth for the project's hundred files.
 * Its output depends only on the source, the file's path (the source map names it), the tsconfig and esbuild's
 * version, so that is the key; a warm synth never starts esbuild.
 */
const transformCache = path.join(cacheRoot, 'ts-transform');
function transform(source, filename) {
  const key = createHash('sha256')
    .update(`${esbuildVersion}\0${tsconfigRaw}\0${filename}\0`)
    .update(source)
    .digest('hex');
  const cached = path.join(transformCache, `${key}.js`);
  try {
    return readFileSync(cached, 'utf8');
  } catch {
    // Not transformed yet.
  }
  const { code } = require('esbuild').transformSync(source, {
    loader: 'ts',
    format: 'cjs',
    target: 'node24',
    sourcemap: 'inline',
    sourcefile: filename,
    tsconfigRaw,
  });
  // Written aside and renamed, so that a synth running beside this one never reads half a file.
  mkdirSync(transformCache, { recursive: true });
  const partial = `${cached}.${process.pid}`;
  writeFileSync(partial, code);
  renameSync(partial, cached);
  return code;
}

// require() tries each registered extension in turn, so `import './x'` finds x.ts as tsc resolves it.
require.extensions['.ts'] = (module, filename) => {
  module._compile(transform(readFileSync(filename, 'utf8'), filename), filename);
};
