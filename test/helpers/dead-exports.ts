// Which exports of src/ nobody uses: the checker behind test/unit/meta/dead-exports.test.ts (the rule is
// written out there). It reads the files' syntax only (no type checker), so a whole repository takes a second.
import { posix } from 'node:path';
import ts from 'typescript';

/** What to do with an export nobody uses. */
export type DeadVerdict =
  /** Nothing imports it and its own file does not use it: delete it. */
  | 'unused'
  /** Only its own file uses it: drop the `export` keyword. */
  | 'file-local'
  /**
   * Only tests import it and src/ never runs it: delete it, or move it to the tests (a re-export: import the origin).
   */
  | 'test-only';

/** One export of src/ that the rule finds dead. */
export interface DeadExport {
  file: string;
  line: number;
  name: string;
  verdict: DeadVerdict;
}

/** An export of a module: where it is declared and, for `export { a as b }`, the local name it stands for. */
interface ExportEntry {
  line: number;
  local: string | null;
}

/** `export { name as alias } from 'target'` (`*` for `export *` and `export * as alias`). */
interface Reexport {
  from: string;
  target: string;
  name: string;
  alias: string;
}

/** What one pass over a file learns. */
interface FileFacts {
  exports: Map<string, ExportEntry>;
  /** Names the file itself refers to, outside its export declarations. */
  localNames: Set<string>;
  /** Imports of src/ modules: target module and imported name (`*` for every export). */
  uses: { target: string; name: string }[];
  reexports: Reexport[];
}

/** bench/ and scripts/ run the build: they load `dist/<module>.js` through computed paths. */
const isTool = (file: string): boolean => file.startsWith('bench/') || file.startsWith('scripts/');

