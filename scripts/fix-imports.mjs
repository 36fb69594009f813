#!/usr/bin/env node
// Rewrites imports that reach into another folder of src/ (`../client/b24-client.ts`) to go through that
// folder's index.ts (`../client/index.ts`), adding to index.ts the re-exports it lacks. The lint rule
// (biome.json, style/noRestrictedImports) asks for exactly this.
//
// Usage: node scripts/fix-imports.mjs [--write] [--root DIR]
//   without --write: prints what it would change and what it cannot, changes nothing.
//   --root: the checkout to work on (default: the one this script is in).
//
// The TypeScript checker decides what a name is: an import is rewritten only when every name it takes
// is, or can be made, the same symbol exported by the folder's index.ts. Left as they are, and listed:
// namespace imports and `export *` of a deep path, side-effect imports, dynamic `import()`, and names
// the index already exports for another symbol (two `ListPage`s: rename one first). A folder without an
// index.ts gets one.
// Afterwards run the typecheck and the tests: re-exports through index.ts can create import cycles.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const args = process.argv.slice(2);
const write = args.includes('--write');
const rootIndex = args.indexOf('--root');
const root = resolve(rootIndex >= 0 ? args[rootIndex + 1] : join(dirname(fileURLToPath(import.meta.url)), '..'));
const srcRoot = join(root, 'src');

const config = ts.getParsedCommandLineOfConfigFile(
  join(root, 'tsconfig.json'),
  {},
  { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (diagnostic) => console.error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')) },
);
if (!config) process.exit(1);
const program = ts.createProgram({ rootNames: config.fileNames.filter((file) => file.startsWith(srcRoot + sep)), options: config.options });
const checker = program.getTypeChecker();

/** `src/client/b24-client.ts` → `client`; undefined for src/index.ts and files outside src/. */
function topFolder(file) {
  const path = relative(srcRoot, file);
  if (path.startsWith('..')) return undefined;
  const parts = path.split(sep);
  return parts.length > 1 ? parts[0] : undefined;
}

function specifierPath(fromFile, target) {
  let path = relative(dirname(fromFile), target).split(sep).join('/');
  if (!path.startsWith('.')) path = `./${path}`;
  return path;
}

function resolvedTarget(fromFile, specifier) {
  if (!specifier.startsWith('.')) return undefined;
  const target = resolve(dirname(fromFile), specifier);
  return existsSync(target) ? target : undefined;
}

function unaliased(symbol) {
  return symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
}

const indexExportCache = new Map();
/** name → the symbol (unaliased) index.ts exports under it, including what `export *` brings. */
function exportsOfIndex(indexFile) {
  if (!indexExportCache.has(indexFile)) {
    const source = program.getSourceFile(indexFile);
    const moduleSymbol = source && checker.getSymbolAtLocation(source);
    const map = new Map(); // empty for a folder without index.ts yet: it is created with what is needed
    if (moduleSymbol) for (const symbol of checker.getExportsOfModule(moduleSymbol)) map.set(symbol.name, unaliased(symbol));
    indexExportCache.set(indexFile, map);
  }
  return indexExportCache.get(indexFile);
}

/** Re-exports to add, by index file, by path: name → type-only. Written as `export { a, type B } from './x.ts';`. */
const additions = new Map();
function planReExport(indexFile, name, symbol, target) {
  const isType = (symbol.flags & ts.SymbolFlags.Value) === 0;
  const path = specifierPath(indexFile, target);
  if (!additions.has(indexFile)) additions.set(indexFile, new Map());
  const byPath = additions.get(indexFile);
  if (!byPath.has(path)) byPath.set(path, new Map());
  byPath.get(path).set(name, isType);
  exportsOfIndex(indexFile).set(name, symbol);
}

const edits = new Map(); // file → [{start, end, text}]
const leftAlone = [];
let rewritten = 0;

function note(file, node, why) {
  const { line } = node.getSourceFile().getLineAndCharacterOfPosition(node.getStart());
  leftAlone.push(`${relative(root, file)}:${line + 1}: ${node.getText().split('\n')[0].slice(0, 120)} — ${why}`);
}

/** The names a declaration takes: [{exported (name in the target module), symbol}] or a reason it cannot be moved. */
function namesTaken(node) {
  if (ts.isImportDeclaration(node)) {
    const clause = node.importClause;
    if (!clause) return 'a side-effect import';
    if (clause.name) return 'a default import';
    const bindings = clause.namedBindings;
    if (!bindings) return 'nothing imported';
    if (ts.isNamespaceImport(bindings)) return 'a namespace import';
    return bindings.elements.map((element) => ({ exported: (element.propertyName ?? element.name).text, symbol: checker.getSymbolAtLocation(element.name) }));
  }
  if (!node.exportClause) return '`export *` of a deep path';
  if (ts.isNamespaceExport(node.exportClause)) return '`export * as` of a deep path';
  return node.exportClause.elements.map((element) => ({
    exported: (element.propertyName ?? element.name).text,
    symbol: checker.getSymbolAtLocation(element.propertyName ?? element.name),
  }));
}

for (const source of program.getSourceFiles()) {
  const file = source.fileName;
  if (!file.startsWith(srcRoot + sep) || source.isDeclarationFile) continue;
  const fromTop = topFolder(file);
  ts.forEachChild(source, function visit(node) {
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = node.arguments;
      if (argument && ts.isStringLiteral(argument)) {
        const target = resolvedTarget(file, argument.text);
        if (target && topFolder(target) && topFolder(target) !== fromTop && relative(srcRoot, target) !== join(topFolder(target), 'index.ts'))
          note(file, node, 'a dynamic import: change it by hand');
      }
    }
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const target = resolvedTarget(file, node.moduleSpecifier.text);
      const toTop = target && topFolder(target);
      if (!toTop || toTop === fromTop) return;
      const indexFile = join(srcRoot, toTop, 'index.ts');
      if (target === indexFile) return;
      const names = namesTaken(node);
      if (typeof names === 'string') {
        note(file, node, names);
        return;
      }
      const exported = exportsOfIndex(indexFile);
      const plans = [];
      for (const { exported: name, symbol } of names) {
        if (!symbol) {
          note(file, node, `"${name}" does not resolve`);
          return;
        }
        const wanted = unaliased(symbol);
        const existing = exported.get(name);
        if (existing && existing !== wanted) {
          note(file, node, `src/${toTop}/index.ts already exports another "${name}": rename one of them first`);
          return;
        }
        if (!existing) plans.push([name, wanted]);
      }
      for (const [name, wanted] of plans) planReExport(indexFile, name, wanted, target);
      const literal = node.moduleSpecifier;
      if (!edits.has(file)) edits.set(file, []);
      edits.get(file).push({ start: literal.getStart() + 1, end: literal.getEnd() - 1, text: specifierPath(file, indexFile) });
      rewritten += 1;
      return;
    }
    ts.forEachChild(node, visit);
  });
}

