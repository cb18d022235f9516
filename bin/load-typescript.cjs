// How the project's TypeScript runs: `cdk synth` runs the app (cdk.json) and every npm script its command with
// `node --require ./bin/load-typescript.cjs`. Node loads each .ts file through esbuild's transform, and between runs
// keeps the transformed code, where each require() in node_modules leads, and V8's compiled code of every module,
// all under node_modules/.cache, which `npm ci` empties. A command starts in a quarter of the time tsx takes, which
// lexes every JavaScript module it loads (npm run bench). lint:workflows alone stays on tsx: GitHub's workflow
// parser imports JSON without the import attribute Node requires, which only tsx's loader lets through.
'use strict';
const { createHash } = require('node:crypto');
const { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { enableCompileCache, registerHooks } = require('node:module');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const projectRoot = path.join(__dirname, '..');

// The Node this project runs on is .nvmrc's: on an older one, say so in one line instead of a TypeError below.
const wantedNode = Number(readFileSync(path.join(projectRoot, '.nvmrc'), 'utf8'));
if (Number(process.versions.node.split('.')[0]) < wantedNode) {
  process.stderr.write(
    `This project runs on Node ${wantedNode} (.nvmrc); this is Node ${process.version}. ` +
      "See the README's prerequisites, or run bash .ci/run, which fetches it.\n",
  );
  process.exit(1);
}
const cacheRoot = path.join(projectRoot, 'node_modules', '.cache');
// The compiler options that change emitted code (class fields, module interop) come from the project's tsconfig.
const tsconfigRaw = readFileSync(path.join(projectRoot, 'tsconfig.json'), 'utf8');
const esbuildVersion = JSON.parse(readFileSync(require.resolve('esbuild/package.json'), 'utf8')).version;

// Node 24's module compile cache (nodejs.org/api/module.html#module-compile-cache), in the folder tools keep caches.
enableCompileCache(path.join(cacheRoot, 'node-compile-cache'));
// Stack traces name the TypeScript lines: construct traces in the validation report are read by people.
process.setSourceMapsEnabled(true);

/**
 * Writes a cache file aside and renames it, so that a synth running beside this one never reads half a file. With
 * `current`, the folder's other files go: those of an earlier node_modules. A cache that cannot be written (a
 * read-only or full disk) only makes the next synth slower.
 */
function keep(file, text, current) {
  const folder = path.dirname(file);
  try {
    mkdirSync(folder, { recursive: true });
    if (current)
      for (const name of readdirSync(folder)) if (!current(name)) rmSync(path.join(folder, name), { force: true });
    const partial = `${file}.${process.pid}`;
    writeFileSync(partial, text);
    renameSync(partial, file);
  } catch {
    // Not kept.
  }
}

/**
 * esbuild's synchronous transform waits on its service process: 0.4 s of a synth for the project's hundred files.
 * Its output depends only on the source, the file's path (the source map names it), the tsconfig and esbuild's
 * version. Each file has one entry, named by its path and headed by the hash of the rest: an edited file replaces
 * its entry instead of adding one, and a warm synth never starts esbuild.
 */
const transformCache = path.join(cacheRoot, 'ts-transform');
function transform(source, filename) {
  const hash = createHash('sha256').update(`${esbuildVersion}\0${tsconfigRaw}\0`).update(source).digest('hex');
  const cached = path.join(transformCache, `${createHash('sha256').update(filename).digest('hex')}.js`);
  const header = `// ${hash}\n`;
  try {
    const text = readFileSync(cached, 'utf8');
    if (text.startsWith(header)) return text.slice(header.length);
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
  keep(cached, header + code);
  return code;
}

/**
 * Where each require() inside node_modules leads, kept between synths: finding a module's file (the extensions
 * tried, the package.json files read) is a tenth of a synth for aws-cdk-lib's thousand modules. What a specifier
 * resolves to from a folder changes only when node_modules does, and npm rewrites node_modules/.package-lock.json
 * whenever it changes node_modules (docs.npmjs.com/cli/configuring-npm/package-lock-json#hidden-lockfiles), so that
 * file's size and time, with Node's version, name the cache. Only results inside node_modules are kept: a file added
 * to the project can change what its own imports find. Node's synchronous module hooks (nodejs.org/api/module.html,
 * registerHooks) see require() as well as import; only require() results are kept.
 */
function cacheResolutions() {
  const nodeModules = path.join(projectRoot, 'node_modules');
  let tree;
  try {
    tree = statSync(path.join(nodeModules, '.package-lock.json'));
  } catch {
    return; // Not installed by npm: nothing says when node_modules changes.
  }
  const folder = path.join(cacheRoot, 'resolve');
  const file = path.join(folder, `${process.version}-${tree.size}-${Math.trunc(tree.mtimeMs)}.json`);
  let known = {};
  try {
    known = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    // First synth on this tree.
  }
  const inside = pathToFileURL(nodeModules).href + '/';
  let learned = 0;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const parent = context.parentURL;
      // require() only: an import also carries attributes (`with { type: 'json' }`) that its result must match.
      if (!parent?.startsWith('file:') || !context.conditions.includes('require'))
        return nextResolve(specifier, context);
      const key = `${parent.slice(0, parent.lastIndexOf('/'))}\0${specifier}\0${context.conditions}`;
      const hit = known[key];
      if (hit) return { ...hit, shortCircuit: true };
      const resolved = nextResolve(specifier, context);
      if (resolved.url.startsWith(inside)) {
        known[key] =
          typeof resolved.format === 'string' ? { url: resolved.url, format: resolved.format } : { url: resolved.url };
        learned++;
      }
      return resolved;
    },
  });
  process.on('exit', () => {
    if (learned > 0) keep(file, JSON.stringify(known), (name) => name.startsWith(path.basename(file)));
  });
}
cacheResolutions();

// require() tries each registered extension in turn, so `import './x'` finds x.ts as tsc resolves it.
require.extensions['.ts'] = (module, filename) => {
  module._compile(transform(readFileSync(filename, 'utf8'), filename), filename);
};
