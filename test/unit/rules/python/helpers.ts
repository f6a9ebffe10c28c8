/** Shared helpers for the Python analyzer tests: project contexts, markers, edit application. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TextEdit } from '../../../../src/core/model';
import { analyzePython, loadPythonParser } from '../../../../src/core/rules/python';
import type { PythonParser } from '../../../../src/core/rules/python/loader';
import type { FileAnalysis, ProjectContext } from '../../../../src/core/rules/types';

const FIXTURES = path.resolve(__dirname, '../../../fixtures/rules/python');

/** The catalogue's Python examples are kept once, in the catalogue project (linted there as a whole). */
const CATALOGUE = path.resolve(__dirname, '../../../fixtures/rules/project/catalogue');
const FROM_CATALOGUE = new Set(['python_bad_1.py', 'python_clean.py', 'python_no_entrypoint.py']);

export function fixturePath(name: string): string {
  return path.join(FROM_CATALOGUE.has(name) ? CATALOGUE : FIXTURES, name);
}

export function readFixture(name: string): string {
  return fs.readFileSync(fixturePath(name), 'utf8');
}

/** A project context with the given package versions and deployment files. */
export function project(
  packages: Record<string, string> = {},
  deployment: ProjectContext['deployment'] = {},
): ProjectContext {
  return {
    root: FIXTURES,
    packages: new Map(Object.entries(packages)),
    packageSources: new Map(),
    deployment,
    runtime: {},
  };
}

let parser: Promise<PythonParser> | undefined;
export function getParser(): Promise<PythonParser> {
  parser ??= loadPythonParser();
  return parser;
}

/** Analyzes text as the fixture `name`; any rule that throws fails the test. */
export async function analyze(name: string, text: string, ctx: ProjectContext = project()): Promise<FileAnalysis> {
  const errors: string[] = [];
  const result = analyzePython(await getParser(), fixturePath(name), text, ctx, (where, err) =>
    errors.push(`${where}: ${(err as Error)?.stack ?? String(err)}`),
  );
  if (errors.length) throw new Error(`rules threw on ${name}:\n${errors.join('\n')}`);
  return result;
}

/** `# expect: MCP101, MCP209` and `# ok: MCP103` markers, by 1-based line. */
export function markers(text: string): {
  expect: { line: number; rule: string }[];
  ok: { line: number; rule: string }[];
} {
  const expect: { line: number; rule: string }[] = [];
  const ok: { line: number; rule: string }[] = [];
  text.split(/\r?\n/).forEach((l, i) => {
    const e = /#.*\bexpect:\s*((?:MCP\d{3}[,\s]*)+)/.exec(l);
    const o = /#.*\bok:\s*((?:MCP\d{3}[,\s]*)+)/.exec(l);
    for (const r of e?.[1].match(/MCP\d{3}/g) ?? []) expect.push({ line: i + 1, rule: r });
    for (const r of o?.[1].match(/MCP\d{3}/g) ?? []) ok.push({ line: i + 1, rule: r });
  });
  return { expect, ok };
}

/** Hits as sorted unique `line:rule` strings (1-based lines). */
export function hitKeys(a: FileAnalysis): string[] {
  return [...new Set(a.hits.map((h) => `${h.range.start.line + 1}:${h.ruleId}`))].sort(byLine);
}

export function byLine(a: string, b: string): number {
  return Number(a.split(':')[0]) - Number(b.split(':')[0]) || a.localeCompare(b);
}

/** Applies non-overlapping edits to a text (offsets from 0-based line/character). */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  const off = (p: { line: number; character: number }) => starts[p.line] + p.character;
  const sorted = [...edits].sort((x, y) => off(y.range.start) - off(x.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, off(e.range.start)) + e.newText + out.slice(off(e.range.end));
  return out;
}

/** Whether Python text parses without ERROR or MISSING nodes. */
export async function parsesCleanly(text: string): Promise<boolean> {
  const p = await getParser();
  const tree = p.parser.parse(text)!;
  try {
    return !tree.rootNode.hasError;
  } finally {
    tree.delete();
  }
}

const DOCKERFILE = fixturePath('Dockerfile');

/** Every marker fixture with the project it is analyzed in (versions, container). */
export const MARKER_FIXTURES: { name: string; ctx: ProjectContext }[] = [
  { name: 'python_bad_1.py', ctx: project({ mcp: '1.9.4' }) },
  { name: 'python_no_entrypoint.py', ctx: project({ fastmcp: '3.1.0' }) },
  { name: 'stdout_official.py', ctx: project({ mcp: '1.9.4' }) },
  { name: 'tools_official.py', ctx: project({ mcp: '1.9.4' }) },
  { name: 'http_fastmcp.py', ctx: project({ fastmcp: '3.1.0' }, { dockerfile: DOCKERFILE }) },
  { name: 'http_official.py', ctx: project({ mcp: '1.26.0' }, { dockerfile: DOCKERFILE }) },
  { name: 'lowlevel.py', ctx: project({ mcp: '1.12.0' }) },
  { name: 'lowlevel_v2.py', ctx: project({ mcp: '2.3.0' }) },
  { name: 'helper_module.py', ctx: project({ fastmcp: '3.1.0' }) },
  { name: 'register_tools.py', ctx: project({ fastmcp: '3.1.0' }) },
];
