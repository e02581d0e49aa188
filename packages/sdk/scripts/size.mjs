/* global process, console, URL -- Node.js globals (this script is plain JavaScript) */
/**
 * Size check of the built SDK: `npm run size -w @synctalk/sdk` (after `npm run build -w @synctalk/sdk`).
 *
 * Bundles what an app imports with esbuild, through the package's own `exports` (the built dist/, as an
 * app's bundler sees it): minified, for browsers, ESM with code splitting. Each output file is gzipped at
 * level 9 and the sizes are added up, as a browser downloads them:
 *
 * - protocol: `import { errorCodes, SyncTalkError } from '@synctalk/sdk/protocol'`;
 * - REST: `import { createClient } from '@synctalk/sdk'`, counting the files that load before `connect()`
 *   (the app's file and what it imports statically);
 * - full: the same app plus the chunk `connect()` loads and what that imports (socket.io-client included):
 *   everything a realtime app downloads;
 * - everything (no budget): full plus the chunks loaded only on demand: with a `storage` (the durable outbox
 *   and remembered room positions) and by `auth.kakaoPopup()`.
 *
 * Prints a table, then where the full client's minified bytes come from (per package), and exits 1 when one
 * is over its budget. dist/browser/synctalk.js, the build for pages without a bundler, is listed too (it
 * holds the whole root entry, so it has no budget of its own).
 */
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, version as esbuildVersion } from 'esbuild';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** The budgets, in bytes min+gzip. */
const budgets = { protocol: 2048, rest: 8192, full: 22528 };

const apps = {
  protocol: "export { errorCodes, SyncTalkError } from '@synctalk/sdk/protocol';",
  client: "export { createClient } from '@synctalk/sdk';",
};

const required = ['dist/protocol/index.js', 'dist/index.js', 'dist/browser/synctalk.js'];
const missing = required.filter((file) => !existsSync(new URL(`../${file}`, import.meta.url)));
if (missing.length > 0) {
  console.error(`size: ${missing.join(', ')} missing; build first (npm run build -w @synctalk/sdk)`);
  process.exit(1);
}

/** Bundles `source` as an app would; the output files by path (relative to the package) and the metafile. */
async function bundle(name, source) {
  const result = await build({
    stdin: { contents: source, resolveDir: packageDir, sourcefile: `${name}-app.js`, loader: 'js' },
    absWorkingDir: packageDir,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    splitting: true,
    outdir: 'size-check',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const files = new Map(result.outputFiles.map((f) => [relative(packageDir, f.path), f.contents]));
  const entry = Object.keys(result.metafile.outputs).find(
    (file) => result.metafile.outputs[file].entryPoint === `${name}-app.js`,
  );
  return { files, metafile: result.metafile, entry };
}

/**
 * The files `entry` loads: through static imports, and through the `import()`s `follow` accepts (given the
 * file that is loaded): none for what loads first, the realtime chunk for what `connect()` adds, all of them
 * for everything the app could ever load.
 */
function loadedFiles(importsOf, entry, follow = () => false) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const imported of importsOf(file)) {
      if (imported.kind === 'import-statement') visit(imported.path);
      else if (imported.kind === 'dynamic-import' && follow(imported.path)) visit(imported.path);
    }
  };
  visit(entry);
  return [...seen];
}

const all = () => true;
/** The chunk `connect()` loads: the one built from the SDK's realtime connection module. */
const realtimeChunk = (b) => (file) =>
  /(^|\/)connection-[^/]*\.js$/.test(file) && b.metafile.outputs[file] !== undefined;

/** Minified and min+gzip bytes of `files`, each gzipped on its own (as each is served). */
function measure(files, contents) {
  let raw = 0;
  let gzip = 0;
  for (const file of files) {
    const bytes = contents(file);
    raw += bytes.byteLength;
    gzip += gzipSync(bytes, { level: 9 }).byteLength;
  }
  return { files: files.length, raw, gzip };
}

/** The package an input of the bundle comes from. */
function origin(input) {
  const modules = input.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const [scope, name] = input.slice(modules + 'node_modules/'.length).split('/');
    return scope.startsWith('@') ? `${scope}/${name}` : scope;
  }
  return input.startsWith('dist/') ? '@synctalk/sdk' : input;
}