/** The src/ module a relative specifier names (a `dist/` path stands for its source), or null. */
function resolveModule(from: string, spec: string, files: ReadonlyMap<string, string>): string | null {
  if (!spec.startsWith('.')) return null;
  const path = posix
    .normalize(posix.join(posix.dirname(from), spec))
    .replace(/^dist\//, 'src/')
    .replace(/\.js$/, '.ts');
  return path.startsWith('src/') && files.has(path) ? path : null;
}

/**
 * The module a computed path of bench/ or scripts/ names: its string pieces joined (`join(ROOT, 'dist', 'app',
 * 'load.js')`, `` `${root}dist/app/load.js` ``, or `'app/load.js'` handed to a loader of dist/).
 */
function toolModule(call: ts.CallExpression, files: ReadonlyMap<string, string>): string | null {
  const pieces: string[] = [];
  const collect = (n: ts.Node): void => {
    if (ts.isStringLiteralLike(n) || ts.isTemplateHead(n) || ts.isTemplateMiddle(n) || ts.isTemplateTail(n))
      pieces.push(n.text);
    ts.forEachChild(n, collect);
  };
  call.arguments.forEach(collect);
  const joined = pieces.join('/').replace(/\/+/g, '/');
  const inDist = /(?:^|\/)dist\/(.+\.js)$/.exec(joined)?.[1];
  const candidate = `src/${(inDist ?? joined).replace(/\.js$/, '.ts')}`;
  return files.has(candidate) ? candidate : null;
}

/** The names taken from a dynamically imported module: `const { a } = await import(…)`, `(await import(…)).a`. */
function dynamicNames(call: ts.CallExpression): string[] {
  const awaited = call.parent;
  if (!ts.isAwaitExpression(awaited)) return ['*'];
  const holder = awaited.parent;
  if (ts.isVariableDeclaration(holder) && ts.isObjectBindingPattern(holder.name))
    return holder.name.elements.map((e) => (e.propertyName ?? e.name).getText());
  if (ts.isParenthesizedExpression(holder) && ts.isPropertyAccessExpression(holder.parent))
    return [holder.parent.name.text];
  return ['*'];
}

const hasModifier = (n: ts.Node, kind: ts.SyntaxKind): boolean =>
  ts.canHaveModifiers(n) ? (ts.getModifiers(n) ?? []).some((m) => m.kind === kind) : false;

/** Identifiers that name a member or declare a binding rather than refer to one. */
function isNotAReference(id: ts.Identifier): boolean {
  const p = id.parent;
  return (
    ((ts.isPropertyAccessExpression(p) ||
      ts.isPropertyAssignment(p) ||
      ts.isPropertySignature(p) ||
      ts.isPropertyDeclaration(p) ||
      ts.isMethodDeclaration(p) ||
      ts.isMethodSignature(p) ||
      ts.isGetAccessorDeclaration(p) ||
      ts.isSetAccessorDeclaration(p)) &&
      p.name === id) ||
    ((ts.isVariableDeclaration(p) ||
      ts.isFunctionDeclaration(p) ||
      ts.isClassDeclaration(p) ||
      ts.isInterfaceDeclaration(p) ||
      ts.isTypeAliasDeclaration(p) ||
      ts.isEnumDeclaration(p)) &&
      p.name === id) ||
    (ts.isQualifiedName(p) && p.right === id) ||
    (ts.isBindingElement(p) && p.propertyName === id) ||
    ts.isImportSpecifier(p) ||
    ts.isImportClause(p) ||
    ts.isNamespaceImport(p)
  );
}

/** The exported declarations of one statement: each name node with its name as exported. */
function declaredExports(st: ts.Statement): [ts.Node, string][] {
  if (!hasModifier(st, ts.SyntaxKind.ExportKeyword)) return [];
  const isDefault = hasModifier(st, ts.SyntaxKind.DefaultKeyword);
  if (ts.isVariableStatement(st)) {
    const out: [ts.Identifier, string][] = [];
    const bind = (name: ts.BindingName): void => {
      if (ts.isIdentifier(name)) out.push([name, name.text]);
      else for (const e of name.elements) if (!ts.isOmittedExpression(e)) bind(e.name);
    };
    for (const d of st.declarationList.declarations) bind(d.name);
    return out;
  }
  const name = (st as ts.DeclarationStatement).name;
  if (isDefault) return [[name ?? st, 'default']];
  return name && ts.isIdentifier(name) ? [[name, name.text]] : [];
}

function readFile(file: string, text: string, files: ReadonlyMap<string, string>): FileFacts {
  const kind = /\.m?js$/.test(file) ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
  const lineOf = (n: ts.Node): number => sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
  const facts: FileFacts = { exports: new Map(), localNames: new Set(), uses: [], reexports: [] };
  for (const st of sf.statements) {
    for (const [id, name] of declaredExports(st)) facts.exports.set(name, { line: lineOf(id), local: null });
    if (ts.isExportAssignment(st)) facts.exports.set('default', { line: lineOf(st), local: null });
    if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) {
      const target = resolveModule(file, st.moduleSpecifier.text, files);
      const clause = st.importClause;
      if (!target || !clause) continue;
      if (clause.name) facts.uses.push({ target, name: 'default' });
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) facts.uses.push({ target, name: '*' });
      else for (const e of bindings?.elements ?? []) facts.uses.push({ target, name: (e.propertyName ?? e.name).text });
    }
    if (ts.isExportDeclaration(st)) readExportDeclaration(st);
  }
  function readExportDeclaration(st: ts.ExportDeclaration): void {
    const spec = st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier) ? st.moduleSpecifier.text : null;
    const target = spec === null ? null : resolveModule(file, spec, files);
    if (spec !== null && !target) return;
    const clause = st.exportClause;
    // Outside src/, passing an export on is using it (a test helper that re-exports what it wraps).
    if (target && !file.startsWith('src/')) {
      if (!clause || !ts.isNamedExports(clause)) facts.uses.push({ target, name: '*' });
      else for (const e of clause.elements) facts.uses.push({ target, name: (e.propertyName ?? e.name).text });
      return;
    }
    if (target && (!clause || ts.isNamespaceExport(clause))) {
      const alias = clause ? clause.name.text : '*';
      if (clause) facts.exports.set(alias, { line: lineOf(st), local: null });
      facts.reexports.push({ from: file, target, name: '*', alias });
      return;
    }
    if (!clause || !ts.isNamedExports(clause)) return;
    for (const e of clause.elements) {
      const name = (e.propertyName ?? e.name).text;
      facts.exports.set(e.name.text, { line: lineOf(e), local: target ? null : name });
      if (target) facts.reexports.push({ from: file, target, name, alias: e.name.text });
    }
  }
  const visit = (n: ts.Node): void => {
    if (ts.isExportDeclaration(n)) return;
    if (ts.isCallExpression(n)) {
      const isImport = n.expression.kind === ts.SyntaxKind.ImportKeyword;
      const arg = n.arguments[0];
      const target =
        isImport && arg && ts.isStringLiteral(arg)
          ? resolveModule(file, arg.text, files)
          : (isImport || isTool(file)) && ts.isAwaitExpression(n.parent)
            ? toolModule(n, files)
            : null;
      if (target) for (const name of dynamicNames(n)) facts.uses.push({ target, name });
    }
    if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument) && ts.isStringLiteral(n.argument.literal)) {
      const target = resolveModule(file, n.argument.literal.text, files);
      const name = n.qualifier ? (n.qualifier.getText(sf).split('.')[0] ?? '*') : '*';
      if (target) facts.uses.push({ target, name });
    }
    if (ts.isIdentifier(n) && !isNotAReference(n)) facts.localNames.add(n.text);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return facts;
}

