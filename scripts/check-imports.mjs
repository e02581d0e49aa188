#!/usr/bin/env node
/* global process, console -- Node.js globals (this script is plain JavaScript) */
/**
 * Checks the server's import graph (packages/server/src, test files excluded) for two things:
 *
 * 1. Import cycles: every strongly connected component of more than one file, and every file importing
 *    itself. Cycles make module initialisation order fragile and mean no file in the loop can be understood,
 *    tested or moved on its own. Any cycle fails the check (exit code 1).
 * 2. Platform → domain arrows: imports from a file under src/platform/ to a file outside it (other than
 *    src/config.ts). The platform is what domains are built on; it must not know about them. These are
 *    printed as warnings, and fail the check only with `--strict`.
 * 3. Arrows out of src/: imports from a file under src/ to a module of the server package outside it (test/,
 *    bench/, scripts/). Benchmark and seeding code lives there precisely so the server never ships it; any such
 *    import fails the check.
 *
 * Every relative specifier counts: `import`, `import type`, `export ... from`, and `import('...')` with a
 * literal. A `.js` specifier resolves to the `.ts` file beside it, as TypeScript's NodeNext resolution does.
 *
 * Usage: node scripts/check-imports.mjs [--strict]
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const serverDir = join(root, 'packages/server') + sep;
const srcDir = join(root, 'packages/server/src');
const platformDir = join(srcDir, 'platform') + sep;
const configFile = join(srcDir, 'config.ts');
const strict = process.argv.includes('--strict');

/** Every `.ts` file under `dir`, recursively, except tests. */
function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Static `import`/`export ... from` (type-only included), bare `import '...'`, and literal `import('...')`. */
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*|\bimport\s*\(\s*)(['"])(\.{1,2}\/[^'"]*)\1/g;

/** The relative specifiers in `text`, with comments removed first so examples in JSDoc do not count. */
function relativeSpecifiers(text) {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  return [...code.matchAll(SPECIFIER)].map((match) => match[2]);
}

/** The file a relative specifier in `from` names: `x.js` → `x.ts`, then `x.ts`, `x/index.ts`. */
function resolveSpecifier(from, specifier) {
  const base = resolve(dirname(from), specifier);
  const candidates = [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, join(base, 'index.ts')];
  return candidates.find((path) => path.endsWith('.ts') && existsSync(path));
}

/** Tarjan's algorithm: the strongly connected components of `graph` (a Map from file to imported files). */
function stronglyConnected(graph) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const components = [];
  let next = 0;
  const visit = (node) => {
    index.set(node, next);
    low.set(node, next++);
    stack.push(node);
    onStack.add(node);
    for (const target of graph.get(node) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node), low.get(target)));
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node), index.get(target)));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component = [];
    let member;
    do {
      member = stack.pop();
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    components.push(component.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return components;
}

const show = (path) => relative(root, path).split(sep).join('/');

const graph = new Map();
const unresolved = [];
for (const file of sourceFiles(srcDir).sort()) {
  const targets = new Set();
  for (const specifier of relativeSpecifiers(readFileSync(file, 'utf8'))) {
    const target = resolveSpecifier(file, specifier);
    if (target) targets.add(target);
    // Non-code imports (`../../package.json`) are not part of the graph; a missing module is worth a line.
    else if (!/\.\w+$/.test(specifier) || /\.[cm]?[jt]s$/.test(specifier))
      unresolved.push(`${show(file)} → ${specifier}`);
  }
  graph.set(file, targets);
}

const cycles = stronglyConnected(graph).filter(
  (component) => component.length > 1 || graph.get(component[0])?.has(component[0]),
);
const platformToDomain = [...graph].flatMap(([file, targets]) =>
  file.startsWith(platformDir)
    ? [...targets]
        .filter((target) => !target.startsWith(platformDir) && target !== configFile)
        .map((target) => `${show(file)} → ${show(target)}`)
    : [],
);

const outOfSrc = [...graph].flatMap(([file, targets]) =>
  [...targets]
    .filter((target) => !target.startsWith(srcDir + sep) && target.startsWith(serverDir))
    .map((target) => `${show(file)} → ${show(target)}`),
);

console.log(`check-imports: ${graph.size} files in ${show(srcDir)}`);
for (const line of unresolved) console.log(`warning: unresolved import, left out of the graph: ${line}`);
if (cycles.length === 0) console.log('import cycles: none');
cycles.forEach((component, i) => {
  console.log(`import cycle ${i + 1} of ${cycles.length} (${component.length} files):`);
  for (const file of component) console.log(`  ${show(file)}`);
});
if (platformToDomain.length === 0) console.log('platform → domain imports: none');
else {
  console.log(`${strict ? 'error' : 'warning'}: platform → domain imports (${platformToDomain.length}):`);
  for (const line of platformToDomain) console.log(`  ${line}`);
}

if (outOfSrc.length === 0) console.log('src → test/bench/scripts imports: none');
else {
  console.log(`error: src imports test, bench or script code (${outOfSrc.length}):`);
  for (const line of outOfSrc) console.log(`  ${line}`);
}

process.exitCode =
  cycles.length > 0 || outOfSrc.length > 0 || (strict && platformToDomain.length > 0) ? 1 : 0;