const protocol = await bundle('protocol', apps.protocol);
const client = await bundle('client', apps.client);
const metaImports = (b) => (file) => b.metafile.outputs[file]?.imports ?? [];

const sizes = {
  protocol: measure(loadedFiles(metaImports(protocol), protocol.entry, all), (f) => protocol.files.get(f)),
  rest: measure(loadedFiles(metaImports(client), client.entry), (f) => client.files.get(f)),
  full: measure(loadedFiles(metaImports(client), client.entry, realtimeChunk(client)), (f) =>
    client.files.get(f),
  ),
  everything: measure(loadedFiles(metaImports(client), client.entry, all), (f) => client.files.get(f)),
};

// dist/browser: the built files as served; their imports read from the minified code.
const browserDir = new URL('../dist/browser/', import.meta.url);
const browserFile = (file) => readFileSync(new URL(file, browserDir));
function browserImports(file) {
  const code = browserFile(file).toString('utf8');
  const found = (pattern, kind) => [...code.matchAll(pattern)].map((m) => ({ path: m[1], kind }));
  return [
    ...found(/(?:\bfrom|\bimport)\s*["']\.\/([^"']+)["']/g, 'import-statement'),
    ...found(/\bimport\(\s*["']\.\/([^"']+)["']\s*\)/g, 'dynamic-import'),
  ];
}
const browser = {
  rest: measure(loadedFiles(browserImports, 'synctalk.js'), browserFile),
  full: measure(loadedFiles(browserImports, 'synctalk.js', all), browserFile),
};

const bytes = (n) => `${n.toLocaleString('en')} B`;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const rows = [
  ['protocol', '@synctalk/sdk/protocol: errorCodes, SyncTalkError', sizes.protocol, budgets.protocol],
  ['REST', '@synctalk/sdk: createClient, before connect()', sizes.rest, budgets.rest],
  ['full', '@synctalk/sdk: createClient + what connect() loads', sizes.full, budgets.full],
  ['all', 'full + on demand: storage, kakaoPopup', sizes.everything, undefined],
  ['browser', 'dist/browser/synctalk.js, before connect()', browser.rest, undefined],
  ['browser', 'dist/browser/synctalk.js + what connect() loads', browser.full, undefined],
];
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
console.log(
  `@synctalk/sdk ${version}: esbuild ${esbuildVersion} (minify, browser, esm, splitting), gzip -9 per file`,
);
console.log(
  `  ${'entry'.padEnd(9)}${'what'.padEnd(52)}${'files'.padStart(5)}${'min'.padStart(12)}` +
    `${'min+gzip'.padStart(20)}${'budget'.padStart(12)}${'headroom'.padStart(12)}`,
);
for (const [name, what, size, budget] of rows) {
  console.log(
    `  ${name.padEnd(9)}${what.padEnd(52)}${String(size.files).padStart(5)}${bytes(size.raw).padStart(12)}` +
      `${`${bytes(size.gzip)} ${kb(size.gzip)}`.padStart(20)}` +
      `${(budget === undefined ? '-' : bytes(budget)).padStart(12)}` +
      `${(budget === undefined ? '-' : bytes(budget - size.gzip)).padStart(12)}`,
  );
}

// Where the full client's minified bytes come from.
const byOrigin = new Map();
for (const file of loadedFiles(metaImports(client), client.entry, realtimeChunk(client))) {
  for (const [input, { bytesInOutput }] of Object.entries(client.metafile.outputs[file].inputs)) {
    byOrigin.set(origin(input), (byOrigin.get(origin(input)) ?? 0) + bytesInOutput);
  }
}
console.log('  full client, minified bytes by origin:');
for (const [name, n] of [...byOrigin].sort((a, b) => b[1] - a[1])) {
  console.log(`    ${name.padEnd(32)}${bytes(n).padStart(10)}`);
}

const over = Object.entries(budgets).filter(([name, budget]) => sizes[name].gzip > budget);
for (const [name, budget] of over) {
  console.error(
    `size: ${name} is ${bytes(sizes[name].gzip)} min+gzip, over its budget of ${bytes(budget)} by ` +
      `${bytes(sizes[name].gzip - budget)}`,
  );
}
if (over.length > 0) process.exit(1);
console.log('  within budget');
