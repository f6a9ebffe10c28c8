import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Finding, Range } from '../../../src/core/model';
import { RuleEngine } from '../../../src/core/rules/engine';
import { INTERNAL_ERROR_CODE } from '../../../src/core/rules/hitsToFindings';
import { fuzz, type Rand } from './prng';

const FIXTURES = path.resolve(__dirname, '../../fixtures/rules');

/** Every fixture file under a folder of test/fixtures/rules. */
function fixtures(sub: string): string[] {
  return (fs.readdirSync(path.join(FIXTURES, sub), { recursive: true, encoding: 'utf8' }) as string[])
    .map((f) => path.join(FIXTURES, sub, f))
    .filter((f) => fs.statSync(f).isFile() && !f.endsWith('.md') && !f.endsWith('.json.expected'));
}

/** Pieces that steer mutations into interesting syntax (decorators, calls, strings, blocks). */
const TOKENS = [
  '(',
  ')',
  '{',
  '}',
  '[',
  ']',
  ':',
  ';',
  ',',
  '"',
  "'",
  '`',
  '"""',
  '\\',
  '\n',
  '\t',
  '    ',
  '#',
  '//',
  '/*',
  '*/',
  '${',
  '@',
  '=',
  '=>',
  '.',
  'def ',
  'async def ',
  'await ',
  'return ',
  'import ',
  'from ',
  'class ',
  'lambda ',
  'print(',
  'sys.stdout.write(',
  '@mcp.tool()\n',
  'mcp.run(',
  'FastMCP(',
  'server.tool(',
  'server.registerTool(',
  'console.log(',
  'process.stdout.write(',
  'new McpServer(',
  'async (',
  'function ',
  'export ',
  'const ',
  'z.object({',
  '\uFEFF',
  '\u2028',
  '😀',
  '\r',
  '\0',
  'é',
];

function mutate(rand: Rand, text: string): string {
  let out = text;
  for (let n = 1 + rand.int(6); n > 0; n--) {
    const at = rand.int(out.length + 1);
    const len = rand.int(Math.min(200, out.length - at) + 1);
    switch (rand.int(7)) {
      case 0:
        out = out.slice(0, at) + out.slice(at + len);
        break; // delete a span
      case 1:
        out = out.slice(0, at) + rand.pick(TOKENS) + out.slice(at);
        break; // insert a token
      case 2:
        out = out.slice(0, at) + out.slice(at, at + len) + out.slice(at);
        break; // duplicate a span
      case 3:
        out = out.slice(0, at);
        break; // cut off (an editor mid-typing)
      case 4:
        out = out.slice(0, at) + rand.text(rand.int(20)) + out.slice(at);
        break; // random characters
      case 5: {
        // move a span elsewhere
        const span = out.slice(at, at + len);
        const rest = out.slice(0, at) + out.slice(at + len);
        const to = rand.int(rest.length + 1);
        out = rest.slice(0, to) + span + rest.slice(to);
        break;
      }
      default:
        out = out.replace(/ {4}/g, rand.chance(0.5) ? '\t' : '  '); // break indentation
    }
  }
  return out;
}

/**
 * Throws unless the range lies inside `text` as VS Code sees it: lines end at `\r\n`, `\n` or
 * `\r` (not at U+2028/U+2029); 0-based; a character may equal the line length.
 */
function assertInside(range: Range, text: string, what: string): void {
  const lines = text.split(/\r\n|\r|\n/);
  const ok = (p: Range['start']) =>
    Number.isInteger(p.line) &&
    Number.isInteger(p.character) &&
    p.line >= 0 &&
    p.line < lines.length &&
    p.character >= 0 &&
    p.character <= lines[p.line].length;
  assert.ok(
    ok(range.start) && ok(range.end),
    `${what}: range ${JSON.stringify(range)} outside the text (${lines.length} lines; line ${range.start.line}: ${JSON.stringify(lines[range.start.line])})`,
  );
  const before =
    range.start.line < range.end.line ||
    (range.start.line === range.end.line && range.start.character <= range.end.character);
  assert.ok(before, `${what}: range ${JSON.stringify(range)} ends before it starts`);
}

