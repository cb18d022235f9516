// How `cdk synth` runs the app (cdk.json): Node loads each of the project's .ts files through esbuild's transform,
// and keeps V8's compiled code of every module between synths. tsx, which the npm scripts use, also lexes each
// JavaScript module it loads, all of aws-cdk-lib's: a fifth of a synth's time (npm run bench).
'use strict';
const { readFileSync } = require('node:fs');
const { enableCompileCache } = require('node:module');
const path = require('node:path');
const { transformSync } = require('esbuild');

const projectRoot = path.join(__dirname, '..');
// The compiler options that change emitted code (class fields, module interop) come from the project's tsconfig.
const tsconfigRaw = readFileSync(path.join(projectRoot, 'tsconfig.json'), 'utf8');

// Node 24's module compile cache (nodejs.org/api/module.html#module-compile-cache), in the folder tools keep caches.
enableCompileCache(path.join(projectRoot, 'node_modules', '.cache', 'node-compile-cache'));
// Stack traces name the TypeScript lines: construct traces in the validation report are read by people.
process.setSourceMapsEnabled(true);

// require() tries each registered extension in turn, so `import './x'` finds x.ts as tsc resolves it.
require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    loader: 'ts',
    format: 'cjs',
    target: 'node24',
    sourcemap: 'inline',
    sourcefile: filename,
    tsconfigRaw,
  });
  module._compile(code, filename);
};