function applyEdits(text, fileEdits) {
  let result = text;
  for (const edit of [...fileEdits].sort((a, b) => b.start - a.start)) result = result.slice(0, edit.start) + edit.text + result.slice(edit.end);
  return result;
}

const indexLines = new Map();
for (const [indexFile, byKey] of additions) {
  const lines = [];
  for (const [path, names] of [...byKey].sort(([a], [b]) => a.localeCompare(b))) {
    const sorted = [...names].sort(([a], [b]) => a.localeCompare(b));
    const allTypes = sorted.every(([, isType]) => isType);
    const list = sorted.map(([name, isType]) => (isType && !allTypes ? `type ${name}` : name)).join(', ');
    lines.push(`export ${allTypes ? 'type ' : ''}{ ${list} } from '${path}';`);
  }
  indexLines.set(indexFile, lines);
}

if (write) {
  for (const [file, fileEdits] of edits) writeFileSync(file, applyEdits(readFileSync(file, 'utf8'), fileEdits));
  for (const [indexFile, lines] of indexLines) {
    const text = existsSync(indexFile)
      ? readFileSync(indexFile, 'utf8')
      : `/** The public face of src/${topFolder(indexFile)}/: what other folders may import from it. */\n`;
    writeFileSync(indexFile, `${text.endsWith('\n') ? text : `${text}\n`}${lines.join('\n')}\n`);
  }
}

const verb = write ? 'Rewrote' : 'Would rewrite';
console.log(
  `${verb} ${rewritten} import/export declaration(s) in ${edits.size} file(s); ${write ? 'added' : 'would add'} ${[...indexLines.values()].reduce((total, lines) => total + lines.length, 0)} re-export line(s) to ${indexLines.size} index.ts file(s).`,
);
if (!write) for (const [indexFile, lines] of indexLines) console.log(`\n${relative(root, indexFile)}:\n${lines.map((line) => `  + ${line}`).join('\n')}`);
if (leftAlone.length > 0) console.log(`\nLeft as they are (${leftAlone.length}):\n${leftAlone.map((line) => `  ${line}`).join('\n')}`);
