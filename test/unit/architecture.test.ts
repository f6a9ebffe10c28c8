import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '../..');

function sourceFiles(dir: string): string[] {
  const abs = path.join(ROOT, dir);
  if (!fs.existsSync(abs)) return [];
  return fs
    .readdirSync(abs, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(ts|tsx|mts|cts)$/.test(f) && !f.endsWith('.d.ts'))
    .map((f) => path.join(abs, f));
}

/** Every module specifier a file imports or requires, read with the TypeScript parser. */
function importsOf(file: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      found.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0])) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require')) {
        found.push((node.arguments[0] as ts.StringLiteral).text);
      }
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      found.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Where a relative specifier points (without extension), or undefined for packages and built-ins. */
function target(spec: string, file: string): string | undefined {
  return spec.startsWith('.') ? path.resolve(path.dirname(file), spec) : undefined;
}

const SRC = path.join(ROOT, 'src');
const VSCODE = path.join(SRC, 'vscode');
/** The composition root and the test API it returns: only these put the areas together. */
const COMPOSITION = [path.join(SRC, 'extension'), path.join(SRC, 'testApi')];

const inside = (p: string, dir: string) => p === dir || p.startsWith(dir + path.sep);

/**
 * The feature area of a path: the folder of `src/vscode` it is in (`config`, `rules`, `session`,
 * `trace`, `tree`...), `shared` for modules directly in `src/vscode` (`services.ts`, the seams, and
 * small shared helpers such as `diagnostics.ts`), undefined outside `src/vscode`.
 */
function areaOf(p: string): string | undefined {
  if (!inside(p, VSCODE)) return undefined;
  const rel = path.relative(VSCODE, p).split(path.sep);
  return rel.length === 1 ? 'shared' : rel[0];
}

/**
 * How the parts of `src/vscode` may import each other:
 * - a file of an area imports files of its own area, the shared modules directly in `src/vscode`
 *   (among them `services.ts`, through which areas reach each other), `src/core`, `src/shared`,
 *   `vscode`, Node and npm packages; never another area, the composition root or the CLI;
 * - a shared module never imports an area (it would relay one area to another), the composition
 *   root or the CLI;
 * - `services.ts` holds only types (type-only imports), so it is a seam and not a back door.
 */
function vscodeImportViolations(files: { file: string; imports: { spec: string; typeOnly: boolean }[] }[]): string[] {
  const out: string[] = [];
  for (const { file, imports } of files) {
    const from = areaOf(file);
    if (!from) continue;
    for (const { spec, typeOnly } of imports) {
      const to = target(spec, file);
      const name = `${path.relative(ROOT, file)} imports ${spec}`;
      if (file === path.join(VSCODE, 'services.ts') && !typeOnly) out.push(`${name} (services.ts holds types only)`);
      if (!to) continue;
      if (COMPOSITION.includes(to) || inside(to, path.join(SRC, 'cli'))) {
        out.push(`${name} (the composition root and the CLI are off limits)`);
        continue;
      }
      const toArea = areaOf(to);
      if (!toArea || toArea === from) continue;
      if (from === 'shared') out.push(`${name} (a shared module must not import an area)`);
      else if (toArea !== 'shared') out.push(`${name} (areas reach each other through src/vscode/services.ts)`);
    }
  }
  return out;
}

/** Every import of a file with whether it is type-only (`import type`, `export type`, `import('x')` types). */
function typedImportsOf(file: string): { spec: string; typeOnly: boolean }[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const out: { spec: string; typeOnly: boolean }[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const namedTypesOnly =
        !!clause?.namedBindings &&
        ts.isNamedImports(clause.namedBindings) &&
        !clause.name &&
        clause.namedBindings.elements.every((e) => e.isTypeOnly);
      out.push({ spec: node.moduleSpecifier.text, typeOnly: !!clause?.isTypeOnly || namedTypesOnly });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      out.push({ spec: node.moduleSpecifier.text, typeOnly: node.isTypeOnly });
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      out.push({ spec: node.argument.literal.text, typeOnly: true });
    } else if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0])) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require'))
        out.push({ spec: (node.arguments[0] as ts.StringLiteral).text, typeOnly: false });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** Most lines a source file under src/ may have: past that, a file holds more than one job. */
