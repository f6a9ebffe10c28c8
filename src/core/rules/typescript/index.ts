import type { FileAnalysis, LanguageAnalyzer, ProjectContext } from '../types';
import { loadTypeScript } from './tsLoader';

const EXTENSIONS = ['.ts', '.mts', '.cts', '.tsx', '.js', '.mjs', '.cjs', '.jsx'] as const;

/** Cheap pre-filter: a file that never names an MCP framework is not parsed at all. */
const MCP_MARKER = /@modelcontextprotocol\/|['"]fastmcp['"]/;

/** Creates the TypeScript/JavaScript analyzer (syntax-only, TypeScript compiler API). */
export function createTypeScriptAnalyzer(): LanguageAnalyzer {
  return {
    language: 'typescript',
    extensions: EXTENSIONS,
    async analyze(file: string, text: string, _project: ProjectContext): Promise<FileAnalysis> {
      const empty: FileAnalysis = { file, language: 'typescript', servers: [], definitions: [], hits: [] };
      if (!MCP_MARKER.test(text)) return empty;
      try {
        const ts = loadTypeScript();
        ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
        const framework = /['"]fastmcp['"]/.test(text) ? 'ts-fastmcp' : 'ts-sdk';
        return { ...empty, framework };
      } catch {
        return empty;
      }
    },
  };
}