/** Who uses each export: `module#name` → user files; `module#*` → users of every export. */
function usersOf(facts: ReadonlyMap<string, FileFacts>): (module: string, name: string) => Set<string> {
  const users = new Map<string, Set<string>>();
  const get = (key: string): Set<string> => users.get(key) ?? users.set(key, new Set()).get(key)!;
  let changed = false;
  const add = (key: string, by: Iterable<string>): void => {
    const set = get(key);
    for (const b of by) if (!set.has(b)) (set.add(b), (changed = true));
  };
  for (const [file, f] of facts) for (const u of f.uses) add(`${u.target}#${u.name}`, [file]);
  const reexports = [...facts.values()].flatMap((f) => f.reexports);
  // A re-export passes on the users of what it exports, so a chain of them is followed to its origin.
  do {
    changed = false;
    for (const r of reexports) {
      const all = get(`${r.from}#*`);
      if (r.name !== '*') add(`${r.target}#${r.name}`, [...get(`${r.from}#${r.alias}`), ...all]);
      else if (r.alias !== '*') add(`${r.target}#*`, [...get(`${r.from}#${r.alias}`), ...all]);
      else {
        add(`${r.target}#*`, all);
        const own = facts.get(r.from)?.exports;
        for (const [key, by] of [...users])
          if (key.startsWith(`${r.from}#`) && !own?.has(key.slice(r.from.length + 1)))
            add(`${r.target}#${key.slice(r.from.length + 1)}`, by);
      }
    }
  } while (changed);
  return (module, name) => new Set([...get(`${module}#${name}`), ...get(`${module}#*`)]);
}

/** What the syntax cannot tell. */
export interface DeadExportOptions {
  /** src/ files whose exports are not judged (they still count as users). */
  skip?: (file: string) => boolean;
}

/**
 * The dead exports of the src/ files among `files` (repository-relative path → text), judged by the rule of
 * test/unit/meta/dead-exports.test.ts.
 */
export function findDeadExports(files: ReadonlyMap<string, string>, options: DeadExportOptions = {}): DeadExport[] {
  const { skip = () => false } = options;
  // A file outside src/ that names neither src/ nor dist/ cannot import a module of src/: not worth parsing.
  const readers = [...files].filter(([file, text]) => file.startsWith('src/') || /src\/|dist/.test(text));
  const facts = new Map(readers.map(([file, text]) => [file, readFile(file, text, files)] as const));
  const users = usersOf(facts);
  const dead: DeadExport[] = [];
  for (const [file, f] of facts) {
    if (!file.startsWith('src/') || skip(file)) continue;
    for (const [name, entry] of f.exports) {
      const by = [...users(file, name)].filter((u) => u !== file);
      if (by.some((u) => u.startsWith('src/') || isTool(u))) continue;
      const usedInFile = f.localNames.has(entry.local ?? name);
      const byTests = by.some((u) => u.startsWith('test/'));
      if (byTests && usedInFile) continue;
      const verdict = byTests ? 'test-only' : usedInFile ? 'file-local' : 'unused';
      dead.push({ file, line: entry.line, name, verdict });
    }
  }
  return dead.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}