const MAX_LINES = 600;

/**
 * Files over MAX_LINES that are allowed for now, each with why. Remove an entry once its file is
 * split: the test fails for an entry that is no longer over the limit.
 */
const OVERSIZED_FOR_NOW = new Set<string>([]);

/** Lines of a text as `wc -l` counts them with a final newline (a last line without one counts too). */
function lineCount(text: string): number {
  if (!text) return 0;
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

/** The files (relative paths) over `max` lines that are not in `allowed`. */
function oversized(files: { rel: string; text: string }[], max: number, allowed: ReadonlySet<string>): string[] {
  return files
    .filter((f) => lineCount(f.text) > max && !allowed.has(f.rel))
    .map((f) => `${f.rel} has ${lineCount(f.text)} lines (at most ${max}: split it by job)`);
}

function violations(dir: string, forbidden: (spec: string, file: string) => boolean): string[] {
  return sourceFiles(dir).flatMap((file) =>
    importsOf(file)
      .filter((spec) => forbidden(spec, file))
      .map((spec) => `${path.relative(ROOT, file)} imports ${spec}`),
  );
}

describe('architecture', () => {
  it('src/core never imports vscode', () => {
    assert.deepEqual(
      violations('src/core', (spec) => spec === 'vscode'),
      [],
    );
  });

  it('src/shared imports neither vscode, Node built-ins nor anything outside src/shared', () => {
    const bad = violations(
      'src/shared',
      (spec) => spec === 'vscode' || spec.startsWith('node:') || !spec.startsWith('./'),
    );
    assert.deepEqual(bad, []);
  });

  it('the webview (media/) imports only its own files and src/shared', () => {
    const bad = violations('media', (spec, file) => {
      if (!spec.startsWith('.')) return true;
      const target = path.resolve(path.dirname(file), spec);
      return !target.startsWith(path.join(ROOT, 'media')) && !target.startsWith(path.join(ROOT, 'src/shared'));
    });
    assert.deepEqual(bad, []);
  });

  it('only the SDK adapter (src/core/session/sdk.ts) imports the MCP client SDK', () => {
    const bad = [
      ...violations(
        'src',
        (spec, file) =>
          spec.startsWith('@modelcontextprotocol/') && file !== path.join(ROOT, 'src/core/session/sdk.ts'),
      ),
    ];
    assert.deepEqual(bad, []);
  });

  it('src/cli never imports src/vscode, vscode or the composition root', () => {
    const bad = violations('src/cli', (spec, file) => {
      const to = target(spec, file);
      return spec === 'vscode' || (!!to && (inside(to, VSCODE) || COMPOSITION.includes(to)));
    });
    assert.deepEqual(bad, []);
  });

  it('src/core and src/shared never import src/vscode, src/cli or the composition root', () => {
    const bad = ['src/core', 'src/shared'].flatMap((dir) =>
      violations(dir, (spec, file) => {
        const to = target(spec, file);
        return !!to && (inside(to, VSCODE) || inside(to, path.join(SRC, 'cli')) || COMPOSITION.includes(to));
      }),
    );
    assert.deepEqual(bad, []);
  });

  it('feature areas of src/vscode reach each other only through src/vscode/services.ts', () => {
    const files = sourceFiles('src/vscode').map((file) => ({ file, imports: typedImportsOf(file) }));
    assert.ok(
      new Set(files.map((f) => areaOf(f.file))).size >= 5,
      'the areas (config, rules, session, trace, tree) and the shared modules are found',
    );
    assert.deepEqual(vscodeImportViolations(files), []);
  });

  it('the area rule itself flags cross-area imports, back doors and runtime code in services.ts', () => {
    const f = (rel: string) => path.join(VSCODE, rel);
    const imp = (spec: string, typeOnly = false) => ({ spec, typeOnly });
    const found = vscodeImportViolations([
      {
        file: f('tree/serversTree.ts'),
        imports: [
          imp('../session/sessionManager', true), // another area, even type-only
          imp('../services', true),
          imp('../display'),
          imp('./nodes'),
          imp('../../core/config/types'),
          imp('vscode'),
        ],
      },
      { file: f('session/calls.ts'), imports: [imp('../../extension'), imp('../../cli/io')] },
      { file: f('display.ts'), imports: [imp('./trace/traceService')] },
      { file: f('services.ts'), imports: [imp('../core/config/types'), imp('../core/session/types', true)] },
    ]).map((v) => v.slice(0, v.indexOf(' (')));
    assert.deepEqual(found, [
      'src/vscode/tree/serversTree.ts imports ../session/sessionManager',
      'src/vscode/session/calls.ts imports ../../extension',
      'src/vscode/session/calls.ts imports ../../cli/io',
      'src/vscode/display.ts imports ./trace/traceService',
      'src/vscode/services.ts imports ../core/config/types',
    ]);
  });

  it('typescript is only loaded lazily (it is external to the bundle and large)', () => {
    const eager = sourceFiles('src').flatMap((file) => {
      const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
      return source.statements
        .filter(
          (s): s is ts.ImportDeclaration =>
            ts.isImportDeclaration(s) &&
            ts.isStringLiteral(s.moduleSpecifier) &&
            s.moduleSpecifier.text === 'typescript',
        )
        .filter((s) => !s.importClause?.isTypeOnly)
        .map(() => path.relative(ROOT, file));
    });
    assert.deepEqual(eager, []);
  });

  it(`no source file under src/ is over ${MAX_LINES} lines (but the listed exceptions)`, () => {
    const files = sourceFiles('src').map((file) => ({
      rel: path.relative(ROOT, file).split(path.sep).join('/'),
      text: fs.readFileSync(file, 'utf8'),
    }));
    assert.ok(files.length > 100, 'the source files are found');
    assert.deepEqual(oversized(files, MAX_LINES, OVERSIZED_FOR_NOW), []);
    const stale = [...OVERSIZED_FOR_NOW].filter((rel) => {
      const f = files.find((x) => x.rel === rel);
      return !f || lineCount(f.text) <= MAX_LINES;
    });
    assert.deepEqual(stale, [], 'exceptions whose file is gone or no longer too long: remove them from the list');
  });

  it('the size rule itself counts lines like wc -l and flags only files over the limit', () => {
    const lines = (n: number, end = '\n') => 'x\n'.repeat(n - 1) + 'x' + end;
    assert.equal(lineCount(''), 0);
    assert.equal(lineCount(lines(3)), 3);
    assert.equal(lineCount(lines(3, '')), 3);
    assert.equal(lineCount(lines(3) + '\n'), 4);
    const found = oversized(
      [
        { rel: 'src/a.ts', text: lines(5) },
        { rel: 'src/b.ts', text: lines(6) },
        { rel: 'src/c.ts', text: lines(6, '') },
        { rel: 'src/d.ts', text: lines(9) },
      ],
      5,
      new Set(['src/d.ts']),
    );
    assert.deepEqual(found, [
      'src/b.ts has 6 lines (at most 5: split it by job)',
      'src/c.ts has 6 lines (at most 5: split it by job)',
    ]);
  });

  it('every contributed command is registered somewhere in src/vscode', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const text = sourceFiles('src/vscode')
      .map((f) => fs.readFileSync(f, 'utf8'))
      .join('\n');
    const missing = pkg.contributes.commands
      .map((c: { command: string }) => c.command)
      .filter((id: string) => !text.includes(`'${id}'`) && !text.includes(`"${id}"`));
    assert.deepEqual(missing, []);
  });
});
