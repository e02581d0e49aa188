/**
 * Every public export of `@synctalk/sdk` carries a JSDoc `@example`. The entries are read from the package's
 * `exports` map (their `@synctalk/source` paths), so a new entry is covered as soon as it is published; each
 * entry's exports are resolved through re-exports with the TypeScript compiler, one program for all of them.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE_CONDITION = '@synctalk/source';

/** `[subpath, source file]` for every entry of the `exports` map that has a source condition. */
function sourceEntries(): [string, string][] {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
    exports: Record<string, unknown>;
  };
  return Object.entries(manifest.exports).flatMap(([subpath, target]) => {
    const source =
      typeof target === 'object' && target !== null
        ? (target as Record<string, unknown>)[SOURCE_CONDITION]
        : undefined;
    return typeof source === 'string' ? [[subpath, resolve(packageDir, source)] as [string, string]] : [];
  });
}

const entries = sourceEntries();

function createProgram(rootNames: string[]): ts.Program {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    join(packageDir, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (!parsed) throw new Error('cannot read packages/sdk/tsconfig.json');
  return ts.createProgram({ rootNames, options: { ...parsed.options, noEmit: true } });
}

const program = createProgram(entries.map(([, file]) => file));
const checker = program.getTypeChecker();

/** The node a declaration's JSDoc is attached to: the statement, for `export const x = …`. */
function documentedNode(declaration: ts.Declaration): ts.Node {
  if (ts.isVariableDeclaration(declaration) && ts.isVariableDeclarationList(declaration.parent)) {
    return declaration.parent.parent;
  }
  return declaration;
}

/** Whether the node's own JSDoc has an `@example` with some content. */
function hasExample(node: ts.Node): boolean {
  return ts
    .getJSDocTags(node)
    .some((tag) => tag.tagName.text === 'example' && (ts.getTextOfJSDocComment(tag.comment) ?? '').trim());
}

/** `name (file)` for every export of the entry whose declarations have no `@example`. */
function exportsWithoutExample(entryFile: string): string[] {
  const sourceFile = program.getSourceFile(entryFile);
  if (!sourceFile) throw new Error(`${entryFile} is not in the program`);
  const moduleSymbol = checker.getSymbolAtLocation(sourceFile);
  if (!moduleSymbol) throw new Error(`${entryFile} is not a module`);
  const exported = checker.getExportsOfModule(moduleSymbol);
  expect(exported.length, `${entryFile} exports nothing`).toBeGreaterThan(0);
  return exported.flatMap((symbol) => {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    const declarations = target.declarations ?? [];
    if (declarations.some((d) => hasExample(documentedNode(d)))) return [];
    const files = [...new Set(declarations.map((d) => relative(packageDir, d.getSourceFile().fileName)))];
    return [`${symbol.name} (${files.join(', ') || 'no declaration'})`];
  });
}

describe('JSDoc @example on every public export', () => {
  it('finds the package entries', () => {
    expect(entries.map(([subpath]) => subpath)).toContain('.');
  });

  it.each(entries)('every export of %s has one', (_subpath, file) => {
    expect(exportsWithoutExample(file), 'exports without a JSDoc @example').toEqual([]);
  });
});