function check(file: string, text: string, findings: Finding[]): void {
  const internal = findings.filter((f) => f.code === INTERNAL_ERROR_CODE);
  assert.deepEqual(
    internal.map((f) => f.message),
    [],
    `an analyzer crashed on ${path.basename(file)}`,
  );
  for (const f of findings) {
    assert.ok(
      f.message && f.code && ['error', 'warning', 'info', 'hint'].includes(f.severity),
      `malformed finding ${JSON.stringify(f).slice(0, 200)}`,
    );
    if (f.file !== file) continue; // cross-file findings point into other (unchanged) files
    assertInside(f.range, text, `${f.code} in ${path.basename(file)}`);
    for (const fix of f.fixes ?? [])
      for (const e of fix.edits) if (e.file === file) assertInside(e.range, text, `fix "${fix.title}" of ${f.code}`);
  }
}

describe('fuzz: rules engine', function () {
  // Loading the tree-sitter grammar and TypeScript takes a while on a busy machine.
  this.timeout(60000);
  const engine = new RuleEngine({ workers: 0, log: () => undefined });

  for (const [lang, sub] of [
    ['Python', 'python'],
    ['TypeScript', 'typescript'],
    ['project-file', 'project'],
  ] as const) {
    it(`mutated ${lang} fixtures never throw, crash an analyzer or put a range outside the text (~2 s)`, async () => {
      const files = fixtures(sub);
      assert.ok(files.length > 3, `fixtures in ${sub}`);
      const texts = new Map(files.map((f) => [f, fs.readFileSync(f, 'utf8')]));
      // Warm up (grammar/compiler loading is not what the time budget is for).
      await engine.analyzeFile(files[0], texts.get(files[0])!);
      const runs = await fuzz(
        2000,
        async (rand) => {
          const file = rand.pick(files);
          const text = mutate(rand, texts.get(file)!);
          const t0 = Date.now();
          const result = await engine.analyzeFile(file, text);
          assert.ok(
            Date.now() - t0 < 10000,
            `analysis of a ${text.length}-character ${path.basename(file)} took ${Date.now() - t0} ms`,
          );
          try {
            check(file, text, result.findings);
          } catch (err) {
            // Keep the input for a look (the seed replays it too).
            if (process.env.FUZZ_DUMP) fs.writeFileSync(process.env.FUZZ_DUMP, text);
            throw err;
          }
        },
        10,
      );
      assert.ok(runs >= 10);
    });
  }

  // Regressions the fuzzer found (kept as plain tests).
  it('a U+2028 in a TypeScript string does not shift later ranges by a line', async () => {
    const file = path.join(FIXTURES, 'typescript', 'sdkStdioBad.ts');
    const text = fs.readFileSync(file, 'utf8');
    const plain = await engine.analyzeFile(file, `const sep = "-";\n${text}`);
    const withSeparator = await engine.analyzeFile(file, `const sep = "\u2028";\n${text}`);
    assert.ok(plain.findings.length > 0);
    assert.deepEqual(
      withSeparator.findings.map((f) => [f.code, f.range]),
      plain.findings.map((f) => [f.code, f.range]),
    );
  });

  it('a fix inserting into an unclosed object literal has a forward range', async () => {
    const file = path.join(FIXTURES, 'typescript', 'sdkStdioBad.ts');
    const text = `${fs.readFileSync(file, 'utf8')}\nimport * as cp from 'node:child_process';\nconst out = cp.execSync("ls", {`;
    const result = await engine.analyzeFile(file, text);
    const fixes = result.findings.filter((f) => f.code === 'MCP103').flatMap((f) => f.fixes ?? []);
    assert.ok(fixes.length > 0, 'MCP103 with a fix on the unclosed call');
    check(file, text, result.findings);
  });

  it('random bytes and text under server file names never throw (~2 s)', async () => {
    await fuzz(
      2000,
      async (rand) => {
        const file = path.join(FIXTURES, 'python', `fuzz${rand.pick(['.py', '.ts', '.js', '.mjs', '.tsx'])}`);
        // An MCP import first, so the analyzers actually run on the garbage after it.
        const prefix = rand.pick([
          '',
          'from mcp.server.fastmcp import FastMCP\n',
          "import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';\n",
        ]);
        const body = rand.chance(0.5)
          ? rand.bytes(rand.int(2000)).toString(rand.pick(['utf8', 'latin1'] as const))
          : rand.text(rand.int(2000), TOKENS.join(''));
        const text = prefix + body;
        const result = await engine.analyzeFile(file, text);
        check(file, text, result.findings);
      },
      10,
    );
  });
});
