import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type * as ts from 'typescript';
import type { TextEdit } from '../../../../src/core/model';
import type { FileAnalysis, ProjectContext } from '../../../../src/core/rules/types';
import { createTypeScriptAnalyzer } from '../../../../src/core/rules/typescript/index';

export const FIXTURES = path.resolve(__dirname, '../../../fixtures/rules/typescript');

/** Fixture files carry their project assumptions in a `// project: {...}` header comment. */
export interface FixtureMeta {
  sdk?: string;
  dockerfile?: boolean;
  moduleType?: 'module' | 'commonjs';
}

function projectFor(meta: FixtureMeta): ProjectContext {
  const packages = new Map<string, string>();
  if (meta.sdk) packages.set('@modelcontextprotocol/sdk', meta.sdk);
  return {
    root: FIXTURES,
    packages,
    packageSources: new Map(),
    deployment: meta.dockerfile ? { dockerfile: path.join(FIXTURES, 'Dockerfile') } : {},
    runtime: {},
    moduleType: meta.moduleType,
  };
}

export function readFixture(name: string): { file: string; text: string; meta: FixtureMeta } {
  const file = path.join(FIXTURES, name);
  const text = readFileSync(file, 'utf8');
  const m = /\/\/ project: (\{.*\})/.exec(text);
  return { file, text, meta: m ? (JSON.parse(m[1]!) as FixtureMeta) : {} };
}

const analyzer = createTypeScriptAnalyzer();

export async function analyzeText(file: string, text: string, meta: FixtureMeta = {}): Promise<FileAnalysis> {
  return analyzer.analyze(file, text, projectFor(meta));
}

export async function analyzeFixture(
  name: string,
  override: Partial<FixtureMeta> = {},
): Promise<FileAnalysis & { text: string }> {
  const { file, text, meta } = readFixture(name);
  const result = await analyzeText(file, text, { ...meta, ...override });
  return { ...result, text };
}

/** `line:RULE` (1-based) for every `// expect: MCPxxx, MCPyyy` marker. */
export function markers(text: string): string[] {
  const out: string[] = [];
  text.split('\n').forEach((line, i) => {
    const m = /\/\/ expect: (MCP\d{3}(?:,\s*MCP\d{3})*)\s*$/.exec(line);
    if (m) for (const id of m[1]!.split(/,\s*/)) out.push(`${i + 1}:${id}`);
  });
  return out.sort();
}

export function hitKeys(result: FileAnalysis): string[] {
  return result.hits.map((h) => `${h.range.start.line + 1}:${h.ruleId}`).sort();
}

/** Applies non-overlapping edits to a text (positions are 0-based line/character). */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const offset = (p: { line: number; character: number }): number => lineStarts[p.line]! + p.character;
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}

/** Syntax diagnostics of a TypeScript/JavaScript text (no type checking). */
export function syntaxErrors(file: string, text: string): string[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tsApi = require('typescript') as typeof ts;
  const out = tsApi.transpileModule(text, {
    fileName: file,
    reportDiagnostics: true,
    compilerOptions: { allowJs: true, target: tsApi.ScriptTarget.ES2022, module: tsApi.ModuleKind.ESNext },
  });
  return (out.diagnostics ?? []).map((d) => tsApi.flattenDiagnosticMessageText(d.messageText, '\n'));
}
