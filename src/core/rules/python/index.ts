/**
 * The Python analyzer: parses a file once with tree-sitter, computes the shared facts (servers,
 * framework, transports, definitions) and runs every Python rule over them.
 */
import type { FileAnalysis, LanguageAnalyzer, ProjectContext } from '../types';
import { copyTree } from './ast';
import { PyFile } from './context';
import { loadPythonParser, type PythonParser } from './loader';
import { MCP_MARKER, RUNNER_MARKER } from './markers';
import { HELPER_RULES, PYTHON_RULES, RUNNER_RULES } from './rules';
import { mcp503, servesMcpRoutes } from './rules/security';

/** Larger files are generated or vendored; parsing them would stall the lint pass. */
const MAX_CHARS = 2_000_000;

export interface PythonAnalyzerOptions {
  /** Folder holding `tree-sitter.wasm` and `tree-sitter-python.wasm` (defaults: see loader.ts). */
  wasmDir?: string;
}

/** Creates the Python analyzer. The grammar loads on first use; parsing is synchronous after that. */
export function createPythonAnalyzer(opts: PythonAnalyzerOptions = {}): LanguageAnalyzer {
  let parserPromise: Promise<PythonParser> | undefined;
  const getParser = (): Promise<PythonParser> => {
    parserPromise ??= loadPythonParser(opts.wasmDir).catch((err: unknown) => {
      parserPromise = undefined; // allow a retry (e.g. after the wasm files were restored)
      throw err;
    });
    return parserPromise;
  };
  return {
    language: 'python',
    extensions: ['.py'],
    async analyze(file: string, text: string, project: ProjectContext): Promise<FileAnalysis> {
      const empty: FileAnalysis = { file, language: 'python', servers: [], definitions: [], hits: [] };
      if (
        typeof text !== 'string' ||
        text.length > MAX_CHARS ||
        !(MCP_MARKER.test(text) || RUNNER_MARKER.test(text)) ||
        text.slice(0, 8192).includes('\u0000')
      )
        return empty;
      let parser: PythonParser;
      try {
        parser = await getParser();
      } catch {
        return empty;
      }
      return analyzePython(parser, file, text, project);
    },
    async analyzeHelper(file: string, text: string, project: ProjectContext): Promise<FileAnalysis> {
      const empty: FileAnalysis = { file, language: 'python', servers: [], definitions: [], hits: [] };
      if (typeof text !== 'string' || text.length > MAX_CHARS || text.slice(0, 8192).includes('\u0000')) return empty;
      let parser: PythonParser;
      try {
        parser = await getParser();
      } catch {
        return empty;
      }
      return analyzePython(parser, file, text, project, undefined, { helper: true });
    },
  };
}

/** Synchronous analysis with an already loaded parser (exported for tests and benchmarks). */
export function analyzePython(
  parser: PythonParser,
  file: string,
  text: string,
  project: ProjectContext,
  /** Called when a rule (or the facts pass) throws; the analysis continues without it. */
  onError?: (where: string, err: unknown) => void,
  /** `helper`: a module without MCP imports that a stdio server imports (stdout rules only). */
  opts: { helper?: boolean } = {},
): FileAnalysis {
  const empty: FileAnalysis = { file, language: 'python', servers: [], definitions: [], hits: [] };
  // A UTF-8 BOM is not Python syntax; a space of the same length keeps every offset intact.
  if (text.charCodeAt(0) === 0xfeff) text = ` ${text.slice(1)}`;
  let tree;
  try {
    tree = parser.parser.parse(text);
  } catch {
    return empty;
  }
  if (!tree) return empty;
  try {
    const root = copyTree(tree, parser.language);
    const py = new PyFile(file, text, root, project);
    const module = py.moduleFacts();
    if (opts.helper && !py.framework && !py.servers.length) {
      py.helper = true;
      for (const rule of HELPER_RULES) {
        try {
          rule(py);
        } catch (err) {
          onError?.(rule.name, err);
        }
      }
      return { ...empty, hits: py.hits, module };
    }
    if (!py.framework && !py.servers.length) {
      // An app module that mounts MCP endpoints built elsewhere: its binds and CORS still matter.
      if (servesMcpRoutes(py)) {
        try {
          mcp503(py);
        } catch (err) {
          onError?.('mcp503', err);
        }
      }
      // A runner that starts an imported server: where it binds and what run() gets are decided here.
      if (module.starts.length) {
        for (const rule of RUNNER_RULES) {
          try {
            rule(py);
          } catch (err) {
            onError?.(rule.name, err);
          }
        }
      }
      return { ...empty, hits: py.hits, module };
    }
    for (const rule of PYTHON_RULES) {
      try {
        rule(py);
      } catch (err) {
        // One faulty rule must not hide the others' findings.
        onError?.(rule.name, err);
      }
    }
    return {
      file,
      language: 'python',
      framework: py.framework,
      servers: py.servers.map((s) => ({ name: s.name, range: py.src.headRange(s.node), transport: s.transport })),
      definitions: py.definitions.map((d) => d.def),
      hits: py.hits,
      module,
    };
  } catch (err) {
    onError?.('facts', err);
    return empty;
  } finally {
    tree.delete();
  }
}

export { loadPythonParser, locateWasm } from './loader';
