import assert from 'node:assert/strict';
import type { Node } from 'web-tree-sitter';
import {
  copyTree,
  copyTreeViaCursor,
  type PyNode,
  rawCopyEnabled,
  SourceText,
} from '../../../../src/core/rules/python/ast';
import { getParser, MARKER_FIXTURES, readFixture } from './helpers';

/** The same tree read through the (slow) Node API, as `type[start,end](children)`. */
function viaNodeApi(n: Node): string {
  const kids = n.children
    .filter((c): c is Node => !!c)
    .map(viaNodeApi)
    .join(' ');
  return n.isNamed ? `${n.type}[${n.startIndex},${n.endIndex}](${kids})` : `'${n.type}'(${kids})`;
}

function viaCopy(n: PyNode): string {
  const kids = n.children.map(viaCopy).join(' ');
  return n.named ? `${n.type}[${n.start},${n.end}](${kids})` : `'${n.type}'(${kids})`;
}

describe('python analyzer: tree copy', () => {
  it('copies every node (types, offsets, nesting) exactly like the Node API sees them', async () => {
    const p = await getParser();
    const texts = [
      ...MARKER_FIXTURES.map((f) => readFixture(f.name)),
      readFixture('syntax_error.py'),
      'x = "é😀"\nasync def f():\n    await g(*a, **k)\n',
    ];
    for (const text of texts) {
      const tree = p.parser.parse(text)!;
      try {
        assert.equal(viaCopy(copyTree(tree, p.language)), viaNodeApi(tree.rootNode));
      } finally {
        tree.delete();
      }
    }
  });

  it('the direct wasm copy is on and matches the TreeCursor copy, fields and all', async () => {
    const p = await getParser();
    assert.ok(rawCopyEnabled(), 'the loader enables the direct copy with web-tree-sitter 0.25');
    const withFields = (n: PyNode): string =>
      `${n.type}:${n.field ?? ''}[${n.start},${n.end}](${n.children.map(withFields).join(' ')})`;
    // Deep nesting makes the cursor grow its stack (the state is synced back before delete()).
    const deep = `x = ${'('.repeat(300)}1${')'.repeat(300)}\n`;
    const texts = [
      ...MARKER_FIXTURES.map((f) => readFixture(f.name)),
      readFixture('syntax_error.py'),
      deep,
      '',
      'def f(:\n  ]]\n',
    ];
    for (let round = 0; round < 2; round++) {
      for (const text of texts) {
        const tree = p.parser.parse(text)!;
        try {
          assert.equal(withFields(copyTree(tree, p.language)), withFields(copyTreeViaCursor(tree, p.language)));
        } finally {
          tree.delete();
        }
      }
    }
  });

  it('keeps field names and UTF-16 positions', async () => {
    const p = await getParser();
    const text = 's = "é😀"; t = f(a, key=1)\n';
    const tree = p.parser.parse(text)!;
    const root = copyTree(tree, p.language);
    tree.delete();
    const src = new SourceText(text);
    const second = root.children.find(
      (c) => c.named && c.type === 'expression_statement' && src.of(c).startsWith('t'),
    )!;
    const assign = second.children[0];
    assert.equal(assign.children.find((c) => c.field === 'left')?.type, 'identifier');
    const call = assign.children.find((c) => c.field === 'right')!;
    assert.equal(src.of(call), 'f(a, key=1)');
    assert.deepEqual(src.range(call).start, { line: 0, character: text.indexOf('f(') });
    const kw = call.children.find((c) => c.field === 'arguments')!.children.find((c) => c.type === 'keyword_argument')!;
    assert.deepEqual(
      kw.children.filter((c) => c.field).map((c) => c.field),
      ['name', 'value'],
    );
  });
});
