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
